using System.Diagnostics;
using System.Reflection;

namespace InotifyPS.Tests;

/// <summary>A fresh directory under /tmp, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("inotifyps-test-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates <paramref name="count"/> empty files named f0, f1, ...</summary>
    public void CreateFiles(int count, string prefix = "f")
    {
        for (int i = 0; i < count; i++)
        {
            File.WriteAllBytes(Combine(prefix + i), []);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Wait
{
    /// <summary>How long a test waits for something that normally takes milliseconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Polls until the condition holds; false if it did not within <see cref="Patience"/> (or the given time).</summary>
    public static bool Until(Func<bool> condition, TimeSpan? timeout = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > (timeout ?? Patience))
            {
                return condition();
            }

            Thread.Sleep(5);
        }

        return true;
    }
}

internal static class Repository
{
    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata.");

    /// <summary>The repository root (where InotifyPS.psd1 is).</summary>
    public static string Root => Metadata("RepositoryRoot");

    /// <summary>System.Management.Automation from PowerShellStandard.Library, for metadata only.</summary>
    public static string PowerShellReferenceAssembly => Metadata("PowerShellReferenceAssembly");

    /// <summary>The module folder `dotnet build` lays out.</summary>
    public static string ModuleFolder => System.IO.Path.Combine(Root, "out", "InotifyPS");
}
