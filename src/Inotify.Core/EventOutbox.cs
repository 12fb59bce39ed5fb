namespace Inotify;

/// <summary>Where the outbox hands events over: the consumers' bounded queue.</summary>
internal interface IEventSink
{
    /// <summary>How many events the sink holds at most.</summary>
    int Capacity { get; }

    /// <summary>Free places now. Only consumers change it meanwhile, and only upwards.</summary>
    int FreeSpace { get; }

    /// <summary>Takes a batch in one hand-over (one lock, one wake-up); the caller has checked the room.</summary>
    void EnqueueRange(List<InotifyEvent> events);
}

/// <summary>
/// The reader's side of the hand-over: numbers events in stream order, collects them so the consumers' queue is
/// locked and woken once per read rather than once per event, and never blocks. What does not fit is dropped,
/// counted, and marked by one EventsDropped event where the gap is. It also remembers since when the consumer's
/// picture may be wrong (the gap: a kernel overflow or a drop), for the repair that follows.
/// </summary>
/// <remarks>
/// Runs under the engine lock (see InotifyWatcher), on the reader thread or on a thread adding a recursive watch.
/// Once it starts dropping it keeps dropping until the queue has real room again (<see cref="ResumeFraction"/> of
/// its capacity): a consumer that frees one place at a time would otherwise get a marker for every event it reads.
/// </remarks>
internal sealed class EventOutbox(IEventSink sink)
{
    /// <summary>Dropping stops once this share of the queue is free (at least one place).</summary>
    internal const int ResumeFraction = 8;

    // While dropping, the queue's free space is looked at again after this many drops (it takes the queue's lock).
    private const int RecheckEvery = 256;

    private readonly List<InotifyEvent> pending = [];
    private readonly int resumeAt = Math.Max(1, sink.Capacity / ResumeFraction);
    private int depth;
    private int budget;
    private long sequence;
    private long dropped;
    private long droppedHere;
    private DateTime? gapStart;
    private DateTime lastRead = DateTime.UtcNow;

    /// <summary>The number of the last event produced, dropped ones included.</summary>
    internal long Sequence => Interlocked.Read(ref sequence);

    /// <summary>Events dropped so far.</summary>
    internal long DroppedCount => Interlocked.Read(ref dropped);

    /// <summary>True while dropped events still wait for their marker.</summary>
    internal bool IsDropping => droppedHere > 0;

    /// <summary>True when the consumer's queue has room for a good many reports (a quarter of it) and nothing waits for a marker.</summary>
    internal bool HasRoom => droppedHere == 0 && sink.FreeSpace >= Math.Max(1, sink.Capacity / 4);

    /// <summary>True while the consumer's picture may be wrong and no repair has been started for it.</summary>
    internal bool HasGap => gapStart is not null;

    /// <summary>Starts collecting events for one hand-over; nests. Dispose the scope to hand over.</summary>
    internal Scope Batch()
    {
        if (depth++ == 0)
        {
            budget = sink.FreeSpace;
        }

        return new Scope(this);
    }

    /// <summary>A read is processed: a gap that opens later opened no earlier than this (what was read is reported).</summary>
    internal void EndRead(DateTime now) => lastRead = now;

    /// <summary>Hands an event over, numbered. False means it was dropped (and counted) because the consumer is behind.</summary>
    /// <param name="e">The event.</param>
    /// <param name="mustDeliver">Reports the consumer must not miss (overflows, the engine's own reports) go in even over capacity.</param>
    internal bool Deliver(InotifyEvent e, bool mustDeliver = false)
    {
        using Scope scope = Batch();
        if (droppedHere > 0)
        {
            // Still dropping: resume only with real room, or for an event that must not be lost.
            if (droppedHere % RecheckEvery == 0 || mustDeliver)
            {
                Refill();
            }

            if (budget >= resumeAt || mustDeliver)
            {
                PlaceMarker(e.TimeStamp);
            }
        }
        else if (budget <= 0)
        {
            Refill();
        }

        // Numbered here, in stream order: a dropped event uses up its number too, so a gap in the numbers always sits
        // just before the EventsDropped marker that accounts for it.
        e.Sequence = ++sequence;
        if (droppedHere == 0 && (budget > 0 || mustDeliver))
        {
            pending.Add(e);
            budget--;
            return true;
        }

        if (droppedHere == 0)
        {
            OpenGap();
        }

        droppedHere++;
        Interlocked.Increment(ref dropped);
        return false;
    }

    /// <summary>
    /// Events were lost (a kernel overflow, or a drop here): the consumer's picture may be wrong since the last read
    /// that was processed whole.
    /// </summary>
    internal void OpenGap() => gapStart ??= lastRead;

    /// <summary>The gap, once its drops are marked: the caller starts the repair, and the gap is closed.</summary>
    internal bool TryCloseGap(out DateTime since)
    {
        since = gapStart ?? default;
        if (gapStart is null || droppedHere > 0)
        {
            return false;
        }

        gapStart = null;
        return true;
    }

    /// <summary>At the end of a read: places the marker of pending drops if the queue has room for it.</summary>
    internal void FlushDropMarker(DateTime now)
    {
        if (droppedHere == 0)
        {
            return;
        }

        using Scope scope = Batch();
        Refill();
        if (budget >= resumeAt)
        {
            PlaceMarker(now);
        }
    }

    private void Refill()
    {
        HandOver();
        budget = sink.FreeSpace;
    }

    private void PlaceMarker(DateTime now)
    {
        InotifyEvent marker = InotifyEvent.DropMarker(droppedHere,
            $"The consumer did not keep up: {droppedHere} events were dropped here (queue capacity {sink.Capacity}).", now);
        marker.Sequence = ++sequence;
        pending.Add(marker);
        budget--;
        droppedHere = 0;
    }

    private void EndBatch()
    {
        if (--depth == 0)
        {
            HandOver();
        }
    }

    private void HandOver()
    {
        if (pending.Count > 0)
        {
            sink.EnqueueRange(pending);
            pending.Clear();
        }
    }

    /// <summary>One hand-over; see <see cref="Batch"/>.</summary>
    internal readonly struct Scope(EventOutbox owner) : IDisposable
    {
        public void Dispose() => owner.EndBatch();
    }
}
