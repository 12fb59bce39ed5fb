using System.Collections.ObjectModel;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Several events forwarded as one engine event (New-InotifyWatcher -BatchSize): <c>$Event.SourceEventArgs.Events</c>
/// holds them in the order they happened. PowerShell runs only a couple of -Action blocks per checkpoint, so a
/// handler that takes a batch at a time keeps up with bursts that one event per engine event cannot.
/// </summary>
/// <remarks>
/// Across remoting, jobs and Export-Clixml the batch is serialized two levels deep (InotifyPS.types.ps1xml), so
/// Events arrive as events. They are kept in a ReadOnlyCollection of an array of their own: what crosses is a
/// collection with a plain type name, and no caller's list is shared.
/// </remarks>
public sealed class InotifyEventBatch : EventArgs
{
    /// <summary>Makes a batch.</summary>
    public InotifyEventBatch(IReadOnlyList<InotifyEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        Events = new ReadOnlyCollection<InotifyEvent>(events.ToArray());
    }

    /// <summary>The events, oldest first.</summary>
    public IReadOnlyList<InotifyEvent> Events { get; }

    /// <summary>How many events the batch holds.</summary>
    public int Count => Events.Count;

    /// <inheritdoc/>
    public override string ToString() => $"{Count} inotify events";
}
