using System.Collections.Concurrent;
using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class EventForwarderTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Delivers_every_event_in_the_watchers_order_on_one_thread()
    {
        const int Files = 5000;
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var seen = new ConcurrentQueue<(long Sequence, int Thread)>();
        using var forwarder = new EventForwarder(watcher, e => seen.Enqueue((e.Sequence, Environment.CurrentManagedThreadId)));
        forwarder.Start();

        dir.CreateFiles(Files);

        Assert.True(Wait.Until(() => seen.Count >= Files), $"only {seen.Count} of {Files} events arrived");
        long[] sequences = [.. seen.Select(s => s.Sequence)];
        Assert.Equal(Enumerable.Range(1, Files).Select(i => (long)i), sequences);
        Assert.Single(seen.Select(s => s.Thread).Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen.First().Thread);
    }

    [Fact]
    public void With_a_batch_size_it_hands_over_what_is_queued_in_order_as_batches_no_larger_than_asked()
    {
        const int Files = 5000, BatchSize = 256;
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new BatchRecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions { BatchSize = BatchSize });
        target.AutoAcknowledge = forwarder;
        forwarder.Start();

        dir.CreateFiles(Files);

        Assert.True(Wait.Until(() => target.Delivered.Count >= Files), $"only {target.Delivered.Count} of {Files} events arrived");
        Assert.Equal(Enumerable.Range(1, Files).Select(i => (long)i), target.Delivered.Select(e => e.Sequence));
        Assert.All(target.BatchSizes, n => Assert.InRange(n, 1, BatchSize));
        Assert.True(target.BatchSizes.Count < Files, "a burst goes over in batches, not one event at a time");
        Assert.Equal(Files, forwarder.DeliveredCount);
    }

    [Fact]
    public void A_consumer_that_does_not_acknowledge_gets_at_most_MaxPending_and_the_watcher_drops_with_a_marker()
    {
        const int MaxPending = 100;
        using var watcher = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 200 });
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions { MaxPending = MaxPending, AcknowledgeEvery = 10 });
        forwarder.Start();

        dir.CreateFiles(2000);

        Assert.True(Wait.Until(() => watcher.DroppedCount > 0 && target.Delivered.Count == MaxPending));
        Thread.Sleep(200);
        Assert.Equal(MaxPending, target.Delivered.Count);
        Assert.Equal(MaxPending, forwarder.PendingCount);
        Assert.True(forwarder.StallCount >= 1);

        // The consumer catches up: forwarding resumes, and the gap is marked where it happened.
        target.AutoAcknowledge = forwarder;
        forwarder.Acknowledge(forwarder.DeliveredCount);
        Assert.True(Wait.Until(() => target.Delivered.Any(e => e.Kind == InotifyEventKind.EventsDropped)));
        InotifyEvent marker = target.Delivered.First(e => e.Kind == InotifyEventKind.EventsDropped);
        Assert.True(marker.DroppedCount > 0);
        Assert.True(Wait.Until(() => watcher.QueuedCount == 0 && watcher.DroppedCount == target.Delivered.Where(e => e.Kind == InotifyEventKind.EventsDropped).Sum(e => e.DroppedCount)));
    }

    [Fact]
    public void Events_waiting_in_the_consumers_own_queue_count_against_MaxPending()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget { Unconsumed = 50 };
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions { MaxPending = 50, PollInterval = TimeSpan.FromMilliseconds(5) });
        target.AutoAcknowledge = forwarder;
        forwarder.Start();

        dir.CreateFiles(10);
        Thread.Sleep(300);
        Assert.Empty(target.Delivered);

        target.Unconsumed = 0;
        Assert.True(Wait.Until(() => target.Delivered.Count == 10));
    }

    [Fact]
    public void Only_one_acknowledgement_request_is_outstanding_at_a_time()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions
        {
            MaxPending = 10_000,
            AcknowledgeEvery = 10,
            RepeatAcknowledgementAfter = TimeSpan.FromMinutes(1),
        });
        forwarder.Start();

        dir.CreateFiles(500);

        Assert.True(Wait.Until(() => target.Delivered.Count == 500));
        Thread.Sleep(300);
        Assert.Single(target.Requests);

        // Answering it lets the next one through, for everything delivered since.
        forwarder.Acknowledge(target.Requests.Single());
        Assert.True(Wait.Until(() => target.Requests.Count == 2));
        Assert.Equal(500, target.Requests.Last());
        forwarder.Acknowledge(500);
        Assert.Equal(0, forwarder.PendingCount);
    }

    [Fact]
    public void An_unanswered_request_is_repeated_so_a_lost_acknowledgement_cannot_stall_for_ever()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions
        {
            MaxPending = 5,
            PollInterval = TimeSpan.FromMilliseconds(10),
            RepeatAcknowledgementAfter = TimeSpan.FromMilliseconds(100),
        });
        forwarder.Start();

        dir.CreateFiles(20);

        Assert.True(Wait.Until(() => target.Requests.Count >= 3));
        Assert.Equal(5, target.Delivered.Count);
    }

    [Fact]
    public void Dispose_stops_the_thread_and_nothing_is_delivered_afterwards()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget();
        var forwarder = new EventForwarder(watcher, target);
        target.AutoAcknowledge = forwarder;
        forwarder.Start();
        dir.CreateFiles(3);
        Assert.True(Wait.Until(() => target.Delivered.Count == 3));

        forwarder.Dispose();

        Assert.True(forwarder.WaitForExit(Wait.Patience));
        Assert.False(forwarder.IsRunning);
        dir.CreateFiles(3, "g");
        Thread.Sleep(200);
        Assert.Equal(3, target.Delivered.Count);
        Assert.Null(forwarder.Fault);
    }

    [Fact]
    public void A_handler_may_dispose_its_own_forwarder()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        EventForwarder? forwarder = null;
        int delivered = 0;
        forwarder = new EventForwarder(watcher, _ =>
        {
            Interlocked.Increment(ref delivered);
            forwarder!.Dispose();
        });
        forwarder.Start();

        dir.CreateFiles(5);

        Assert.True(forwarder.WaitForExit(Wait.Patience));
        Assert.Equal(1, Volatile.Read(ref delivered));
    }

    [Fact]
    public async Task Dispose_does_not_wait_for_a_delivery_that_waits_for_the_disposing_thread()
    {
        // PowerShell runs an -Action inside the forwarder's GenerateEvent call; an action that removes its own
        // watcher disposes the forwarder from the thread that delivery is waiting for.
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var inDelivery = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var forwarder = new EventForwarder(watcher, _ =>
        {
            inDelivery.Set();
            release.Wait();
        });
        forwarder.Start();
        dir.CreateFiles(2);
        Assert.True(inDelivery.Wait(Wait.Patience));

        Task disposing = Task.Run(forwarder.Dispose);
        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(2))));

        release.Set();
        Assert.True(forwarder.WaitForExit(Wait.Patience));
    }

    [Fact]
    public void What_the_target_throws_ends_forwarding_and_is_kept_as_Fault()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var forwarder = new EventForwarder(watcher, _ => throw new InvalidOperationException("handler broke"));
        forwarder.Start();

        dir.CreateFiles(1);

        Assert.True(forwarder.WaitForExit(Wait.Patience));
        Assert.Equal("handler broke", Assert.IsType<InvalidOperationException>(forwarder.Fault).Message);
    }

    [Fact]
    public void Disposing_the_watcher_ends_forwarding_quietly()
    {
        var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var forwarder = new EventForwarder(watcher, _ => { });
        forwarder.Start();

        watcher.Dispose();

        Assert.True(forwarder.WaitForExit(Wait.Patience));
        Assert.Null(forwarder.Fault);
    }

    [Fact]
    public void Start_twice_is_refused_and_an_unstarted_forwarder_disposes_cleanly()
    {
        using var watcher = new InotifyWatcher();
        using var forwarder = new EventForwarder(watcher, _ => { });
        forwarder.Start();
        Assert.Throws<InvalidOperationException>(forwarder.Start);

        using var never = new EventForwarder(watcher, _ => { });
        never.Dispose();
        Assert.True(never.WaitForExit(TimeSpan.Zero));
    }

    [Fact]
    public void With_a_delivery_limit_a_consumer_that_is_behind_gets_full_batches_of_what_queued_meanwhile()
    {
        // A trickle reaches the forwarder one event at a time: without a limit on deliveries each would be a batch of
        // one, and a consumer that handles a couple of batches per checkpoint would fall ever further behind.
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new BatchRecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions
        {
            BatchSize = 100,
            MaxPending = 100_000,
            MaxPendingDeliveries = 2,
            BatchAcknowledgementGrace = TimeSpan.FromMinutes(1),
            RepeatAcknowledgementAfter = TimeSpan.FromMinutes(1),
        });
        forwarder.Start();
        for (int i = 0; i < 10; i++)
        {
            File.WriteAllBytes(dir.Combine("t" + i), []);
            Thread.Sleep(20);
        }

        dir.CreateFiles(300);
        Assert.True(Wait.Until(() => watcher.EventCount == 310 && watcher.QueuedCount + forwarder.DeliveredCount == 309),
            "the stalled forwarder holds one event, the watcher the rest");
        Assert.Equal(2, target.BatchSizes.Count);

        // Two deliveries of one event each, unless the machine was so busy that two trickled events queued before the
        // forwarder took the first: then the second delivery is cut from what queued, as it must be.
        int early = (int)forwarder.DeliveredCount;
        Assert.InRange(early, 2, 9);

        for (int round = 0; round < 2; round++)
        {
            forwarder.Acknowledge(forwarder.DeliveredCount);
            Assert.True(Wait.Until(() => target.BatchSizes.Count == 4 + (2 * round)));
        }

        Assert.Equal([.. target.BatchSizes.Take(2), 100, 100, 100, 310 - early - 300], target.BatchSizes);
        Assert.Equal(Enumerable.Range(1, 310).Select(i => (long)i), target.Delivered.Select(e => e.Sequence));
    }

    [Fact]
    public void A_blocked_target_gets_nothing_its_reason_becomes_the_Fault_and_forwarding_resumes_when_it_unblocks()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var target = new RecordingTarget();
        using var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions { PollInterval = TimeSpan.FromMilliseconds(5) });
        target.AutoAcknowledge = forwarder;
        forwarder.Start();
        dir.CreateFiles(5);
        Assert.True(Wait.Until(() => target.Delivered.Count == 5));

        var reason = new InvalidOperationException("the handler failed");
        target.Blocked = reason;
        Assert.True(Wait.Until(() => forwarder.Fault is not null));
        dir.CreateFiles(5, "g");
        Assert.True(Wait.Until(() => watcher.QueuedCount == 4));
        Assert.Equal(5, target.Delivered.Count);
        Assert.Same(reason, forwarder.Fault);
        Assert.True(forwarder.IsRunning);

        target.Blocked = null;
        Assert.True(Wait.Until(() => target.Delivered.Count == 10));
        Assert.Same(reason, forwarder.Fault);
    }

    [Fact]
    public void A_batch_counts_as_taken_once_its_events_are_read_and_only_then()
    {
        int taken = 0;
        var batch = new InotifyEventBatch([], () => taken++);
        _ = batch.ToString();
        _ = batch.EventCount;
        _ = batch.Span;
        Assert.Equal(0, taken);

        _ = batch.Count;
        _ = batch.Events;
        _ = batch.Events;
        Assert.Equal(1, taken);
    }

    private sealed class BatchRecordingTarget : IForwardingTarget
    {
        public ConcurrentQueue<InotifyEvent> Delivered { get; } = new();

        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public EventForwarder? AutoAcknowledge { get; set; }

        public void Deliver(InotifyEvent e) => throw new InvalidOperationException("a batching forwarder delivers batches");

        public void DeliverBatch(IReadOnlyList<InotifyEvent> events)
        {
            BatchSizes.Enqueue(events.Count);
            foreach (InotifyEvent e in events)
            {
                Delivered.Enqueue(e);
            }
        }

        public void RequestAcknowledgement(long delivered) => AutoAcknowledge?.Acknowledge(delivered);

        public int CountUnconsumed() => 0;
    }

    private sealed class RecordingTarget : IForwardingTarget
    {
        public ConcurrentQueue<InotifyEvent> Delivered { get; } = new();

        public ConcurrentQueue<long> Requests { get; } = new();

        public EventForwarder? AutoAcknowledge { get; set; }

        public volatile int Unconsumed;

        public volatile Exception? Blocked;

        public void Deliver(InotifyEvent e) => Delivered.Enqueue(e);

        public Exception? BlockedBy() => Blocked;

        public void RequestAcknowledgement(long delivered)
        {
            Requests.Enqueue(delivered);
            AutoAcknowledge?.Acknowledge(delivered);
        }

        public int CountUnconsumed() => Unconsumed;
    }
}
