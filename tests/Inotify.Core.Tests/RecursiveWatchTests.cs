using Xunit;
using System.Diagnostics;
using Inotify;

namespace Inotify.Core.Tests;

public sealed class RecursiveWatchTests
{
    private static void Run(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"'{command}' failed: {p.StandardError.ReadToEnd()}");
    }

    private static void AssertNoDuplicates(IEnumerable<InotifyEvent> events, InotifyEventKind kind)
    {
        var dups = events.Where(e => e.Kind == kind).GroupBy(e => e.Path).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(dups.Count == 0, $"reported twice: {string.Join(", ", dups.Take(10))}");
    }

    [Fact]
    public void DeepChainCreatedInOneBurstIsReportedExactlyOnce()
    {
        using var t = new TempTree();
        using var w = new InotifyWatcher();
        w.AddRecursive(t.Root, InotifyEventMask.Create);

        // One child process does it all, so most of it happens before the engine sees the first Create.
        Run($"cd '{t.Root}' && mkdir -p a/b/c/d/e && touch a/f1 a/b/f2 a/b/c/f3 a/b/c/d/f4 a/b/c/d/e/f5");

        var expected = new SortedSet<string>(["a", "a/b", "a/b/c", "a/b/c/d", "a/b/c/d/e", "a/f1", "a/b/f2", "a/b/c/f3", "a/b/c/d/f4", "a/b/c/d/e/f5"], StringComparer.Ordinal);
        List<InotifyEvent> events = w.DrainUntilQuiet();
        var creates = events.Where(e => e.Kind == InotifyEventKind.Create).Select(e => Path.GetRelativePath(t.Root, e.Path)).ToList();
        Assert.Equal(expected, new SortedSet<string>(creates, StringComparer.Ordinal));
        Assert.Equal(expected.Count, creates.Count);
        Assert.Equal(6, w.WatchCount);
    }

    [Fact]
    public void ATreeMovedInIsReportedBeforeWhatHappensAfterIt()
    {
        // 200 directories arrive with one rename; a file is created in the root right after it. The kernel queues
        // the MovedTo before that Create, so a consumer that sees the file must already have been told what the
        // tree holds (a scan left for later reported it after the file: the bench's tree workload lost it).
        using var src = new TempTree();
        using var t = new TempTree();
        for (int d = 0; d < 200; d++)
        {
            string dir = src.P($"s/d{d / 20:D2}/e{d:D3}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "f"), []);
        }

        using var w = new InotifyWatcher();
        w.AddRecursive(t.Root, InotifyEventMask.Create | InotifyEventMask.MovedTo);
        Run($"mv '{src.P("s")}' '{t.P("s")}' && touch '{t.P("after")}'");

        List<InotifyEvent> events = w.DrainUntilQuiet();
        int after = events.FindIndex(e => e.Kind == InotifyEventKind.Create && e.Path == t.P("after"));
        Assert.True(after >= 0, "the file created after the rename was not reported");
        var before = events.Take(after).Where(e => e.Kind == InotifyEventKind.Create).Select(e => e.Path).ToHashSet();
        var inTree = ConsumerView.Walk(t.P("s")).ToList();
        Assert.Equal(10 + 200 + 200, inTree.Count);
        Assert.Empty(inTree.Where(p => !before.Contains(p)).Take(5));
    }

    [Fact]
    public void CopyOfAThousandDirectoriesReportsAllElevenThousandEntriesOnce()
    {
        using var src = new TempTree();
        using var t = new TempTree();
        for (int d = 0; d < 1000; d++)
        {
            string dir = src.P($"s/d{d:D4}");
            Directory.CreateDirectory(dir);
            for (int f = 0; f < 10; f++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"f{f}"), []);
            }
        }

        using var w = new InotifyWatcher();
        w.AddRecursive(t.Root, InotifyEventMask.Create);
        Run($"cp -r '{src.P("s")}/.' '{t.P("copy")}'");

        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.DoesNotContain(events, e => e.Kind is InotifyEventKind.QueueOverflow or InotifyEventKind.EventsDropped);
        AssertNoDuplicates(events, InotifyEventKind.Create);
        var reported = events.Where(e => e.Kind == InotifyEventKind.Create).Select(e => e.Path).ToHashSet();
        var onDisk = ConsumerView.Walk(t.Root);
        Assert.Equal(1 + 1000 + 10000, onDisk.Count);
        Assert.Empty(onDisk.Except(reported));
        Assert.Equal(onDisk.Count, reported.Count);
        Assert.Contains(events, e => e.Source == EventSource.Scan);
    }

    [Fact]
    public void EventsUnderAMovedDirectoryCarryItsNewPath()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("a/x"));
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.Root, InotifyEventMask.Create | InotifyEventMask.Move);

        Directory.Move(t.P("a"), t.P("b"));
        File.WriteAllText(t.P("b/x/new.txt"), "after the move");

        List<InotifyEvent> events = w.ReadUntil(e => e.Name == "new.txt", "the Create of b/x/new.txt");
        InotifyEvent renamed = Assert.Single(events, e => e.Kind == InotifyEventKind.Renamed);
        Assert.Equal(t.P("a"), renamed.OldPath);
        Assert.Equal(t.P("b"), renamed.Path);
        Assert.True(renamed.IsDirectory);
        Assert.Equal(t.P("b/x/new.txt"), events[^1].Path);
        Assert.Contains(w.Watches, x => x.Path == t.P("b/x"));
        Assert.DoesNotContain(w.Watches, x => x.Path.StartsWith(t.P("a"), StringComparison.Ordinal));
        Assert.Equal(RecursiveWatchState.Active, tree.State);
    }

    [Fact]
    public void RenameAcrossSubdirectoriesIsOneEventWithBothPaths()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("one"));
        Directory.CreateDirectory(t.P("two"));
        File.WriteAllText(t.P("one/file"), "x");
        using var w = new InotifyWatcher();
        w.AddRecursive(t.Root, InotifyEventMask.Move | InotifyEventMask.Create);

        File.Move(t.P("one/file"), t.P("two/renamed"));

        InotifyEvent e = Assert.Single(w.DrainUntilQuiet());
        Assert.Equal(InotifyEventKind.Renamed, e.Kind);
        Assert.Equal(t.P("one/file"), e.OldPath);
        Assert.Equal(t.P("two/renamed"), e.Path);
        Assert.NotEqual(0u, e.Cookie);
    }

    [Fact]
    public void WithPairingOffBothHalvesArriveWithOneCookie()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("one"));
        File.WriteAllText(t.P("one/file"), "x");
        using var w = new InotifyWatcher(new InotifyWatcherOptions { PairRenames = false });
        w.AddRecursive(t.Root, InotifyEventMask.Move);

        File.Move(t.P("one/file"), t.P("moved"));

        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.Equal([InotifyEventKind.MovedFrom, InotifyEventKind.MovedTo], events.Select(e => e.Kind));
        Assert.Equal(events[0].Cookie, events[1].Cookie);
        Assert.Equal(t.P("one/file"), events[0].Path);
        Assert.Equal(t.P("moved"), events[1].Path);
    }

    [Fact]
    public void MovingOutEndsTheWatchesAndMovingInWatchesAndScans()
    {
        using var t = new TempTree();
        using var outside = new TempTree();
        Directory.CreateDirectory(t.P("leaving/deep"));
        Directory.CreateDirectory(outside.P("arriving/deep"));
        File.WriteAllText(outside.P("arriving/deep/file"), "x");
        using var w = new InotifyWatcher(new InotifyWatcherOptions { RenamePairingWindow = TimeSpan.FromMilliseconds(20) });
        w.AddRecursive(t.Root);

        Directory.Move(t.P("leaving"), outside.P("left"));
        Directory.Move(outside.P("arriving"), t.P("arrived"));
        File.WriteAllText(outside.P("left/deep/unseen"), "not reported: it left the tree");

        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.Contains(events, e => e.Kind == InotifyEventKind.MovedFrom && e.Path == t.P("leaving") && e.IsDirectory);
        Assert.Contains(events, e => e.Kind == InotifyEventKind.MovedTo && e.Path == t.P("arrived"));
        Assert.Contains(events, e => e.Kind == InotifyEventKind.Create && e.Source == EventSource.Scan && e.Path == t.P("arrived/deep/file"));
        Assert.DoesNotContain(events, e => e.Name == "unseen");
        Assert.DoesNotContain(w.Watches, x => x.Path.Contains("leaving", StringComparison.Ordinal) || x.Path.StartsWith(outside.Root, StringComparison.Ordinal));
        Assert.Contains(w.Watches, x => x.Path == t.P("arrived/deep"));
    }

    [Fact]
    public void ExcludedDirectoryIsNotWatchedAndIncludeSelectsEvents()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("src"));
        Directory.CreateDirectory(t.P("node_modules/pkg"));
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.Root, InotifyEventMask.CloseWrite,
            new RecursiveWatchOptions { Filter = new PathFilter(["*.cs"], ["node_modules", "obj"]) });

        Assert.Equal(2, tree.DirectoryCount);
        Assert.DoesNotContain(w.Watches, x => x.Path.Contains("node_modules", StringComparison.Ordinal));
        File.WriteAllText(t.P("node_modules/pkg/a.cs"), "x");
        File.WriteAllText(t.P("src/b.txt"), "x");
        File.WriteAllText(t.P("src/c.cs"), "x");
        Directory.CreateDirectory(t.P("obj"));

        InotifyEvent e = Assert.Single(w.DrainUntilQuiet());
        Assert.Equal(t.P("src/c.cs"), e.Path);
        Assert.Equal(2, tree.DirectoryCount);
    }

    [Fact]
    public void RootDeletedIsReportedAndVisibleAsState()
    {
        using var t = new TempTree();
        string root = t.P("root");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(root, InotifyEventMask.Create);

        Directory.Delete(root, recursive: true);

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.DeleteSelf, "the root's DeleteSelf");
        InotifyEvent gone = Assert.Single(events, e => e.Kind == InotifyEventKind.DeleteSelf);
        Assert.Equal(root, gone.Path);
        Assert.True(gone.IsDirectory);
        Assert.Equal(RecursiveWatchState.RootDeleted, tree.State);
    }

    [Fact]
    public void RootMovedIsReportedAndVisibleAsState()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("root"));
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.P("root"), InotifyEventMask.Create);

        Directory.Move(t.P("root"), t.P("elsewhere"));

        InotifyEvent moved = Assert.Single(w.ReadUntil(e => e.Kind == InotifyEventKind.MoveSelf, "the root's MoveSelf"));
        Assert.Equal(InotifyEventKind.MoveSelf, moved.Kind);
        Assert.Equal(RecursiveWatchState.RootMoved, tree.State);
    }

    [Fact]
    public void ProgressIsReportedDuringTheInitialWalk()
    {
        using var t = new TempTree();
        for (int i = 0; i < 300; i++)
        {
            Directory.CreateDirectory(t.P($"d{i}/e"));
        }

        var reports = new List<RecursiveWatchProgress>();
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.Root, InotifyEventMask.Create, new RecursiveWatchOptions { Progress = reports.Add });

        Assert.Equal(601, tree.DirectoryCount);
        Assert.NotEmpty(reports);
        Assert.Equal(601, reports[^1].DirectoriesWatched);
        Assert.Equal(0, reports[^1].DirectoriesPending);
    }

    [Fact]
    public void ACancelledWalkLeavesNothingBehindAndThrowsOperationCanceled()
    {
        using var t = new TempTree();
        for (int i = 0; i < 300; i++)
        {
            Directory.CreateDirectory(t.P($"d{i}/e"));
        }

        using var w = new InotifyWatcher();
        using var cts = new CancellationTokenSource();
        int watchedWhenCancelled = 0;

        // The first progress report comes after the root's directory: cancel there, in the middle of the walk.
        var options = new RecursiveWatchOptions
        {
            Progress = p =>
            {
                watchedWhenCancelled = p.DirectoriesWatched;
                cts.Cancel();
            },
        };

        Assert.Throws<OperationCanceledException>(() => w.AddRecursive(t.Root, InotifyEventMask.Create, options, cts.Token));

        Assert.InRange(watchedWhenCancelled, 1, 600);
        Assert.Empty(w.RecursiveWatches);
        Assert.Equal(0, w.WatchCount);
        Assert.Throws<OperationCanceledException>(() => w.AddRecursive(t.Root, InotifyEventMask.Create, cancellationToken: cts.Token));
        Assert.Equal(0, w.WatchCount);

        // The same tree can be watched afterwards.
        Assert.Equal(601, w.AddRecursive(t.Root, InotifyEventMask.Create).DirectoryCount);
    }

    [Fact]
    public void AProgressCallbackThatThrowsLeavesNothingBehind()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("a/b"));
        using var w = new InotifyWatcher();

        Assert.Throws<InvalidOperationException>(() => w.AddRecursive(t.Root, InotifyEventMask.Create,
            new RecursiveWatchOptions { Progress = _ => throw new InvalidOperationException("the caller stopped") }));

        Assert.Empty(w.RecursiveWatches);
        Assert.Equal(0, w.WatchCount);
    }

    [Fact]
    public void AFinishedWatchKeepsNoProgressCallbackAndNamesItsWatcherById()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("a"));
        using var w = new InotifyWatcher();

        RecursiveWatch tree = w.AddRecursive(t.Root, InotifyEventMask.Create, new RecursiveWatchOptions { Progress = _ => { }, Filter = new PathFilter(["*.cs"], null) });

        Assert.Null(tree.Options.Progress);
        Assert.Equal(["*.cs"], tree.Options.Filter.Include);
        Assert.Equal(w.Id, tree.WatcherId);
        Assert.Equal(w.Id, tree.Root!.WatcherId);
        Assert.Equal(t.Root, tree.Root.RecursiveRoot);
        Assert.Equal($"{t.Root} (recursive, 2 directories, Active)", tree.ToString());
        Assert.Equal($"InotifyWatcher #{w.Id} (2 watches)", w.ToString());
        Assert.True(tree.Remove());
        Assert.False(tree.Remove());
        Assert.Equal($"{t.Root} (recursive, 0 directories, Removed)", tree.ToString());
    }

    [Fact]
    public void TheEnginesOwnDirectoryReadsAreNotReported()
    {
        using var t = new TempTree();
        using var w = new InotifyWatcher();
        w.AddRecursive(t.Root, InotifyEventMask.All);

        // Two plain mkdirs open no directory themselves (mkdir -p would: its Open and CloseNoWrite are reported).
        Run($"mkdir '{t.P("n")}' && mkdir '{t.P("n/m")}'");

        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.DoesNotContain(events, e => e.Kind is InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite);
        Assert.Contains(events, e => e.Path == t.P("n/m") && e.Kind == InotifyEventKind.Create);
    }
}
