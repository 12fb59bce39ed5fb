using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>A fresh directory under the system's temp folder, deleted (with everything in it) on Dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "inotify-core-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of an entry in this directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Creates an empty file and returns its full path.</summary>
    public string CreateFile(string relative)
    {
        string p = this[relative];
        File.Create(p).Dispose();
        return p;
    }

    /// <summary>Creates a subdirectory and returns its full path.</summary>
    public string CreateDirectory(string relative)
    {
        string p = this[relative];
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Names that are not valid UTF-8, directories without permissions, paths longer than PATH_MAX: rm copes.
        }

        using var rm = System.Diagnostics.Process.Start(new ProcessStartInfo("rm", ["-rf", "--", Path]) { UseShellExecute = false })!;
        rm.WaitForExit();
    }
}
