namespace Inotify;

/// <summary>
/// The kernel's event bits (inotify(7)), with .NET names. Used both to ask for events
/// (a watch's mask) and to describe one (an event's mask).
/// </summary>
[Flags]
#pragma warning disable CA1028 // The values are the kernel's uint32 bits; a uint keeps them exact.
public enum InotifyEventMask : uint
#pragma warning restore CA1028
{
    /// <summary>No event.</summary>
    None = 0,

    /// <summary>IN_ACCESS: a file was read.</summary>
    Access = 0x1,

    /// <summary>IN_MODIFY: a file was written.</summary>
    Modify = 0x2,

    /// <summary>IN_ATTRIB: metadata changed (permissions, timestamps, owner, link count, xattrs).</summary>
    Attrib = 0x4,

    /// <summary>IN_CLOSE_WRITE: a file opened for writing was closed.</summary>
    CloseWrite = 0x8,

    /// <summary>IN_CLOSE_NOWRITE: a file or directory not opened for writing was closed.</summary>
    CloseNoWrite = 0x10,

    /// <summary>IN_OPEN: a file or directory was opened.</summary>
    Open = 0x20,

    /// <summary>IN_MOVED_FROM: an entry was renamed away from the watched directory.</summary>
    MovedFrom = 0x40,

    /// <summary>IN_MOVED_TO: an entry was renamed into the watched directory.</summary>
    MovedTo = 0x80,

    /// <summary>IN_CREATE: an entry was created in the watched directory.</summary>
    Create = 0x100,

    /// <summary>IN_DELETE: an entry was deleted from the watched directory.</summary>
    Delete = 0x200,

    /// <summary>IN_DELETE_SELF: the watched object itself was deleted.</summary>
    DeleteSelf = 0x400,

    /// <summary>IN_MOVE_SELF: the watched object itself was moved.</summary>
    MoveSelf = 0x800,

    /// <summary>IN_UNMOUNT: the file system holding the watched object was unmounted.</summary>
    Unmount = 0x2000,

    /// <summary>IN_Q_OVERFLOW: the kernel's queue overflowed and events were lost.</summary>
    QueueOverflow = 0x4000,

    /// <summary>IN_IGNORED: the watch ended (removed, object deleted, unmounted or one-shot fired).</summary>
    Ignored = 0x8000,

    /// <summary>
    /// Not a kernel bit: the engine's Ready event. A file is Ready once it was written and closed, or moved in, and
    /// it stayed quiet for the settle window while nobody had it open for writing (see <see cref="ReadinessOptions"/>).
    /// A watch that asks for it gets the kernel events readiness needs; the ones it did not ask for are not reported.
    /// Not part of <see cref="All"/>.
    /// </summary>
    Ready = 0x00800000,

    /// <summary>IN_ISDIR: the subject of the event is a directory.</summary>
    IsDirectory = 0x40000000,

    /// <summary>IN_CLOSE: CloseWrite or CloseNoWrite.</summary>
    Close = CloseWrite | CloseNoWrite,

    /// <summary>IN_MOVE: MovedFrom or MovedTo.</summary>
    Move = MovedFrom | MovedTo,

    /// <summary>IN_ALL_EVENTS: every event a watch can ask for.</summary>
    All = Access | Modify | Attrib | CloseWrite | CloseNoWrite | Open | MovedFrom | MovedTo
        | Create | Delete | DeleteSelf | MoveSelf,
}
