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
    private EventForwarder? forwarder;
    private int queuedAcknowledgements;
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
    }

    /// <summary>Connects the acknowledgements to their forwarder (which needs this target first).</summary>
    public void AttachTo(EventForwarder eventForwarder) => forwarder = eventForwarder;

    public void Deliver(InotifyEvent e) =>
        events.GenerateEvent(sourceIdentifier, sender, [e], messageData, processInCurrentThread: true, waitForCompletionInCurrentThread: false);

    /// <summary>One engine event for the whole batch: $Event.SourceEventArgs is an <see cref="InotifyEventBatch"/>.</summary>
    public void DeliverBatch(IReadOnlyList<InotifyEvent> batch) =>
        events.GenerateEvent(sourceIdentifier, sender, [new InotifyEventBatch([.. batch])], messageData, processInCurrentThread: true, waitForCompletionInCurrentThread: false);

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

    public int CountUnconsumed()
    {
        lock (events.ReceivedEvents.SyncRoot)
        {
            int n = 0;
            foreach (PSEventArgs e in events.ReceivedEvents)
            {
                if (string.Equals(e.SourceIdentifier, sourceIdentifier, StringComparison.OrdinalIgnoreCase))
                {
                    n += e.SourceEventArgs is InotifyEventBatch batch ? batch.Count : 1;
                }
            }

            return n;
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref closed, 1);
        if (Volatile.Read(ref queuedAcknowledgements) <= 0)
        {
            Unsubscribe();
        }
    }

    // Runs on the pipeline thread, as the hidden subscriber's action, after every action queued before it.
    private void Acknowledged(long delivered)
    {
        forwarder?.Acknowledge(delivered);
        if (Interlocked.Decrement(ref queuedAcknowledgements) <= 0 && Volatile.Read(ref closed) != 0)
        {
            Unsubscribe();
        }
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
