using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>More events than anyone reads: everything arrives, or the stream says where and how much was lost.</summary>
public sealed class FloodTests(ITestOutputHelper output)
{
    private const int Files = 20_000;

    [Theory]
    [InlineData(InotifyWatcherOptions.DefaultQueueCapacity)]
    [InlineData(1000)]
    public void TwentyThousandFilesCreatedWhileNobodyReadsAreAllReportedOrTheGapIsMarked(int capacity)
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = capacity });
        w.Add(dir.Path, InotifyEventMask.All);

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Files; i++)
        {
            File.Create(dir[$"f{i:D5}"]).Dispose();
        }

        TimeSpan created = sw.Elapsed;
        List<InotifyEvent> events = StreamAudit.ReadAllWithSentinel(w, dir.Path);
        output.WriteLine($"capacity {capacity}: created {Files} files in {created.TotalMilliseconds:F0} ms, read back in {(sw.Elapsed - created).TotalMilliseconds:F0} ms");
        output.WriteLine(StreamAudit.Summary(w, events));

        var createdNames = events.Where(e => e.Kind == InotifyEventKind.Create && e.Name.StartsWith('f')).Select(e => e.Name).ToList();
        Assert.Equal(createdNames.Count, createdNames.Distinct().Count());
        int missingFiles = Files - createdNames.Count;
        bool marked = events.Any(e => e.Kind is InotifyEventKind.EventsDropped or InotifyEventKind.QueueOverflow);
        output.WriteLine($"{createdNames.Count} of {Files} Create events seen; a gap marker {(marked ? "is" : "is not")} in the stream");
        Assert.True(missingFiles == 0 || marked, $"{missingFiles} files were never reported and the stream says nothing about a loss");
        if (!events.Any(e => e.Kind == InotifyEventKind.QueueOverflow))
        {
            // Only the engine dropped: every missing Create is among the counted drops.
            Assert.True(missingFiles <= w.DroppedCount, $"{missingFiles} files missing, only {w.DroppedCount} drops counted");
        }

        if (capacity < Files)
        {
            // Nobody read: the queue filled up and the engine must have dropped, at the capacity.
            Assert.True(w.DroppedCount > 0);
            int firstMarker = events.FindIndex(e => e.Kind == InotifyEventKind.EventsDropped);
            Assert.InRange(firstMarker, 1, capacity);
        }

        StreamAudit.CountsAgree(w, events);
        StreamAudit.OrderIsRight(events);
    }

    [Fact]
    public void WhenTheConsumerCatchesUpWhileEventsKeepComingTheDropMarkerStandsWhereTheGapIs()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 10 });
        w.Add(dir.Path, InotifyEventMask.Create);
        var events = new List<InotifyEvent>();
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 50; i++)
            {
                dir.CreateFile($"r{round}-{i:D2}");
            }

            // Wait until the reader has seen all 50 (10 queued, 40 dropped and not yet marked).
            long dropped = 40 * (round + 1);
            SpinWait.SpinUntil(() => w.DroppedCount >= dropped, Timeouts.ExpectedEvent);
            Assert.Equal(dropped, w.DroppedCount);

            // Catch up, and at once make more events: the reader must put the marker before them.
            w.ReadAvailable(events);
            for (int i = 0; i < 5; i++)
            {
                dir.CreateFile($"r{round}-after-{i}");
            }

            events.AddRange(w.ReadUntil(e => e.Name == $"r{round}-after-4", $"r{round}-after-4"));
        }

        output.WriteLine(StreamAudit.Summary(w, events));
        StreamAudit.CountsAgree(w, events);
        StreamAudit.OrderIsRight(events);
    }
}

/// <summary>A real IN_Q_OVERFLOW: a kernel queue of one event (max_queued_events is read when an instance is created).</summary>
[Collection(SerialCollection.Name)]
public sealed class KernelOverflowTests(ITestOutputHelper output)
{
    [Fact]
    public void AKernelQueueOverflowIsAnEventTheConsumerCannotMissAndIsCounted()
    {
        using var dir = new TempDir();
        InotifyWatcher w;
        using (Sysctl.Set("max_queued_events", 1))
        {
            w = new InotifyWatcher();
        }

        using (w)
        {
            // Create and Open come from one openat(2): the second cannot fit in a queue of one.
            w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Open);
            for (int i = 0; i < 200; i++)
            {
                dir.CreateFile($"f{i:D3}");
            }

            List<InotifyEvent> events = StreamAudit.ReadAllWithSentinel(w, dir.Path);
            output.WriteLine(StreamAudit.Summary(w, events));
            Assert.Contains(events, e => e.Kind == InotifyEventKind.QueueOverflow);
            InotifyEvent overflow = events.First(e => e.Kind == InotifyEventKind.QueueOverflow);
            Assert.True(overflow.Mask.HasFlag(InotifyEventMask.QueueOverflow));
            Assert.Equal(EventSource.Kernel, overflow.Source);
            Assert.Contains("max_queued_events", overflow.Message, StringComparison.Ordinal);
            Assert.True(w.OverflowCount >= 1);
            int opens = events.Count(e => e.Kind == InotifyEventKind.Open && e.Name.StartsWith('f'));
            int creates = events.Count(e => e.Kind == InotifyEventKind.Create && e.Name.StartsWith('f'));
            output.WriteLine($"{creates} Create and {opens} Open of 200 files seen");
            Assert.True(creates + opens < 400, "with a queue of one, events must have been lost");
            StreamAudit.CountsAgree(w, events);
            StreamAudit.OrderIsRight(events);
        }
    }

    [Fact]
    public void AKernelOverflowIsDeliveredEvenWhenTheConsumersQueueIsFull()
    {
        using var dir = new TempDir();
        InotifyWatcher w;
        using (Sysctl.Set("max_queued_events", 1))
        {
            w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 10 });
        }

        using (w)
        {
            w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Open);
            for (int i = 0; i < 200; i++)
            {
                dir.CreateFile($"f{i:D3}");
            }

            List<InotifyEvent> events = StreamAudit.ReadAllWithSentinel(w, dir.Path);
            output.WriteLine(StreamAudit.Summary(w, events));
            Assert.True(w.DroppedCount > 0, "the queue of 10 must have overflowed too");
            Assert.True(w.OverflowCount > 0);
            Assert.Equal(w.OverflowCount, events.Count(e => e.Kind == InotifyEventKind.QueueOverflow));
            StreamAudit.CountsAgree(w, events);
            StreamAudit.OrderIsRight(events);
        }
    }
}
