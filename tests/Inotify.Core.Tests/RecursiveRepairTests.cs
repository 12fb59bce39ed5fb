using Xunit;
using System.Diagnostics;
using Inotify;

namespace Inotify.Core.Tests;

[Collection(SerialCollection.Name)]
public sealed class RecursiveRepairTests
{
    private static void Churn(TempTree t, int files)
    {
        // Creates, deletes, renames within and across directories, and new directories with contents.
        for (int i = 0; i < files; i++)
        {
            File.WriteAllBytes(t.P($"a/f{i}"), []);
        }

        for (int i = 0; i < files; i += 3)
        {
            File.Delete(t.P($"a/f{i}"));
        }

        for (int i = 1; i < files; i += 3)
        {
            File.Move(t.P($"a/f{i}"), t.P(i % 2 == 0 ? $"a/r{i}" : $"b/r{i}"));
        }

        for (int d = 0; d < 20; d++)
        {
            Directory.CreateDirectory(t.P($"b/d{d}/x"));
            File.WriteAllBytes(t.P($"b/d{d}/x/g"), []);
        }

        Directory.Move(t.P("b/d0"), t.P("a/moved-d0"));
        Directory.Delete(t.P("b/d1"), recursive: true);
    }

    private static (ConsumerView View, List<InotifyEvent> Events) Consume(InotifyWatcher w, TempTree t, ConsumerView view)
    {
        List<InotifyEvent> events = w.DrainUntilQuiet(TimeSpan.FromSeconds(1));
        foreach (InotifyEvent e in events)
        {
            view.Apply(e);
        }

        return (view, events);
    }

    // The differences themselves, and the engine's reports around the repair: a failure says what went missing.
    private static void AssertSame(SortedSet<string> disk, SortedSet<string> view, List<InotifyEvent> events)
    {
        if (!disk.SetEquals(view))
        {
            var missing = disk.Except(view).Concat(view.Except(disk)).Select(p => Path.GetFileName(Path.GetDirectoryName(p))!).ToHashSet();
            string reports = string.Join("; ", events.Where(e => e.Kind is InotifyEventKind.QueueOverflow or InotifyEventKind.EventsDropped
                or InotifyEventKind.RescanStarted or InotifyEventKind.RescanCompleted || missing.Any(m => e.Path.Contains("/" + m, StringComparison.Ordinal)
                || (e.OldPath?.Contains("/" + m, StringComparison.Ordinal) ?? false))).TakeLast(60)
                .Select(e => $"{e.Sequence} {e.Kind} {e.Source} {e.OldPath} {e.Path}"));
            Assert.Fail($"missing from the events' picture: {string.Join(", ", disk.Except(view).Take(10))}; " +
                $"extra: {string.Join(", ", view.Except(disk).Take(10))}; last reports: {reports}");
        }
    }

    [Fact]
    public void AfterAKernelOverflowTheRepairedViewEqualsTheTree()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("a"));
        Directory.CreateDirectory(t.P("b"));
        File.WriteAllBytes(t.P("b/existing"), []);
        var view = new ConsumerView(t.Root, fromDisk: true);

        InotifyWatcher w;

        // max_queued_events is fixed when an instance is created: a tiny queue guarantees a real IN_Q_OVERFLOW.
        using (Sysctl.Set("max_queued_events", 16))
        {
            w = new InotifyWatcher();
        }

        using (w)
        {
            w.AddRecursive(t.Root, InotifyEventMask.Create | InotifyEventMask.Delete | InotifyEventMask.Move);
            Churn(t, 3000);
            (view, List<InotifyEvent> events) = Consume(w, t, view);

            Assert.Contains(events, e => e.Kind == InotifyEventKind.QueueOverflow);
            Assert.True(w.OverflowCount > 0);
            Assert.Contains(events, e => e.Kind == InotifyEventKind.RescanStarted);
            Assert.Contains(events, e => e.Kind == InotifyEventKind.RescanCompleted);
            Assert.Contains(events, e => e.Source == EventSource.Rescan);
            AssertSame(ConsumerView.Walk(t.Root), view.Entries, events);

            // The repaired watches keep working.
            File.WriteAllBytes(t.P("a/moved-d0/x/after"), []);
            InotifyEvent last = Assert.Single(w.DrainUntilQuiet());
            Assert.Equal(t.P("a/moved-d0/x/after"), last.Path);
        }
    }

    [Fact]
    public void AfterTheConsumerFellBehindTheRepairedViewEqualsTheTree()
    {
        using var t = new TempTree();
        Directory.CreateDirectory(t.P("a"));
        Directory.CreateDirectory(t.P("b"));
        var view = new ConsumerView(t.Root, fromDisk: true);
        using var w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 200 });
        w.AddRecursive(t.Root, InotifyEventMask.Create | InotifyEventMask.Delete | InotifyEventMask.Move);

        Churn(t, 2000);

        // Nobody read while the churn ran: the queue of 200 filled and the rest was dropped.
        (view, List<InotifyEvent> events) = Consume(w, t, view);
        Assert.Contains(events, e => e.Kind == InotifyEventKind.EventsDropped);
        Assert.Equal(w.DroppedCount, events.Where(e => e.Kind == InotifyEventKind.EventsDropped).Sum(e => e.DroppedCount));
        Assert.Contains(events, e => e.Source == EventSource.Rescan);
        AssertSame(ConsumerView.Walk(t.Root), view.Entries, events);
    }

    [Fact]
    public void WithTooFewWatchesTheUnwatchedDirectoriesAreReportedAndTheRestWorks()
    {
        using var t = new TempTree();
        for (int i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(t.P($"d{i:D2}"));
        }

        int inUse = InotifyUsage.ForAllProcesses().Sum(u => u.Watches);
        using var w = new InotifyWatcher();
        RecursiveWatch tree;
        using (Sysctl.Set("max_user_watches", inUse + 11))
        {
            tree = w.AddRecursive(t.Root, InotifyEventMask.Create);
        }

        Assert.Equal(RecursiveWatchState.Degraded, tree.State);
        Assert.NotEmpty(tree.UnwatchedDirectories);
        Assert.All(tree.UnwatchedDirectories, u => Assert.Equal("WatchLimitReached", u.ErrorId));
        Assert.Contains("max_user_watches", tree.UnwatchedDirectories[0].Reason, StringComparison.Ordinal);
        Assert.Equal(41, tree.DirectoryCount + tree.UnwatchedDirectories.Count);

        // AddRecursive's caller learns of them from the tree it gets back; only later failures are events.
        List<InotifyEvent> reports = w.DrainUntilQuiet();
        Assert.DoesNotContain(reports, e => e.Kind == InotifyEventKind.WatchFailed);

        string watched = tree.Root!.Path;
        File.WriteAllBytes(Path.Combine(watched, "still-working"), []);
        Assert.Contains(w.DrainUntilQuiet(), e => e.Name == "still-working");
    }
}
