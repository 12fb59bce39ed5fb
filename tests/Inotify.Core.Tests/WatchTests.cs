namespace Inotify.Core.Tests;

/// <summary>Adding, changing and removing watches, and the kernel's watch flags.</summary>
public sealed class WatchTests
{
    [Fact]
    public void AddReturnsAWatchThatDescribesTheKernelWatch()
    {
        using var dir = new TempDir();
        string file = dir.CreateFile("f");
        using var w = new InotifyWatcher();
        InotifyWatch d = w.Add(dir.Path, InotifyEventMask.Create);
        InotifyWatch f = w.Add(file, InotifyEventMask.Modify);

        Assert.True(d.Descriptor > 0);
        Assert.NotEqual(d.Descriptor, f.Descriptor);
        Assert.Equal(dir.Path, d.Path);
        Assert.Equal(file, f.Path);
        Assert.True(d.IsDirectory);
        Assert.False(f.IsDirectory);
        Assert.Equal(InotifyEventMask.Create, d.Mask);
        Assert.Equal(w.Id, d.WatcherId);
        Assert.Null(d.RecursiveRoot);
        Assert.True(d.IsActive);
        Assert.Empty(d.Aliases);
        Assert.Equal(2, w.WatchCount);
        Assert.Equal([d, f], w.Watches.OrderBy(x => x.Descriptor));

        dir.CreateFile("new");
        InotifyEvent e = w.Expect(InotifyEventKind.Create, dir["new"]);
        Assert.Equal(d.Descriptor, e.WatchDescriptor);
        Assert.Equal(dir.Path, e.WatchPath);
        Assert.Equal("new", e.Name);
        File.WriteAllText(file, "x");
        InotifyEvent m = w.Expect(InotifyEventKind.Modify, file);
        Assert.Equal(string.Empty, m.Name);
        Assert.Equal(file, m.WatchPath);
    }

    [Fact]
    public void AddingTheSamePathAgainReplacesTheMask()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(dir.Path, InotifyEventMask.Create);
        InotifyWatch second = w.Add(dir.Path, InotifyEventMask.Delete);
        Assert.Same(first, second);
        Assert.Equal(InotifyEventMask.Delete, second.Mask);
        Assert.Equal(1, w.WatchCount);

        string f = dir.CreateFile("f");
        File.Delete(f);
        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.Delete && e.Path == f, "Delete f");
        Assert.DoesNotContain(events, e => e.Kind == InotifyEventKind.Create);
    }

    [Fact]
    public void MergeAddsEventsToTheExistingMask()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(dir.Path, InotifyEventMask.Create);
        InotifyWatch second = w.Add(dir.Path, InotifyEventMask.Delete, WatchFlags.Merge);
        Assert.Same(first, second);
        Assert.Equal(InotifyEventMask.Create | InotifyEventMask.Delete, second.Mask);

        string f = dir.CreateFile("f");
        w.Expect(InotifyEventKind.Create, f);
        File.Delete(f);
        w.Expect(InotifyEventKind.Delete, f);
    }

    [Fact]
    public void ExclusiveRefusesAnObjectThatIsAlreadyWatched()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(dir.Path, InotifyEventMask.Create, WatchFlags.Exclusive);
        var ex = Assert.Throws<AlreadyWatchedException>(() => w.Add(dir.Path, InotifyEventMask.Delete, WatchFlags.Exclusive));
        Assert.Equal(17, ex.Errno);
        Assert.Equal("AlreadyWatched", ex.ErrorId);
        Assert.Equal(dir.Path, ex.Path);
        Assert.Contains(dir.Path, ex.Message, StringComparison.Ordinal);

        // The first watch is untouched.
        Assert.Equal(InotifyEventMask.Create, first.Mask);
        Assert.Equal(1, w.WatchCount);
        string f = dir.CreateFile("f");
        w.Expect(InotifyEventKind.Create, f);

        // Another path to the same inode is refused too.
        string link = dir.Path + "-link";
        File.CreateSymbolicLink(link, dir.Path);
        try
        {
            Assert.Throws<AlreadyWatchedException>(() => w.Add(link, InotifyEventMask.Delete, WatchFlags.Exclusive));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public void OnlyDirectoryOnAFileIsNotADirectory()
    {
        using var dir = new TempDir();
        string file = dir.CreateFile("f");
        using var w = new InotifyWatcher();
        var ex = Assert.Throws<InotifyNotADirectoryException>(() => w.Add(file, InotifyEventMask.All, WatchFlags.OnlyDirectory));
        Assert.Equal(20, ex.Errno);
        Assert.Equal("NotADirectory", ex.ErrorId);
        Assert.Equal(file, ex.Path);
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, w.WatchCount);

        // And on a directory it is a normal watch.
        Assert.True(w.Add(dir.Path, InotifyEventMask.All, WatchFlags.OnlyDirectory).IsDirectory);
    }

    [Fact]
    public void NoFollowWatchesTheSymbolicLinkItselfNotItsTarget()
    {
        using var dir = new TempDir();
        string target = dir.CreateDirectory("target");
        string link = dir["link"];
        File.CreateSymbolicLink(link, target);
        string control = dir.CreateDirectory("control");

        using var w = new InotifyWatcher();
        w.Add(control, InotifyEventMask.Create);
        InotifyWatch lw = w.Add(link, InotifyEventMask.All, WatchFlags.NoFollow);
        Assert.False(lw.IsDirectory);
        Assert.Equal(link, lw.Path);

        // Activity in the target directory is not reported...
        File.Create(Path.Combine(target, "inside")).Dispose();
        Assert.DoesNotContain(w.ReadUntilBarrier(control), e => e.WatchDescriptor == lw.Descriptor);

        // ...removing the link is: the watch was on the link's own inode.
        File.Delete(link);
        InotifyEvent gone = w.Expect(e => e.WatchDescriptor == lw.Descriptor && e.Kind == InotifyEventKind.DeleteSelf, "DeleteSelf of the link");
        Assert.Equal(link, gone.Path);
        Assert.False(gone.IsDirectory);
    }

    [Fact]
    public void WithoutNoFollowASymbolicLinkWatchesItsTarget()
    {
        using var dir = new TempDir();
        string target = dir.CreateDirectory("target");
        string link = dir["link"];
        File.CreateSymbolicLink(link, target);
        using var w = new InotifyWatcher();
        InotifyWatch lw = w.Add(link, InotifyEventMask.Create);
        Assert.True(lw.IsDirectory);
        File.Create(Path.Combine(target, "inside")).Dispose();
        InotifyEvent e = w.Expect(e => e.Kind == InotifyEventKind.Create, "Create through the link");
        Assert.Equal(link + "/inside", e.Path);
    }

    [Fact]
    public void ExcludeUnlinkedStopsEventsOfAnUnlinkedChildThatIsStillOpen()
    {
        using var dir = new TempDir();
        using var plain = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Modify | InotifyEventMask.Delete | InotifyEventMask.Create, WatchFlags.ExcludeUnlinked);
        w.Add(plain.Path, InotifyEventMask.Modify | InotifyEventMask.Delete | InotifyEventMask.Create);

        foreach (TempDir d in new[] { dir, plain })
        {
            using var s = new FileStream(d["open"], FileMode.CreateNew, FileAccess.Write);
            File.Delete(d["open"]);
            w.Expect(InotifyEventKind.Delete, d["open"]);
            s.Write([1, 2, 3]);
            s.Flush();
        }

        List<InotifyEvent> events = w.ReadUntilBarrier(plain.Path);
        Assert.DoesNotContain(events, e => e.Kind == InotifyEventKind.Modify && e.WatchPath == dir.Path);
        Assert.Contains(events, e => e.Kind == InotifyEventKind.Modify && e.Path == plain["open"]);
    }

    [Fact]
    public void OneShotReportsOneEventAndThenTheWatchEnds()
    {
        using var dir = new TempDir();
        using var control = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(control.Path, InotifyEventMask.Create);
        InotifyWatch once = w.Add(dir.Path, InotifyEventMask.Create, WatchFlags.OneShot);
        dir.CreateFile("first");
        dir.CreateFile("second");

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.Ignored, "Ignored after the one shot");
        Assert.Equal([InotifyEventKind.Create, InotifyEventKind.Ignored], events.Select(e => e.Kind));
        Assert.Equal(dir["first"], events[0].Path);
        Assert.Equal(dir.Path, events[1].Path);
        Assert.Equal(once.Descriptor, events[1].WatchDescriptor);
        Assert.True(events[1].IsDirectory);
        Assert.False(once.IsActive);
        Assert.Equal(1, w.WatchCount);

        dir.CreateFile("third");
        Assert.DoesNotContain(w.ReadUntilBarrier(control.Path), e => e.WatchPath == dir.Path);
    }

    [Fact]
    public void EventsQueuedBeforeARemovalStillCarryTheWatchPathAndIgnoredEndsThem()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch watch = w.Add(dir.Path, InotifyEventMask.Create);

        // Holding the registry's lock keeps the reader from processing anything, so every Create below is
        // still unprocessed (in the kernel's queue or the reader's last read) when the watch is removed.
        lock (w.Table.Sync)
        {
            for (int i = 0; i < 100; i++)
            {
                dir.CreateFile($"f{i:D3}");
            }

            Assert.True(w.Remove(watch));
            Assert.False(watch.IsActive);
            Assert.Equal(0, w.WatchCount);
        }

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.Ignored, "Ignored after Remove");
        Assert.Equal(100, events.Count(e => e.Kind == InotifyEventKind.Create));
        Assert.All(events, e => Assert.Equal(dir.Path, e.WatchPath));
        Assert.All(events, e => Assert.Equal(watch.Descriptor, e.WatchDescriptor));
        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => dir[$"f{i:D3}"]),
            events.Where(e => e.Kind == InotifyEventKind.Create).Select(e => e.Path));
        Assert.Equal(dir.Path, events[^1].Path);
        Assert.False(w.Remove(watch));
    }

    [Fact]
    public void RemovingAWatchWhoseObjectWasDeletedIsNotAnError()
    {
        using var dir = new TempDir();
        string a = dir.CreateDirectory("a");
        string b = dir.CreateDirectory("b");
        using var w = new InotifyWatcher();
        InotifyWatch wa = w.Add(a, InotifyEventMask.Create);
        InotifyWatch wb = w.Add(b, InotifyEventMask.Create);

        // Deleted, and its Ignored already read: the watch knows it ended.
        Directory.Delete(a);
        w.Expect(e => e.Kind == InotifyEventKind.Ignored && e.WatchDescriptor == wa.Descriptor, "Ignored of a");
        Assert.False(wa.IsActive);
        Assert.False(w.Remove(wa));

        // Deleted, but removed before the reader saw the Ignored: the kernel says EINVAL; not an error.
        lock (w.Table.Sync)
        {
            Directory.Delete(b);
            _ = w.Remove(wb);
        }

        Assert.False(wb.IsActive);
        w.Expect(e => e.Kind == InotifyEventKind.Ignored && e.WatchDescriptor == wb.Descriptor, "Ignored of b");
        Assert.Equal(0, w.WatchCount);
    }

    [Fact]
    public void ASymbolicLinkToAnAlreadyWatchedDirectoryIsTheSameWatchWithAnAlias()
    {
        using var dir = new TempDir();
        string real = dir.CreateDirectory("real");
        string link = dir["link"];
        File.CreateSymbolicLink(link, real);
        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(real, InotifyEventMask.Create);
        InotifyWatch second = w.Add(link, InotifyEventMask.Delete);

        Assert.Same(first, second);
        Assert.Equal(real, second.Path);
        Assert.Equal([link], second.Aliases);
        Assert.Equal(1, w.WatchCount);

        // The first mask was not silently replaced: both Create and Delete are reported, under the first path.
        Assert.Equal(InotifyEventMask.Create | InotifyEventMask.Delete, second.Mask);
        string f = Path.Combine(real, "f");
        File.Create(f).Dispose();
        w.Expect(InotifyEventKind.Create, f);
        File.Delete(Path.Combine(link, "f"));
        w.Expect(InotifyEventKind.Delete, f);

        // Adding the alias again does not list it twice.
        w.Add(link, InotifyEventMask.Delete);
        Assert.Equal([link], first.Aliases);
    }

    [Fact]
    public void AHardLinkToAnAlreadyWatchedFileIsTheSameWatchWithAnAlias()
    {
        using var dir = new TempDir();
        string file = dir.CreateFile("file");
        string hard = dir["hard"];
        using (var ln = System.Diagnostics.Process.Start("ln", [file, hard]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(file, InotifyEventMask.Modify);
        InotifyWatch second = w.Add(hard, InotifyEventMask.Attrib);
        Assert.Same(first, second);
        Assert.Equal([hard], first.Aliases);
        File.AppendAllText(hard, "x");
        w.Expect(InotifyEventKind.Modify, file);
    }

    [Fact]
    public async Task AddAndRemoveFromSeveralThreadsAtOnceKeepTheTableAndTheKernelInStep()
    {
        using var dir = new TempDir();
        string[] dirs = [.. Enumerable.Range(0, 400).Select(i => dir.CreateDirectory($"d{i:D3}"))];
        using var w = new InotifyWatcher();
        var watches = new InotifyWatch[dirs.Length];
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = t; i < dirs.Length; i += 8)
            {
                watches[i] = w.Add(dirs[i], InotifyEventMask.Create);
            }
        })));
        Assert.Equal(dirs.Length, w.WatchCount);
        Assert.Equal(dirs.Length, watches.Select(x => x.Descriptor).Distinct().Count());

        // Remove every other one from several threads while events flow.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = t * 2; i < dirs.Length; i += 8)
            {
                Assert.True(w.Remove(watches[i]));
                File.Create(Path.Combine(dirs[i + 1], "x")).Dispose();
            }
        })));
        Assert.Equal(dirs.Length / 2, w.WatchCount);
        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.Equal(dirs.Length / 2, events.Count(e => e.Kind == InotifyEventKind.Create));
        Assert.Equal(dirs.Length / 2, events.Count(e => e.Kind == InotifyEventKind.Ignored));
        Assert.All(events, e => Assert.Equal(dirs[Array.FindIndex(watches, x => x.Descriptor == e.WatchDescriptor)], e.WatchPath));
    }

    [Fact]
    public void RenamingAWatchedDirectoryInsideAWatchedParentKeepsItsWatch()
    {
        using var dir = new TempDir();
        string sub = dir.CreateDirectory("sub");
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Move);
        InotifyWatch child = w.Add(sub, InotifyEventMask.Create);

        // The kernel's watch follows the inode; the user asked for it and did not remove it.
        Directory.Move(sub, dir["renamed"]);
        w.Expect(InotifyEventKind.Renamed, dir["renamed"]);
        File.Create(Path.Combine(dir["renamed"], "inside")).Dispose();
        List<InotifyEvent> events = w.ReadUntil(e => e.WatchDescriptor == child.Descriptor, "an event of the renamed directory's watch");
        Assert.Equal(InotifyEventKind.Create, events[^1].Kind);
        Assert.Equal("inside", events[^1].Name);
        Assert.True(child.IsActive);
        Assert.Equal(2, w.WatchCount);
    }

    [Fact]
    public void MovingAWatchedDirectoryOutOfAWatchedParentKeepsItsWatch()
    {
        using var dir = new TempDir();
        using var outside = new TempDir();
        string sub = dir.CreateDirectory("sub");
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Move);
        InotifyWatch child = w.Add(sub, InotifyEventMask.Create | InotifyEventMask.MoveSelf);

        // A plain watch was asked for this directory, wherever it goes: the kernel keeps reporting it
        // (MoveSelf says it moved). Only the user's Remove should end it.
        Directory.Move(sub, outside["away"]);
        w.Expect(InotifyEventKind.MovedFrom, sub);
        File.Create(Path.Combine(outside["away"], "inside")).Dispose();
        List<InotifyEvent> events = w.ReadUntil(e => e.WatchDescriptor == child.Descriptor && e.Kind != InotifyEventKind.MoveSelf, "an event of the moved directory's watch");
        Assert.Equal(InotifyEventKind.Create, events[^1].Kind);
        Assert.True(child.IsActive);
    }

    [Fact]
    public void TheSamePathWrittenWithATrailingSlashIsTheSamePathNotAnAlias()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        InotifyWatch first = w.Add(dir.Path, InotifyEventMask.Create);
        InotifyWatch second = w.Add(dir.Path + "/", InotifyEventMask.Delete);
        Assert.Same(first, second);
        Assert.Empty(second.Aliases);
        Assert.Equal(InotifyEventMask.Delete, second.Mask); // a re-add of the same path replaces, as without the slash
    }
}
