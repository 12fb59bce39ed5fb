using Inotify;

namespace InotifyPS;

/// <summary>What Wait-InotifyEvent does with an event it read.</summary>
internal enum EventDecision
{
    /// <summary>Write it to the pipeline.</summary>
    Write,

    /// <summary>Pass over it: the user did not ask for it, and nothing needs saying.</summary>
    Skip,

    /// <summary>Do not write it, but say in a warning what it means (a watch ended, a root moved).</summary>
    Explain,
}

/// <summary>
/// Which events Wait-InotifyEvent writes. The engine's own reports (QueueOverflow, EventsDropped, WatchFailed, the
/// rescans) always go through: they say why in their Message, and a loop must see that events were lost. Kernel
/// events go through when their kind is among -Event; the ones that end or move a watch without being asked for
/// (Ignored, a root's MoveSelf) become a warning instead, so a loop never acts on a kind it did not ask for.
/// </summary>
/// <param name="mask">The kinds to write, or null for every kind (a watcher read without -Event).</param>
/// <param name="filter">-Include/-Exclude for a watcher's events (a watcher the command made filters in the engine).</param>
/// <param name="ownWatcher">The command made the watcher for its paths, and ends when it has nothing left to watch.</param>
internal sealed class EventSelection(InotifyEventMask? mask, PathFilter filter, bool ownWatcher)
{
    public bool OwnWatcher => ownWatcher;

    /// <summary>Directories whose failure was already written as an error; their WatchFailed event is not written again.</summary>
    public HashSet<string> AlreadyReported { get; } = new(StringComparer.Ordinal);

    /// <summary>What a warning or error says about an event that is not written.</summary>
    public static string Explain(InotifyEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string path = e.Path;
        return e.Kind switch
        {
            InotifyEventKind.MoveSelf => $"'{path}' was moved away; the watch goes on, but paths in its later events may not say where the files are now.",
            InotifyEventKind.Ignored when NativeFile.Exists(path) => $"The watch of '{path}' ended: its file system was unmounted, or the watch was removed.",
            InotifyEventKind.Ignored => $"'{path}' was deleted (or moved to another file system): it is no longer watched.",
            _ => $"{e.Kind} '{path}' is not among the events asked for.",
        };
    }

    public EventDecision Decide(InotifyEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Kind == InotifyEventKind.WatchFailed && AlreadyReported.Remove(e.Path))
        {
            return EventDecision.Skip;
        }

        if (e.Source == EventSource.Engine || e.Kind == InotifyEventKind.QueueOverflow)
        {
            return EventDecision.Write;
        }

        if (!filter.IsEmpty && e.Name.Length > 0 && !filter.IsIncluded(e.Name, e.Path))
        {
            return EventDecision.Skip;
        }

        // Scan and Rescan events stand for entries the consumer was not told of: the engine already chose them by the mask.
        if (mask is not { } asked || e.Source != EventSource.Kernel || (e.Mask & asked & ValidateEventMaskAttribute.Askable) != 0)
        {
            return EventDecision.Write;
        }

        // DeleteSelf and Unmount are followed by the watch's Ignored, which explains them both.
        return e.Kind is InotifyEventKind.Ignored or InotifyEventKind.MoveSelf ? EventDecision.Explain : EventDecision.Skip;
    }
}
