namespace Inotify.Core.Tests;

/// <summary>
/// Recursion and repair under the workloads that broke them (issue 10): directories renamed before the reader
/// handles their new subdirectories, overflows that lose IN_IGNORED, mounts, repairs that overflow again, degraded
/// trees, directories that vanish. Each checks the engine's picture against the disk and the kernel's watch list.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RecursionReliabilityTests
{
    private const InotifyEventMask Entries = InotifyEventMask.Create | InotifyEventMask.Delete | InotifyEventMask.Move;

    /// <summary>Makes a watcher whose kernel queue holds only <paramref name="queued"/> events (the size is fixed at creation).</summary>
    private static InotifyWatcher SmallQueue(int queued, InotifyWatcherOptions? options = null)
    {
        using (Sysctl.Set("max_queued_events", queued))
        {
            return new InotifyWatcher(options);
        }
    }

    /// <summary>Reads events until the audit passes (the engine works between reads), failing with its last complaint.</summary>
    private static List<InotifyEvent> DrainUntilAuditPasses(InotifyWatcher w, RecursiveWatch tree, TimeSpan? timeout = null)
    {
        var events = new List<InotifyEvent>();
        DateTime deadline = DateTime.UtcNow + (timeout ?? Timeouts.Bulk);
        while (true)
        {
            events.AddRange(w.DrainUntilQuiet());
            try
            {
                TreeAudit.AssertEveryDirectoryWatchedOnce(w, tree);
                return events;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    private static void AssertReported(List<InotifyEvent> events, IEnumerable<string> paths)
    {
        var seen = events.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        List<string> missing = [.. paths.Where(p => !seen.Contains(p))];
        Assert.True(missing.Count == 0, $"{missing.Count} not reported, e.g. {string.Join(", ", missing.Take(5))}");
    }

    [Theory]
    [InlineData("mkdir p$i/new && mv p$i p${i}m", "p{0}m/new")]
    [InlineData("mkdir p$i/new && mv p$i/new p$i/r && mv p$i p${i}m", "p{0}m/r")]
    public void ADirectoryRenamedRightAfterItGotANewSubdirectoryKeepsThatSubdirectoryWatched(string step, string survivor)
    {
        using var t = new TempTree();
        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 50); do mkdir p$i; done");
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.Root, Entries);

        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 50); do {step}; done");
        DrainUntilAuditPasses(w, tree);

        // Every surviving new directory is watched, so what happens in it is reported.
        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 50); do touch \"{string.Format(System.Globalization.CultureInfo.InvariantCulture, survivor, "${i}")}/f\"; done");
        List<InotifyEvent> after = w.DrainUntilQuiet();
        AssertReported(after, Enumerable.Range(1, 50).Select(i => t.P(string.Format(System.Globalization.CultureInfo.InvariantCulture, survivor, i) + "/f")));
        Assert.Equal(RecursiveWatchState.Active, tree.State);
    }

    [Fact]
    public void AnOverflowThatLostTheIgnoredOfADeletedTreeEndsWithTheNewDirectoriesWatched()
    {
        using var t = new TempTree();
        Shell.Run($"cd '{t.Root}' && mkdir -p build && for i in $(seq 1 60); do mkdir -p build/m$i/obj; done");
        using InotifyWatcher w = SmallQueue(16);
        RecursiveWatch tree = w.AddRecursive(t.Root, Entries);

        // The reader is held while the tree is replaced: the kernel's queue overflows and the IN_IGNOREDs are lost.
        lock (w.Table.Sync)
        {
            Shell.Run($"cd '{t.Root}' && rm -rf build && mkdir -p build/obj");
        }

        List<InotifyEvent> events = DrainUntilAuditPasses(w, tree);
        Assert.Contains(events, e => e.Kind == InotifyEventKind.QueueOverflow);
        Assert.Equal(RecursiveWatchState.Active, tree.State);

        File.WriteAllBytes(t.P("build/obj/x.o"), []);
        Assert.Equal(t.P("build/obj/x.o"), w.Expect(e => e.Name == "x.o", "the new build/obj at work").Path);
    }

    [Fact]
    public void ADirectoryUncoveredByAnUnmountIsWatchedAgain()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("sub"));
        File.WriteAllBytes(t.P("sub/under"), []);
        Shell.Run($"mount -t tmpfs tmpfs '{t.P("sub")}' && mkdir '{t.P("sub/on-tmpfs")}'");
        try
        {
            using var w = new InotifyWatcher();
            RecursiveWatch tree = w.AddRecursive(t.Root, Entries | InotifyEventMask.Unmount);
            TreeAudit.AssertEveryDirectoryWatchedOnce(w, tree);

            Shell.Run($"umount '{t.P("sub")}'");
            List<InotifyEvent> events = DrainUntilAuditPasses(w, tree);

            Assert.Contains(events, e => e.Kind == InotifyEventKind.Unmount);
            Assert.Contains(events, e => e.Path == t.P("sub/under") && e.Source == EventSource.Scan);
            Assert.Equal(RecursiveWatchState.Active, tree.State);
            File.WriteAllBytes(t.P("sub/after"), []);
            Assert.Equal(t.P("sub/after"), w.Expect(e => e.Name == "after", "the uncovered directory at work").Path);
        }
        finally
        {
            _ = System.Diagnostics.Process.Start("umount", ["-q", t.P("sub")])?.WaitForExit(5000);
        }
    }

    [Fact]
    public void OneOverflowGivesOneRepairAndThenQuietWithTheDefaultMask()
    {
        using var t = new TempTree();
        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 25); do mkdir d$i && touch d$i/a d$i/b; done");
        using InotifyWatcher w = SmallQueue(64);
        RecursiveWatch tree = w.AddRecursive(t.Root);
        w.DrainUntilQuiet();

        lock (w.Table.Sync)
        {
            Shell.Run($"cd '{t.Root}' && for i in $(seq 1 25); do touch d$i/c; echo x >> d$i/a; done");
        }

        List<InotifyEvent> events = w.ReadUntil(e => e.Kind == InotifyEventKind.RescanCompleted, "the repair's end", Timeouts.Bulk);
        long overflowsAtRepairEnd = w.OverflowCount;

        // Then quiet: no further overflow, no further rescan (before the fix: ~100 overflows a second, for ever).
        List<InotifyEvent> later = w.ExpectNone(_ => true, "anything after the repair", TimeSpan.FromSeconds(1));
        Assert.Empty(later);
        Assert.Equal(overflowsAtRepairEnd, w.OverflowCount);
        Assert.Equal(1, events.Count(e => e.Kind == InotifyEventKind.RescanStarted));
        Assert.True(events.Count(e => e.Kind == InotifyEventKind.Modify && e.Source == EventSource.Rescan) <= 75, "each file reported modified at most once");
        TreeAudit.AssertEveryDirectoryWatchedOnce(w, tree);
    }

    [Fact]
    public void ADegradedTreeListsEachDirectoryOnceAndRecoversWhenTheLimitAllows()
    {
        using var t = new TempTree();
        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 110); do mkdir d$i && touch d$i/f; done");
        int inUse = InotifyUsage.ForAllProcesses().Sum(u => u.Watches);
        using InotifyWatcher w = SmallQueue(16);
        RecursiveWatch tree;
        using (Sysctl.Set("max_user_watches", inUse + 40))
        {
            tree = w.AddRecursive(t.Root, Entries);
            Assert.Equal(RecursiveWatchState.Degraded, tree.State);
            int unwatched = tree.UnwatchedDirectories.Count;
            Assert.Equal(111, tree.DirectoryCount + unwatched);

            // Two forced overflows, two repairs: the list stays one entry per directory, and the unwatched
            // directories' entries are not reported (they were never watched).
            for (int round = 0; round < 2; round++)
            {
                lock (w.Table.Sync)
                {
                    Shell.Run($"cd '{t.Root}' && for i in $(seq 1 40); do touch r{round}-$i; done");
                }

                w.ReadUntil(e => e.Kind == InotifyEventKind.RescanCompleted, "a repair", Timeouts.Bulk);
            }

            Assert.Equal(unwatched, tree.UnwatchedDirectories.Count);
            Assert.Equal(unwatched, tree.UnwatchedDirectories.Select(u => u.Path).Distinct().Count());
        }

        // The limit is back: the next retry watches the rest and reports what they hold, once.
        List<InotifyEvent> recovered = DrainUntilAuditPasses(w, tree);
        Assert.Equal(RecursiveWatchState.Active, tree.State);
        Assert.Empty(tree.UnwatchedDirectories);
        List<string> dups = [.. recovered.Where(e => e.Kind == InotifyEventKind.Create).GroupBy(e => e.Path).Where(g => g.Count() > 1).Select(g => g.Key)];
        Assert.Empty(dups);
    }

    [Fact]
    public void ANewDirectoryThatVanishesAtOnceDoesNotDegradeTheTree()
    {
        using var t = new TempTree();
        using var w = new InotifyWatcher();
        RecursiveWatch tree = w.AddRecursive(t.Root, Entries);

        Shell.Run($"cd '{t.Root}' && for i in $(seq 1 300); do mkdir x && rmdir x; mkdir -p y/z && rm -r y; done");
        DrainUntilAuditPasses(w, tree);

        Assert.Equal(RecursiveWatchState.Active, tree.State);
        Assert.Empty(tree.UnwatchedDirectories);
    }

    [Fact]
    public void ASlowConsumerReadsFewDropMarkers()
    {
        using var t = new TempTree();
        using var w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 1000 });
        w.Add(t.Root, InotifyEventMask.Create);
        using var writer = System.Diagnostics.Process.Start("/bin/sh", ["-c", $"cd '{t.Root}' && i=0; while [ $i -lt 30000 ]; do : > f$i; i=$((i+1)); done"]);

        int read = 0, markers = 0;
        while (w.TryRead(out InotifyEvent? e, TimeSpan.FromSeconds(1)))
        {
            read++;
            markers += e.Kind == InotifyEventKind.EventsDropped ? 1 : 0;

            // A consumer slower than the writer: it frees one place at a time.
            Thread.SpinWait(20_000);
        }

        writer.WaitForExit();
        Assert.True(w.DroppedCount > 0, "the consumer was meant to fall behind");
        Assert.True(markers * 50 < read, $"{markers} of the {read} events read were EventsDropped markers");
    }
}
