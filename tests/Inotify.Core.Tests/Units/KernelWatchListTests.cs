namespace Inotify.Core.Tests.Units;

/// <summary>Reading the kernel's fdinfo lines for an inotify descriptor.</summary>
public sealed class KernelWatchListTests
{
    [Fact]
    public void ParsesEveryWatchLineAndIgnoresTheRest()
    {
        string[] lines =
        [
            "pos:\t0",
            "flags:\t02004000",
            "inotify wd:1 ino:3c570 sdev:fe00000 mask:fff ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:70c5030000000000",
            "inotify wd:1a ino:10 sdev:fe00000 mask:2 ignored_mask:0",
        ];

        Dictionary<int, ulong> watches = KernelWatchList.Parse(lines);

        Assert.Equal(2, watches.Count);
        Assert.Equal(0x3c570UL, watches[1]);
        Assert.Equal(0x10UL, watches[0x1a]);
    }

    [Fact]
    public void ReadsTheWatchesOfARealInstance()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch watch = w.Add(dir.Path, InotifyEventMask.Create);

        Dictionary<int, ulong>? kernel = w.KernelWatches();

        Assert.NotNull(kernel);
        Assert.Equal(NativeFile.Stat(dir.Path).Inode, kernel[watch.Descriptor]);
    }
}
