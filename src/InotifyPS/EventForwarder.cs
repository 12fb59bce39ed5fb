using Inotify;

namespace InotifyPS;

/// <summary>
/// Where an <see cref="EventForwarder"/> delivers events. Deliver and RequestAcknowledgement are called only on
/// the forwarder's own thread, one call at a time, in the watcher's order.
/// </summary>
internal interface IForwardingTarget
{
    /// <summary>Hands one event over. May block (that slows the forwarder, not the kernel reader).</summary>
    void Deliver(InotifyEvent e);

    /// <summary>Hands several events over, in order (with <see cref="EventForwarderOptions.BatchSize"/> above 1).</summary>
    void DeliverBatch(IReadOnlyList<InotifyEvent> events)
    {
        foreach (InotifyEvent e in events)
        {
            Deliver(e);
        }
    }

    /// <summary>
    /// Asks the consumer to call <see cref="EventForwarder.Acknowledge"/> with <paramref name="delivered"/> once it
    /// has handled everything delivered so far. A target whose Deliver completes the handling may acknowledge at once.
    /// </summary>
    void RequestAcknowledgement(long delivered);

    /// <summary>Events delivered that still wait in a queue the consumer reads at its own pace (0 if there is none). Any thread.</summary>
    int CountUnconsumed();

    /// <summary>Deliveries (batches, or single events) that still wait in that queue. Any thread.</summary>
    int CountUnconsumedDeliveries() => CountUnconsumed();

    /// <summary>Non-null while the consumer cannot take events at all (a failed handler): why, for the user to see.</summary>
    Exception? BlockedBy() => null;

    /// <summary>Delivered events the consumer will never handle (a handler that failed after they were delivered).</summary>
    long LostCount => 0;

    /// <summary>Called on the forwarder's thread between deliveries and while idle, for checks the target makes itself.</summary>
    void Poll()
    {
    }
}

/// <summary>Settings of an <see cref="EventForwarder"/>.</summary>
internal sealed class EventForwarderOptions
{
    /// <summary>
    /// How many delivered events may wait for the consumer. Beyond it the forwarder stops reading, the watcher's
    /// bounded queue fills, and the engine drops with a count and an EventsDropped marker: memory stays bounded.
    /// </summary>
    public int MaxPending { get; init; } = 4096;

    /// <summary>
    /// How many events one delivery may carry: 1 hands them over one by one; more hands over what is queued, up to
    /// this many, in one <see cref="IForwardingTarget.DeliverBatch"/> (PowerShell runs a couple of -Action blocks per
    /// checkpoint, so one engine event per batch is what lets a handler keep up with a burst).
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// How many deliveries (engine events) may wait for the consumer, whatever they hold. PowerShell runs a couple of
    /// actions per checkpoint: counting only events, a slow trickle would queue thousands of one-event batches ahead
    /// of a burst. With a limit of a few, the events wait in the watcher's queue instead and go over in full batches.
    /// </summary>
    public int MaxPendingDeliveries { get; init; } = int.MaxValue;

    /// <summary>
    /// With a batch size above 1: how long a stalled forwarder waits for a batch to acknowledge itself (its events
    /// being read) before it spends an action on asking.
    /// </summary>
    public TimeSpan BatchAcknowledgementGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often (in delivered events) to ask for an acknowledgement while events keep coming (one request is outstanding at a time).</summary>
    public int AcknowledgeEvery { get; init; } = 64;

    /// <summary>How often an idle forwarder asks for the acknowledgement of what it delivered last.</summary>
    public TimeSpan IdleInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long an unanswered acknowledgement request blocks the next one.</summary>
    public TimeSpan RepeatAcknowledgementAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a stalled forwarder looks again at a consumer that cannot signal (a queue it reads from).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);
}

/// <summary>
/// Moves a watcher's events to a target on one dedicated thread, so the target sees them in the
/// watcher's order, with flow control: at most <see cref="EventForwarderOptions.MaxPending"/> events
/// are in the consumer's hands at any time.
/// </summary>
internal sealed class EventForwarder : IDisposable
{
    private readonly InotifyWatcher watcher;
    private readonly IForwardingTarget target;
    private readonly EventForwarderOptions options;
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim acknowledged = new(0);
    private readonly ManualResetEventSlim exited = new(false);
    private readonly Thread thread;
    private long delivered;
    private long acknowledgedUpTo;
    private long acknowledgementRequested;
    private long acknowledgementRequestedAt;
    private int unconsumed;
    private int unconsumedDeliveries;
    private long stalls;

    // The ordinal of each delivery's last event, for deliveries not yet acknowledged (forwarder thread only).
    private readonly Queue<long> deliveryEnds = new();
    private int started;
    private Exception? fault;

    public EventForwarder(InotifyWatcher watcher, IForwardingTarget target, EventForwarderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(target);
        this.watcher = watcher;
        this.target = target;
        this.options = options ?? new EventForwarderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxPending, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.AcknowledgeEvery, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxPendingDeliveries, 1, nameof(options));
        thread = new Thread(Run) { IsBackground = true, Name = $"inotify forwarder #{watcher.Id}" };
    }

    /// <summary>A forwarder whose target handles each event completely inside <paramref name="sink"/>.</summary>
    public EventForwarder(InotifyWatcher watcher, Action<InotifyEvent> sink, EventForwarderOptions? options = null)
        : this(watcher, new SynchronousTarget(sink), options)
    {
        ((SynchronousTarget)target).Owner = this;
    }

    /// <summary>Events handed to the target.</summary>
    public long DeliveredCount => Interlocked.Read(ref delivered);

    /// <summary>Delivered events the consumer will never handle (its handler failed after they were delivered).</summary>
    public long LostCount => target.LostCount;

    /// <summary>Delivered events the consumer has not yet confirmed or still holds in its queue.</summary>
    public long PendingCount => Unacknowledged + target.CountUnconsumed();

    private long Unacknowledged => Math.Max(0, DeliveredCount - Interlocked.Read(ref acknowledgedUpTo));

    /// <summary>How many times the forwarder had to wait because the consumer held MaxPending events.</summary>
    public long StallCount => Interlocked.Read(ref stalls);

    /// <summary>Deliveries (engine events) handed over and not yet acknowledged. Forwarder thread only (tests read it when idle).</summary>
    internal int UnacknowledgedDeliveries
    {
        get
        {
            long acked = Interlocked.Read(ref acknowledgedUpTo);
            while (deliveryEnds.TryPeek(out long end) && end <= acked)
            {
                deliveryEnds.Dequeue();
            }

            return deliveryEnds.Count;
        }
    }

    /// <summary>Why forwarding stopped or paused on its own: the target threw or is blocked (a failed handler), or the watcher failed. Null otherwise.</summary>
    public Exception? Fault
    {
        get => Volatile.Read(ref fault);
        private set => Volatile.Write(ref fault, value);
    }

    /// <summary>True while the forwarding thread runs.</summary>
    public bool IsRunning => Volatile.Read(ref started) != 0 && !exited.IsSet;

    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            throw new InvalidOperationException("The forwarder is already started.");
        }

        thread.Start();
    }

    /// <summary>The consumer has handled every event up to the <paramref name="delivered"/>-th. Any thread.</summary>
    public void Acknowledge(long delivered)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref acknowledgedUpTo);
            if (delivered <= seen)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref acknowledgedUpTo, delivered, seen) != seen);

        if (acknowledged.CurrentCount == 0)
        {
            acknowledged.Release();
        }
    }

    /// <summary>Waits for the forwarding thread to end (after Dispose, the watcher's disposal, or a fault).</summary>
    public bool WaitForExit(TimeSpan timeout) => Volatile.Read(ref started) == 0 || exited.Wait(timeout);

    /// <summary>
    /// Stops forwarding: at most the delivery already under way completes. It does not wait for that delivery,
    /// because it may itself be waiting for the thread that disposes (PowerShell runs an event handler that
    /// removes its own watcher inside the forwarder's GenerateEvent call); <see cref="WaitForExit"/> waits when
    /// that is safe.
    /// </summary>
    public void Dispose()
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        stop.Cancel();
        if (Volatile.Read(ref started) == 0)
        {
            exited.Set();
        }
    }

    private void Run()
    {
        try
        {
            CancellationToken token = stop.Token;
            var batch = new List<InotifyEvent>(options.BatchSize == 1 ? 0 : Math.Min(options.BatchSize, 4096));
            long askedAt = 0;
            RefreshUnconsumed();
            while (!token.IsCancellationRequested)
            {
                target.Poll();
                if (!watcher.TryRead(out InotifyEvent? e))
                {
                    // Nothing queued: meanwhile let the consumer confirm what it has, so a later burst finds room
                    // (asked again each idle interval, because only one request is outstanding at a time).
                    RequestAcknowledgement();
                    RefreshUnconsumed();

                    // A handler that failed after the last delivery is reported now, not only when events come again.
                    NoteBlocked();
                    if (!watcher.TryRead(out e, options.IdleInterval, token))
                    {
                        continue;
                    }
                }

                WaitForRoom(token);
                if (token.IsCancellationRequested)
                {
                    return;
                }

                long n;
                if (options.BatchSize == 1)
                {
                    target.Deliver(e);
                    n = Interlocked.Increment(ref delivered);
                }
                else
                {
                    // Cut now, after waiting for room: what queued meanwhile fills the batch.
                    batch.Clear();
                    batch.Add(e);
                    watcher.ReadAvailable(batch, options.BatchSize - 1);
                    target.DeliverBatch(batch);
                    n = Interlocked.Add(ref delivered, batch.Count);
                }

                deliveryEnds.Enqueue(n);

                // Batches acknowledge themselves when taken; asking costs one of the consumer's few actions.
                if (options.BatchSize == 1 && n - askedAt >= options.AcknowledgeEvery)
                {
                    askedAt = n;
                    RequestAcknowledgement();
                    RefreshUnconsumed();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (watcher.IsDisposed)
        {
        }
#pragma warning disable CA1031 // Whatever the target throws ends forwarding; it is kept for the user to see, not lost on a background thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault = ex;
        }
        finally
        {
            exited.Set();
        }
    }

    private void WaitForRoom(CancellationToken token)
    {
        bool counted = false;
        long stalledAt = Environment.TickCount64;
        while (!HasRoom())
        {
            if (!counted)
            {
                Interlocked.Increment(ref stalls);
                counted = true;
            }

            if (options.BatchSize == 1 || Environment.TickCount64 - stalledAt >= (long)options.BatchAcknowledgementGrace.TotalMilliseconds)
            {
                RequestAcknowledgement();
            }

            _ = acknowledged.Wait(options.PollInterval, token);
            target.Poll();
            RefreshUnconsumed();
        }
    }

    private bool HasRoom()
    {
        if (NoteBlocked())
        {
            return false;
        }

        return Unacknowledged + Volatile.Read(ref unconsumed) < options.MaxPending
            && UnacknowledgedDeliveries + Volatile.Read(ref unconsumedDeliveries) < options.MaxPendingDeliveries;
    }

    // Kept as Fault after the target unblocks: the events lost meanwhile stay lost.
    private bool NoteBlocked()
    {
        if (target.BlockedBy() is not { } reason)
        {
            return false;
        }

        Fault = reason;
        return true;
    }

    private void RefreshUnconsumed()
    {
        Volatile.Write(ref unconsumed, target.CountUnconsumed());
        Volatile.Write(ref unconsumedDeliveries, options.MaxPendingDeliveries == int.MaxValue ? 0 : target.CountUnconsumedDeliveries());
    }

    // One request at a time: a consumer that handles requests in order (PowerShell's action queue) would
    // otherwise work through a backlog of stale ones, each confirming a little. A request that got lost
    // (its handler was interrupted) is repeated after a while so the forwarder cannot stall for good.
    private void RequestAcknowledgement()
    {
        long n = Interlocked.Read(ref delivered);
        long requested = Interlocked.Read(ref acknowledgementRequested);
        long acked = Interlocked.Read(ref acknowledgedUpTo);
        bool answered = acked >= requested;
        bool expired = Environment.TickCount64 - acknowledgementRequestedAt >= (long)options.RepeatAcknowledgementAfter.TotalMilliseconds;
        if ((answered && n > requested) || (!answered && expired && n > acked))
        {
            Interlocked.Exchange(ref acknowledgementRequested, n);
            acknowledgementRequestedAt = Environment.TickCount64;
            target.RequestAcknowledgement(n);
        }
    }

    private sealed class SynchronousTarget(Action<InotifyEvent> sink) : IForwardingTarget
    {
        public EventForwarder? Owner { get; set; }

        public void Deliver(InotifyEvent e) => sink(e);

        public void RequestAcknowledgement(long delivered) => Owner?.Acknowledge(delivered);

        public int CountUnconsumed() => 0;
    }
}
