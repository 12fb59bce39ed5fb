namespace Inotify;

/// <summary>
/// The ways the engine makes events. Every event of one kind of origin is built in one place, so events of the
/// same origin agree on their mask, IsDirectory and Source.
/// </summary>
public sealed partial class InotifyEvent
{
    /// <summary>
    /// A record read from the kernel. Recursive watches pass the decoded <paramref name="name"/>; plain watches pass
    /// null and the read's bytes in <paramref name="chunk"/>, so the name is decoded only if someone asks for it.
    /// </summary>
    internal static InotifyEvent FromKernel(InotifyEventKind kind, in RawEvent raw, string watchPath, int wd, bool isDirectory, string? name, byte[]? chunk, DateTime time) =>
        new(kind, (InotifyEventMask)raw.Mask, watchPath, name is null ? chunk : null, raw.NameOffset, raw.NameLength, name, isDirectory,
            raw.Cookie, 0, time, EventSource.Kernel, watchDescriptor: wd);

    /// <summary>A kernel record remembered past its read (an unpaired MovedFrom): its name is already decoded.</summary>
    internal static InotifyEvent FromKernel(InotifyEventKind kind, uint mask, uint cookie, string watchPath, int wd, bool isDirectory, string name, DateTime time) =>
        new(kind, (InotifyEventMask)mask, watchPath, null, 0, name.Length, name, isDirectory, cookie, 0, time, EventSource.Kernel, watchDescriptor: wd);

    /// <summary>A MovedFrom and a MovedTo with one cookie, as one event.</summary>
    internal static InotifyEvent Renamed(string directory, int wd, string name, bool isDirectory, uint cookie, string oldPath, DateTime time) =>
        new(InotifyEventKind.Renamed, InotifyEventMask.Move | DirectoryBit(isDirectory), directory, null, 0, name.Length, name, isDirectory,
            cookie, 0, time, EventSource.Kernel, oldPath, watchDescriptor: wd);

    /// <summary>
    /// An entry the engine found by reading a directory: a new directory's scan (<see cref="EventSource.Scan"/>) or a
    /// repair's comparison with its snapshot (<see cref="EventSource.Rescan"/>). The mask is the kernel bit the kind
    /// stands for.
    /// </summary>
    internal static InotifyEvent Scanned(EventSource source, InotifyEventKind kind, string directory, int wd, string name, bool isDirectory, DateTime time, string? oldPath = null)
    {
        InotifyEventMask bit = kind switch
        {
            InotifyEventKind.Delete => InotifyEventMask.Delete,
            InotifyEventKind.Modify => InotifyEventMask.Modify,
            InotifyEventKind.Renamed => InotifyEventMask.Move,
            _ => InotifyEventMask.Create,
        };
        return new(kind, bit | DirectoryBit(isDirectory), directory, null, 0, name.Length, name, isDirectory, 0, 0, time, source, oldPath, watchDescriptor: wd);
    }

    /// <summary>The kernel's IN_Q_OVERFLOW: events were lost before they could be read.</summary>
    internal static InotifyEvent Overflow(uint mask, DateTime time) =>
        new(InotifyEventKind.QueueOverflow, (InotifyEventMask)mask, string.Empty, null, 0, 0, string.Empty, false, 0, 0, time, EventSource.Kernel,
            message: "The kernel's event queue overflowed (fs.inotify.max_queued_events): events were lost before they could be read.");

    /// <summary>
    /// Where the engine dropped events (the consumer did not keep up, or the reader stopped). Its mask says events
    /// were lost, as an overflow's does.
    /// </summary>
    internal static InotifyEvent DropMarker(long droppedCount, string message, DateTime time) =>
        new(InotifyEventKind.EventsDropped, InotifyEventMask.QueueOverflow, string.Empty, null, 0, 0, string.Empty, false, 0, 0, time,
            EventSource.Engine, droppedCount: droppedCount, message: message);

    /// <summary>
    /// A report of the engine's own about a directory of a recursive watch (WatchFailed, RescanStarted,
    /// RescanCompleted): no kernel bit stands for it, and its subject is a directory.
    /// </summary>
    internal static InotifyEvent Report(InotifyEventKind kind, string directory, string message, DateTime time) =>
        new(kind, InotifyEventMask.None, directory, null, 0, 0, string.Empty, true, 0, 0, time, EventSource.Engine, message: message);

    /// <summary>
    /// A file the readiness tracker found complete (or waited for too long): the entry <paramref name="name"/> of the
    /// directory <paramref name="watchPath"/>, or the watched file itself when the name is empty.
    /// </summary>
    internal static InotifyEvent Ready(string watchPath, int wd, string name, ReadyReason reason, TimeSpan waitTime, EventSource source, string? message, DateTime time) =>
        new(InotifyEventKind.Ready, InotifyEventMask.Ready, watchPath, null, 0, name.Length, name, false, 0, 0, time, source, watchDescriptor: wd, message: message)
        {
            ReadyReason = reason,
            WaitTime = waitTime,
        };

    private static InotifyEventMask DirectoryBit(bool isDirectory) => isDirectory ? InotifyEventMask.IsDirectory : InotifyEventMask.None;
}
