using System.Collections.ObjectModel;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Several events forwarded as one engine event (New-InotifyWatcher -BatchSize): <c>$Event.SourceEventArgs.Events</c>
/// holds them in the order they happened. PowerShell runs only a couple of -Action blocks per checkpoint, so a
/// handler that takes a batch at a time keeps up with bursts that one event per engine event cannot.
/// </summary>
/// <remarks>
/// <para>
/// Across remoting, jobs and Export-Clixml the batch is serialized two levels deep (InotifyPS.types.ps1xml), so
/// Events arrive as events. They are kept in a ReadOnlyCollection of an array of their own: what crosses is a
/// collection with a plain type name, and no caller's list is shared.
/// </para>
/// <para>
/// The first read of <see cref="Events"/> or <see cref="Count"/> tells the forwarder that the batch was taken: PowerShell
/// runs actions one after another, so every batch before it has been handled, and the forwarder need not spend one
/// of the few actions a checkpoint runs on asking.
/// </para>
/// </remarks>
public sealed class InotifyEventBatch : EventArgs
{
    private readonly IReadOnlyList<InotifyEvent> events;
    private Action? taken;

    /// <summary>Makes a batch.</summary>
    public InotifyEventBatch(IReadOnlyList<InotifyEvent> events)
        : this(events, null)
    {
    }

    internal InotifyEventBatch(IReadOnlyList<InotifyEvent> events, Action? taken)
    {
        ArgumentNullException.ThrowIfNull(events);
        this.events = new ReadOnlyCollection<InotifyEvent>(events.ToArray());
        this.taken = taken;
    }

    /// <summary>The events, oldest first.</summary>
    public IReadOnlyList<InotifyEvent> Events
    {
        get
        {
            Take();
            return events;
        }
    }

    /// <summary>How many events the batch holds.</summary>
    public int Count
    {
        get
        {
            Take();
            return events.Count;
        }
    }

    /// <summary>How many events, without counting as taking the batch (for the forwarder's own bookkeeping).</summary>
    internal int EventCount => events.Count;

    /// <summary>The Sequence of the first and last event (for messages; does not count as taking the batch).</summary>
    internal (long First, long Last) Span => events.Count == 0 ? (0, 0) : (events[0].Sequence, events[^1].Sequence);

    /// <inheritdoc/>
    public override string ToString() => $"{events.Count} inotify events";

    private void Take() => Interlocked.Exchange(ref taken, null)?.Invoke();
}
