namespace Inotify.Core.Tests;

/// <summary>What an event says: its kind, order, sequence number, time, directory flag and cookie.</summary>
public sealed class DeliveryTests
{
    private const InotifyEventMask Changes = InotifyEventMask.Create | InotifyEventMask.Modify | InotifyEventMask.Attrib
        | InotifyEventMask.CloseWrite | InotifyEventMask.Move | InotifyEventMask.Delete;

    [Fact]
    public void EventsArriveTypedAndInTheOrderTheyHappened()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, Changes);

        using (var s = new FileStream(dir["a"], FileMode.CreateNew, FileAccess.Write))
        {
            s.Write("abc"u8);
        }

        File.SetUnixFileMode(dir["a"], UnixFileMode.UserRead);
        File.Move(dir["a"], dir["b"]);
        File.Delete(dir["b"]);
        Directory.CreateDirectory(dir["sub"]);
        Directory.Delete(dir["sub"]);

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.Delete && e.Name == "sub", "Delete sub");

        // Several writes may give several Modify events; identical neighbours are one step.
        var steps = new List<(InotifyEventKind, string, bool)>();
        foreach (InotifyEvent e in events)
        {
            var step = (e.Kind, e.Path, e.IsDirectory);
            if (steps.Count == 0 || steps[^1] != step)
            {
                steps.Add(step);
            }
        }

        Assert.Equal(
            [
                (InotifyEventKind.Create, dir["a"], false),
                (InotifyEventKind.Modify, dir["a"], false),
                (InotifyEventKind.CloseWrite, dir["a"], false),
                (InotifyEventKind.Attrib, dir["a"], false),
                (InotifyEventKind.Renamed, dir["b"], false),
                (InotifyEventKind.Delete, dir["b"], false),
                (InotifyEventKind.Create, dir["sub"], true),
                (InotifyEventKind.Delete, dir["sub"], true),
            ],
            steps);
        Assert.Equal(dir["a"], events.Single(e => e.Kind == InotifyEventKind.Renamed).OldPath);

        // The mask is the kernel's, with .NET names.
        Assert.Equal(InotifyEventMask.Create, events[0].Mask);
        Assert.Equal(InotifyEventMask.Create | InotifyEventMask.IsDirectory, events.Single(e => e.Kind == InotifyEventKind.Create && e.Name == "sub").Mask);
        Assert.Equal(InotifyEventMask.Move, events.Single(e => e.Kind == InotifyEventKind.Renamed).Mask);
        Assert.All(events, e => Assert.Equal(EventSource.Kernel, e.Source));
        Assert.All(events, e => Assert.Equal(dir.Path, e.WatchPath));
    }

    [Fact]
    public void SequenceNumbersStartAtOneAndIncreaseByOneAndTimeStampsAreUtcReadTimes()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Delete);
        DateTime before = DateTime.UtcNow;
        for (int i = 0; i < 300; i++)
        {
            File.Delete(dir.CreateFile($"f{i}"));
        }

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.Delete && e.Name == "f299", "Delete f299");
        DateTime after = DateTime.UtcNow;
        Assert.Equal(600, events.Count);
        Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(600, w.EventCount);
        Assert.All(events, e => Assert.Equal(DateTimeKind.Utc, e.TimeStamp.Kind));
        Assert.All(events, e => Assert.InRange(e.TimeStamp, before, after));
        for (int i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].TimeStamp >= events[i - 1].TimeStamp, $"time went back at #{events[i].Sequence}");
        }

        // Sub-millisecond: the read time is not rounded to milliseconds.
        Assert.Contains(events, e => e.TimeStamp.Ticks % TimeSpan.TicksPerMillisecond != 0);
    }

    [Fact]
    public void DeleteSelfAndMoveSelfOfAWatchedDirectorySayItIsADirectory()
    {
        using var dir = new TempDir();
        string sub = dir.CreateDirectory("sub");
        string file = dir.CreateFile("file");
        using var w = new InotifyWatcher();
        InotifyWatch ws = w.Add(sub, InotifyEventMask.All);
        InotifyWatch wf = w.Add(file, InotifyEventMask.All);

        Directory.Move(sub, dir["moved"]);
        InotifyEvent moved = w.Expect(e => e.Kind == InotifyEventKind.MoveSelf, "MoveSelf of sub");
        Assert.True(moved.IsDirectory);
        Assert.Equal(ws.Descriptor, moved.WatchDescriptor);
        Assert.Equal(sub, moved.Path);
        Assert.Equal(string.Empty, moved.Name);
        Assert.Equal(InotifyEventMask.MoveSelf, moved.Mask); // the kernel does not say IN_ISDIR here

        Directory.Delete(dir["moved"]);
        List<InotifyEvent> end = w.ReadUntil(e => e.Kind == InotifyEventKind.Ignored && e.WatchDescriptor == ws.Descriptor, "Ignored of sub");
        InotifyEvent deleted = end.Single(e => e.Kind == InotifyEventKind.DeleteSelf);
        Assert.True(deleted.IsDirectory);
        Assert.True(end[^1].IsDirectory);
        Assert.False(ws.IsActive);

        File.Delete(file);
        InotifyEvent fileDeleted = w.Expect(e => e.Kind == InotifyEventKind.DeleteSelf && e.WatchDescriptor == wf.Descriptor, "DeleteSelf of file");
        Assert.False(fileDeleted.IsDirectory);
        Assert.Equal(file, fileDeleted.Path);
    }

    [Fact]
    public void WithPairingOffARenameShowsBothHalvesWithOneCookie()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher(new InotifyWatcherOptions { PairRenames = false });
        w.Add(dir.Path, InotifyEventMask.Move);
        dir.CreateFile("a");
        dir.CreateFile("c");
        File.Move(dir["a"], dir["b"]);
        File.Move(dir["c"], dir["d"]);

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.MovedTo && e.Name == "d", "MovedTo d");
        Assert.Equal(
            [(InotifyEventKind.MovedFrom, "a"), (InotifyEventKind.MovedTo, "b"), (InotifyEventKind.MovedFrom, "c"), (InotifyEventKind.MovedTo, "d")],
            events.Select(e => (e.Kind, e.Name)));
        Assert.NotEqual(0u, events[0].Cookie);
        Assert.Equal(events[0].Cookie, events[1].Cookie);
        Assert.Equal(events[2].Cookie, events[3].Cookie);
        Assert.NotEqual(events[0].Cookie, events[2].Cookie);
        Assert.All(events, e => Assert.Null(e.OldPath));
    }

    [Fact]
    public void WithPairingOnARenameIsOneEventWithBothPathsAndMovesInOrOutAreHalves()
    {
        using var dir1 = new TempDir();
        using var dir2 = new TempDir();
        using var outside = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir1.Path, InotifyEventMask.Move | InotifyEventMask.Create);
        w.Add(dir2.Path, InotifyEventMask.Move | InotifyEventMask.Create);

        // Between two watched directories: one Renamed event.
        dir1.CreateFile("x");
        File.Move(dir1["x"], dir2["y"]);
        InotifyEvent renamed = w.Expect(e => e.Kind is InotifyEventKind.Renamed or InotifyEventKind.MovedFrom or InotifyEventKind.MovedTo, "Renamed x -> y");
        Assert.Equal(InotifyEventKind.Renamed, renamed.Kind);
        Assert.Equal(dir1["x"], renamed.OldPath);
        Assert.Equal(dir2["y"], renamed.Path);
        Assert.Equal(dir2.Path, renamed.WatchPath);
        Assert.NotEqual(0u, renamed.Cookie);

        // Out of the watched set: MovedFrom alone (after the pairing window).
        File.Move(dir2["y"], outside["gone"]);
        InotifyEvent movedOut = w.Expect(e => e.Kind != InotifyEventKind.Create, "MovedFrom y");
        Assert.Equal(InotifyEventKind.MovedFrom, movedOut.Kind);
        Assert.Equal(dir2["y"], movedOut.Path);

        // Into it: MovedTo alone.
        File.Move(outside["gone"], dir1["back"]);
        InotifyEvent movedIn = w.Expect(e => e.Kind != InotifyEventKind.Create, "MovedTo back");
        Assert.Equal(InotifyEventKind.MovedTo, movedIn.Kind);
        Assert.Equal(dir1["back"], movedIn.Path);
        Assert.Null(movedIn.OldPath);
    }

    [Fact]
    public void EventsOfSeveralWatchesComeInOneStreamInKernelOrder()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(a.Path, InotifyEventMask.Create);
        w.Add(b.Path, InotifyEventMask.Create);
        var expected = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            expected.Add((i % 2 == 0 ? a : b).CreateFile($"f{i}"));
        }

        List<InotifyEvent> events = w.ReadUntil(e => e.Name == "f99", "Create f99");
        Assert.Equal(expected, events.Select(e => e.Path));
    }
}
