using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>
/// Paths longer than PATH_MAX (4096 bytes) exist: a deep tree, or a watched directory near the limit plus an
/// entry's name. The kernel refuses such a path in one call, so NativeFile opens the directory part piece by piece.
/// </summary>
public sealed class LongPathTests
{
    private static readonly string Segment = new('d', 200);

    [Fact]
    public void NativeFileStatsOpensAndDeletesAFileWhosePathIsLongerThanPathMax()
    {
        using var dir = new TempDir();
        string deep = MakeDeepDirectory(dir.Path, levels: 25);
        string file = deep + "/file.txt";
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(file) > 4096);
        Run("bash", "-c", $"cd \"$1\" && for i in $(seq 25); do cd {Segment}; done && printf hello > file.txt", "bash", dir.Path);

        NativeFileStatus st = NativeFile.Stat(file);
        Assert.Equal(5, st.Size);
        Assert.True(NativeFile.Stat(deep).IsDirectory);
        Assert.True(NativeFile.Exists(file));
        using (FileStream s = NativeFile.Open(file, FileMode.Open, FileAccess.Read))
        {
            Assert.Equal((byte)'h', s.ReadByte());
        }

        using (FileStream s = NativeFile.Open(deep + "/new.txt", FileMode.CreateNew, FileAccess.Write))
        {
            s.WriteByte(1);
        }

        Assert.Equal(1, NativeFile.Stat(deep + "/new.txt").Size);
        NativeFile.Delete(file);
        Assert.False(NativeFile.Exists(file));
        NativeFile.Delete(deep + "/new.txt");
        Assert.Throws<WatchPathNotFoundException>(() => NativeFile.Stat(file));
    }

    [Fact]
    public void AMissingDirectoryOnALongPathIsWatchPathNotFoundNamingTheWholePath()
    {
        using var dir = new TempDir();
        string deep = MakeDeepDirectory(dir.Path, levels: 25);
        string missing = deep + "/no/such/file";

        WatchPathNotFoundException e = Assert.Throws<WatchPathNotFoundException>(() => NativeFile.Stat(missing));
        Assert.Equal(missing, e.Path);
    }

    private static string MakeDeepDirectory(string root, int levels)
    {
        Run("bash", "-c", $"cd \"$1\" && for i in $(seq {levels}); do mkdir {Segment} && cd {Segment}; done", "bash", root);
        return root + string.Concat(Enumerable.Repeat("/" + Segment, levels));
    }

    private static void Run(string file, params string[] args)
    {
        using Process p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        Assert.True(p.WaitForExit(Timeouts.Process));
        Assert.Equal(0, p.ExitCode);
    }
}
