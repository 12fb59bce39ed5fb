namespace Inotify.Core.Tests;

/// <summary>The reader is woken to look at its deadlines again (Rescan, files to decide); only Dispose ends it.</summary>
public sealed class ReaderWakeTests
{
    [Fact]
    public void AWakeThatIsNotDisposeLeavesTheReaderReading()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(dir.Path, InotifyEventMask.Create);
        w.Rescan(tree);
        w.Rescan(tree);
        w.Add(dir.CreateDirectory("plain"), InotifyEventMask.Ready, WatchFlags.IncludeExisting);
        File.WriteAllText(dir["after"], "x");
        w.Expect(InotifyEventKind.Create, dir["after"]);
    }
}
