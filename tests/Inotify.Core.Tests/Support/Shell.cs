using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>Runs a shell command in another process and fails the test if it fails.</summary>
internal static class Shell
{
    public static void Run(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardError = true })!;
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"'{command}' failed ({p.ExitCode}): {stderr}");
    }
}
