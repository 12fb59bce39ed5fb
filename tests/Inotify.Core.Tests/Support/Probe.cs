using System.Diagnostics;
using System.Reflection;

namespace Inotify.Core.Tests;

/// <summary>
/// Runs tests/Inotify.Probe (built with the tests) in another process, optionally wrapped in a command
/// such as setpriv (another user) or prlimit (another descriptor limit), and parses its one-line answer.
/// </summary>
internal static class Probe
{
    public const int Nobody = 65534;

    public static string AssemblyPath { get; } =
        typeof(Probe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProbeAssembly").Value!;

    /// <summary>The dotnet host that runs this test process.</summary>
    public static string DotnetHost
    {
        get
        {
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                return self;
            }

            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        }
    }

    /// <summary>Runs the probe; <paramref name="wrapper"/> goes in front of "dotnet probe.dll args".</summary>
    public static ProbeResult Run(string[] wrapper, params string[] args)
    {
        Assert.True(File.Exists(AssemblyPath), $"The probe was not built: {AssemblyPath}");
        var psi = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in wrapper.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        if (wrapper.Length > 0)
        {
            psi.ArgumentList.Add(DotnetHost);
        }

        psi.ArgumentList.Add(AssemblyPath);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Another user cannot write root's home; nothing here needs one.
        psi.Environment["HOME"] = Path.GetTempPath();
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(Timeouts.Process), "The probe did not finish.");
        p.WaitForExit();
        return new ProbeResult(p.ExitCode, stdout.Result.Trim(), stderr.Result.Trim());
    }

    /// <summary>setpriv arguments that run the probe as nobody:nogroup with no supplementary groups.</summary>
    public static string[] AsNobody => ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups"];
}

/// <summary>The probe's answer: "OK &lt;n&gt;" or "ERR &lt;Type&gt; &lt;ErrorId&gt; &lt;Errno&gt; &lt;Limit&gt; &lt;count&gt; &lt;Message&gt;".</summary>
internal sealed record ProbeResult(int ExitCode, string Stdout, string Stderr)
{
    private string[] Fields => Stdout.Split(' ', 7);

    public bool Ok => ExitCode == 0 && Stdout.StartsWith("OK ", StringComparison.Ordinal);

    public bool Failed => ExitCode == 3 && Stdout.StartsWith("ERR ", StringComparison.Ordinal);

    public string ExceptionType => Fields[1];

    public string ErrorId => Fields[2];

    public int Errno => int.Parse(Fields[3], System.Globalization.CultureInfo.InvariantCulture);

    public string Limit => Fields[4];

    public int Count => int.Parse(Fields[5], System.Globalization.CultureInfo.InvariantCulture);

    public string Message => Fields[6];

    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout}; stderr: {Stderr}";
}
