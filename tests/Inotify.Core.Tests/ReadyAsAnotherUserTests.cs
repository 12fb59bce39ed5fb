using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>
/// A watcher running as nobody (setpriv) on files root owns: the kernel refuses it the lease (not the owner, no
/// CAP_LEASE), so the files are Ready by the quiet rule alone, and ReadyReason says so.
/// </summary>
public sealed class ReadyAsAnotherUserTests
{
    [Fact]
    public async Task FilesOfAnotherUserAreReadyByTheQuietRuleAndSaySo()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["before"], "x");
        var psi = new ProcessStartInfo(Probe.AsNobody[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in Probe.AsNobody.Skip(1).Concat([Probe.DotnetHost, Probe.AssemblyPath, "ready", dir.Path, "2"]))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = Path.GetTempPath();
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        try
        {
            Assert.Equal("WATCHING", await ReadLine(p));
            File.WriteAllText(dir["after"], "y");
            string[] lines = [await ReadLine(p), await ReadLine(p)];
            Assert.True(p.WaitForExit(Timeouts.Process), "the probe did not finish");
            Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {string.Join(" | ", lines)} {await stderr}");
            Assert.Equal(
                ["READY Kernel after Quiet, NotOwner", "READY Scan before Quiet, NotOwner"],
                lines.Order(StringComparer.Ordinal));
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill();
            }
        }
    }

    private static async Task<string> ReadLine(Process p) =>
        await p.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Process) ?? "(end of output)";
}
