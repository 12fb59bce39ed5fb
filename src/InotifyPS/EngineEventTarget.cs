using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Forwards events into a session's engine event queue, where Register-EngineEvent, Wait-Event and Get-Event
/// see them. Each event becomes one engine event whose SourceEventArgs is the InotifyEvent, or, with a batch size
/// above 1, each batch one engine event whose SourceEventArgs is an <see cref="InotifyEventBatch"/>.
/// </summary>
/// <remarks>
/// GenerateEvent with processInCurrentThread queues the event (or its -Action) from the forwarder's one thread,
/// which keeps the kernel's order; the four-argument overload would hand each event to its own thread-pool item.
/// PowerShell never says when an -Action ran, so acknowledgements are engine events too: a hidden subscriber
/// whose action runs on the pipeline thread after every action queued before it, so when it runs, everything
/// delivered before it has been handled. Events that no action takes wait in the session's queue and are counted
/// there until Remove-Event takes them.
/// <para>
/// A batch acknowledges itself: when an action first reads its events, every action queued before it has run, so
/// the acknowledgement subscriber is needed only when the forwarder is idle or stalled, and a checkpoint's few
/// actions go to batches. The -Action subscribers of the source identifier are watched (<see cref="SubscriberWatch"/>):
/// PowerShell silently stops running an -Action that threw once, and the events forwarded to it after that are lost;
/// the target then reports itself blocked, with how many were lost, until the failed subscriber is removed.
/// </para>
/// <para>
/// The hidden subscriber is removed only when none of its acknowledgements is still queued: PowerShell's
/// UnsubscribeEvent runs a removed subscriber's queued actions at once, and when that happens inside another
/// action (a handler that calls Remove-InotifyWatcher) it waits for ever for the running action to end. So
/// Dispose unsubscribes only if nothing is queued, and otherwise the last acknowledgement does it when it runs.
/// </para>
/// </remarks>
internal sealed class EngineEventTarget : IForwardingTarget, IDisposable
{
    private readonly PSEventManager events;
    private readonly string sourceIdentifier;
    private readonly string acknowledgementIdentifier = "InotifyPS.Acknowledge." + Guid.NewGuid().ToString("N");
    private readonly object sender;
    private readonly PSObject? messageData;
    private readonly PSEventSubscriber acknowledgementSubscriber;
    private readonly SubscriberWatch subscribers;

    // What was delivered and not yet acknowledged: the ordinal of each delivery's last event and its Sequence,
    // to tell, when an -Action fails on an event, how many were delivered after it.
    private readonly Queue<(long End, long LastSequence)> ledger = new();
    private long failedAfter = -1;
    private InvalidOperationException? blockedReason;
    private EventForwarder? forwarder;
    private int queuedAcknowledgements;
    private long lostCount;
    private int closed;
    private int unsubscribed;

    public EngineEventTarget(PSEventManager events, string sourceIdentifier, object sender, PSObject? messageData)
    {
        this.events = events;
        this.sourceIdentifier = sourceIdentifier;
        this.sender = sender;
        this.messageData = messageData;
        acknowledgementSubscriber = events.SubscribeEvent(
            source: null,
            eventName: null,
            sourceIdentifier: acknowledgementIdentifier,
            data: null,
            action: ScriptBlock.Create("$args[0].Invoke($args[1])"),
            supportEvent: true,
            forwardEvent: false);
        subscribers = new SubscriberWatch(events, sourceIdentifier);
        subscribers.Failed += OnActionFailed;
    }

    /// <summary>Connects the acknowledgements to their forwarder (which needs this target first).</summary>
    public void AttachTo(EventForwarder eventForwarder) => forwarder = eventForwarder;

    public void Deliver(InotifyEvent e)
    {
        Record(1, e.Sequence);
        events.GenerateEvent(sourceIdentifier, sender, [e], messageData, processInCurrentThread: true, waitForCompletionInCurrentThread: false);
    }

    /// <summary>One engine event for the whole batch: $Event.SourceEventArgs is an <see cref="InotifyEventBatch"/>.</summary>
    public void DeliverBatch(IReadOnlyList<InotifyEvent> batch)
    {
        // Called on the forwarder's thread before it counts this batch: everything it counted came before.
        long before = forwarder?.DeliveredCount ?? 0;
        Record(batch.Count, batch[^1].Sequence);
        var taken = new InotifyEventBatch([.. batch], () => Acknowledged(before, fromRequest: false));
        events.GenerateEvent(sourceIdentifier, sender, [taken], messageData, processInCurrentThread: true, waitForCompletionInCurrentThread: false);
    }

    public void Poll() => subscribers.Poll();

    /// <summary>Non-null while a failed -Action is subscribed: what happened, and how many forwarded events it lost.</summary>
    public Exception? BlockedBy()
    {
        subscribers.Poll();
        if (!subscribers.IsBlocked || subscribers.Failure is not { } failure)
        {
            return null;
        }

        // Asked on the forwarder's thread before each delivery, so nothing was delivered since the failure was seen.
        if (Volatile.Read(ref blockedReason) is null)
        {
            long after = Interlocked.Read(ref failedAfter);
            long lost = after < 0 ? 0 : Math.Max(0, (forwarder?.DeliveredCount ?? 0) - after);
            Interlocked.Exchange(ref lostCount, lost);
            Volatile.Write(ref blockedReason, new InvalidOperationException(SubscriberWatch.Describe(failure, sourceIdentifier, lost)));
        }

        return blockedReason;
    }

    /// <summary>Forwarded events that PowerShell will never hand to the failed -Action.</summary>
    public long LostCount => Interlocked.Read(ref lostCount);

    public void RequestAcknowledgement(long delivered)
    {
        // Counted before the check, so Dispose sees either this request or none that could still be queued.
        Interlocked.Increment(ref queuedAcknowledgements);
        if (Volatile.Read(ref closed) != 0)
        {
            Interlocked.Decrement(ref queuedAcknowledgements);
            return;
        }

        try
        {
            events.GenerateEvent(acknowledgementIdentifier, null, [(Action<long>)Acknowledged, delivered], null, processInCurrentThread: true, waitForCompletionInCurrentThread: false);
        }
        catch
        {
            Interlocked.Decrement(ref queuedAcknowledgements);
            throw;
        }
    }

    public int CountUnconsumed() => Unconsumed().Events;

    public int CountUnconsumedDeliveries() => Unconsumed().Deliveries;

    private (int Events, int Deliveries) Unconsumed()
    {
        lock (events.ReceivedEvents.SyncRoot)
        {
            int n = 0, deliveries = 0;
            foreach (PSEventArgs e in events.ReceivedEvents)
            {
                if (string.Equals(e.SourceIdentifier, sourceIdentifier, StringComparison.OrdinalIgnoreCase))
                {
                    // Not batch.Count: reading it would count as taking the batch.
                    n += e.SourceEventArgs is InotifyEventBatch batch ? batch.EventCount : 1;
                    deliveries++;
                }
            }

            return (n, deliveries);
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref closed, 1);
        subscribers.Close();
        if (Volatile.Read(ref queuedAcknowledgements) <= 0)
        {
            Unsubscribe();
        }
    }

    // Runs on the pipeline thread, as the hidden subscriber's action, after every action queued before it.
    private void Acknowledged(long delivered) => Acknowledged(delivered, fromRequest: true);

    private void Acknowledged(long delivered, bool fromRequest)
    {
        lock (ledger)
        {
            while (ledger.TryPeek(out (long End, long LastSequence) d) && d.End <= delivered)
            {
                ledger.Dequeue();
            }
        }

        forwarder?.Acknowledge(delivered);
        if (fromRequest && Interlocked.Decrement(ref queuedAcknowledgements) <= 0 && Volatile.Read(ref closed) != 0)
        {
            Unsubscribe();
        }
    }

    private void Record(int count, long lastSequence)
    {
        long end = (forwarder?.DeliveredCount ?? 0) + count;
        lock (ledger)
        {
            ledger.Enqueue((end, lastSequence));
        }
    }

    // On the pipeline thread, inside the failing action: the delivery it failed on is still in the ledger.
    private void OnActionFailed(ActionFailure failure)
    {
        long after = -1;
        lock (ledger)
        {
            foreach ((long end, long last) in ledger)
            {
                if (failure.FailedSequence > 0 && last >= failure.FailedSequence)
                {
                    after = end;
                    break;
                }
            }
        }

        Interlocked.Exchange(ref failedAfter, after);
    }

    private void Unsubscribe()
    {
        if (Interlocked.Exchange(ref unsubscribed, 1) != 0)
        {
            return;
        }

        try
        {
            events.UnsubscribeEvent(acknowledgementSubscriber);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The runspace is closing and takes its subscribers with it.
        }
    }
}
