namespace Inotify;

/// <summary>What an event says happened: one kernel event bit, or one of the engine's own events.</summary>
public enum InotifyEventKind
{
    /// <summary>A file was read.</summary>
    Access,

    /// <summary>A file was written.</summary>
    Modify,

    /// <summary>Metadata changed.</summary>
    Attrib,

    /// <summary>A file opened for writing was closed: the usual sign that a writer finished.</summary>
    CloseWrite,

    /// <summary>A file or directory not opened for writing was closed.</summary>
    CloseNoWrite,

    /// <summary>A file or directory was opened.</summary>
    Open,

    /// <summary>An entry left its directory by rename. With rename pairing on: it left the watched set (moved out).</summary>
    MovedFrom,

    /// <summary>An entry arrived by rename. With rename pairing on: it came from outside the watched set (moved in).</summary>
    MovedTo,

    /// <summary>An entry was created (or, with Source Scan or Rescan, found by a scan).</summary>
    Create,

    /// <summary>An entry was deleted.</summary>
    Delete,

    /// <summary>The watched object itself was deleted.</summary>
    DeleteSelf,

    /// <summary>The watched object itself was moved.</summary>
    MoveSelf,

    /// <summary>The file system of the watched object was unmounted.</summary>
    Unmount,

    /// <summary>The kernel's queue overflowed: events were lost before they could be read.</summary>
    QueueOverflow,

    /// <summary>A watch ended.</summary>
    Ignored,

    /// <summary>The consumer did not keep up: the engine dropped <see cref="InotifyEvent.DroppedCount"/> events at this point.</summary>
    EventsDropped,

    /// <summary>A rename within the watched set: a paired MovedFrom and MovedTo, with OldPath and Path.</summary>
    Renamed,

    /// <summary>A rescan after a gap (overflow or drop) started; the Rescan events that follow repair the picture.</summary>
    RescanStarted,

    /// <summary>The rescan after a gap finished.</summary>
    RescanCompleted,

    /// <summary>A directory of a recursive watch could not be watched (watch limit, permission, vanished); see Message.</summary>
    WatchFailed,

    /// <summary>
    /// A file is complete: written and closed (or moved in, or found by a scan), quiet for the settle window, and
    /// nobody has it open for writing. <see cref="InotifyEvent.ReadyReason"/> says why; with
    /// <see cref="ReadyReason.MaxWaitExceeded"/> it is NOT complete, only waited for too long.
    /// </summary>
    Ready,
}

/// <summary>The kind a kernel record stands for.</summary>
internal static class EventKinds
{
    /// <summary>One event bit per record; the lowest set bit names it. No bit at all is IN_IGNORED's record.</summary>
    internal static InotifyEventKind Of(uint mask)
    {
        uint events = mask & 0xFFFF;
        if (events == 0)
        {
            return InotifyEventKind.Ignored;
        }

        return (InotifyEventMask)(events & (uint)-(int)events) switch
        {
            InotifyEventMask.Access => InotifyEventKind.Access,
            InotifyEventMask.Modify => InotifyEventKind.Modify,
            InotifyEventMask.Attrib => InotifyEventKind.Attrib,
            InotifyEventMask.CloseWrite => InotifyEventKind.CloseWrite,
            InotifyEventMask.CloseNoWrite => InotifyEventKind.CloseNoWrite,
            InotifyEventMask.Open => InotifyEventKind.Open,
            InotifyEventMask.MovedFrom => InotifyEventKind.MovedFrom,
            InotifyEventMask.MovedTo => InotifyEventKind.MovedTo,
            InotifyEventMask.Create => InotifyEventKind.Create,
            InotifyEventMask.Delete => InotifyEventKind.Delete,
            InotifyEventMask.DeleteSelf => InotifyEventKind.DeleteSelf,
            InotifyEventMask.MoveSelf => InotifyEventKind.MoveSelf,
            InotifyEventMask.Unmount => InotifyEventKind.Unmount,
            InotifyEventMask.QueueOverflow => InotifyEventKind.QueueOverflow,
            _ => InotifyEventKind.Ignored,
        };
    }
}
