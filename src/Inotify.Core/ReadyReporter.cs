using System.Globalization;

namespace Inotify;

/// <summary>
/// Readiness inside the engine: feeds the <see cref="ReadinessTracker"/> with what the dispatcher reads for watches
/// that ask for <see cref="InotifyEventMask.Ready"/> and with what scans find, keeps the events those watches did not
/// ask for (and the probe's own Open and CloseNoWrite) from the consumer, and hands the tracker's decisions to the
/// outbox as Ready events.
/// </summary>
/// <remarks>
/// Under the engine lock: on the reader thread, or on a thread adding a watch that includes existing files. The
/// tracker is made on first use, so a watcher that never asks for Ready pays one mask test per event.
/// </remarks>
internal sealed class ReadyReporter(ReadinessOptions options, WatchTable table, EventOutbox outbox, ReadHorizon horizon, Func<long> clock)
{
    /// <summary>The kernel events readiness needs: a watch that asks for Ready gets them.</summary>
    internal const InotifyEventMask KernelEvents = InotifyEventMask.Create | InotifyEventMask.Modify | InotifyEventMask.Attrib
        | InotifyEventMask.CloseWrite | InotifyEventMask.Move | InotifyEventMask.Delete | InotifyEventMask.DeleteSelf | InotifyEventMask.MoveSelf;

    // What opening a file (the probe) or reading a directory (a scan) makes the kernel report.
    private const InotifyEventMask OwnReadEvents = InotifyEventMask.Open | InotifyEventMask.Access | InotifyEventMask.CloseNoWrite;

    private static int warmedUp;

    private readonly List<ReadyDecision> decisions = [];
    private ReadinessTracker? tracker;

    private ReadinessTracker Tracker => tracker ??= new ReadinessTracker(options, new OwnProbe(this, new LeaseWriterProbe()), Stamp);

    /// <summary>The kernel mask for a watch's mask: Ready is the engine's, and stands for the events it needs.</summary>
    internal static InotifyEventMask ToKernel(InotifyEventMask mask) =>
        (mask & InotifyEventMask.Ready) == 0 ? mask : (mask & ~InotifyEventMask.Ready) | KernelEvents;

    /// <summary>
    /// Compiles the readiness path before a watch asks for it, on the thread adding that watch, as the reader thread
    /// does for the event path: otherwise the first files wait tens of milliseconds for the JIT. Once per process.
    /// </summary>
    internal static void WarmUp()
    {
        if (Interlocked.Exchange(ref warmedUp, 1) != 0)
        {
            return;
        }

        ReaderThread.Prepare(typeof(ReadyReporter));
        ReaderThread.Prepare(typeof(ReadinessTracker));
        ReaderThread.Prepare(typeof(LeaseWriterProbe));
        ReaderThread.Prepare(typeof(TemporaryNames));
    }

    /// <summary>When a decision is due (milliseconds of the clock), or null.</summary>
    internal long? NextDeadline => tracker?.NextDeadline();

    /// <summary>An event read for a watch that asks for Ready.</summary>
    /// <returns>False when it is not for the consumer: the watch asked for it only for readiness, or the probe caused it.</returns>
    internal bool Observe(InotifyEventKind kind, uint mask, uint cookie, InotifyWatch w, string name, bool isDirectory)
    {
        string path = name.Length == 0 ? w.Path : InotifyEvent.Join(w.Path, name);
        long now = clock();
        switch (kind)
        {
            case InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite:
                if (horizon.HasTimedState && horizon.IsOwnRead(path))
                {
                    return false;
                }

                break;
            case InotifyEventKind.DeleteSelf or InotifyEventKind.MoveSelf or InotifyEventKind.Unmount:
                tracker?.ForgetUnder(w.Path);
                break;
            case InotifyEventKind.Create when isDirectory:
                break;
            default:
                if (Activity(kind) is { } activity && (isDirectory || IsIncluded(w, name, path)))
                {
                    Tracker.Observe(activity, path, isDirectory, now, cookie);
                }

                break;
        }

        // A recursive watch filters by its own mask; a plain watch delivers what the kernel sends, so it filters here.
        return w.Tree is not null || kind == InotifyEventKind.Unmount || (w.Mask & (InotifyEventMask)(mask & (uint)InotifyEventMask.All)) != 0;
    }

    /// <summary>A scan of a recursive watch reported an entry (a new directory's scan, or a repair).</summary>
    internal void OnScanned(RecursiveWatch tree, InotifyEventKind kind, string path, bool isDirectory, string? oldPath)
    {
        if (!tree.Options.Filter.IsIncluded(Path.GetFileName(path), tree.RelativePath(path)))
        {
            return;
        }

        long now = clock();
        if (oldPath is not null)
        {
            Tracker.Observe(FileActivity.Deleted, oldPath, isDirectory, now);
        }

        if (!isDirectory)
        {
            Tracker.Observe(kind == InotifyEventKind.Delete ? FileActivity.Deleted : FileActivity.Found, path, false, now);
        }
    }

    /// <summary>The files already in a plain watch's directory (or the watched file) are followed as found by a scan.</summary>
    internal void IncludeExisting(InotifyWatch w)
    {
        if (!w.IsDirectory)
        {
            Tracker.Observe(FileActivity.Found, w.Path, false, clock());
            return;
        }

        foreach (string name in ReadFiles(w))
        {
            if (w.Filter.IsIncluded(name, name))
            {
                Tracker.Observe(FileActivity.Found, InotifyEvent.Join(w.Path, name), false, clock());
            }
        }
    }

    /// <summary>The files already in one directory of a recursive watch are followed as found by a scan.</summary>
    internal void IncludeExisting(RecursiveWatch tree, InotifyWatch w)
    {
        foreach (string name in ReadFiles(w))
        {
            string path = InotifyEvent.Join(w.Path, name);
            if (tree.Options.Filter.IsIncluded(name, tree.RelativePath(path)))
            {
                Tracker.Observe(FileActivity.Found, path, false, clock());
            }
        }
    }

    /// <summary>Reports what became due. On the reader thread, inside an outbox batch.</summary>
    internal void AfterRead(DateTime time)
    {
        if (tracker is null || tracker.NextDeadline() is not { } due || due > clock())
        {
            return;
        }

        tracker.CollectDue(clock(), decisions);
        foreach (ReadyDecision d in decisions)
        {
            Emit(d, time);
        }

        decisions.Clear();
    }

    private static FileActivity? Activity(InotifyEventKind kind) => kind switch
    {
        InotifyEventKind.Create => FileActivity.Created,
        InotifyEventKind.Modify => FileActivity.Modified,
        InotifyEventKind.Attrib => FileActivity.Attrib,
        InotifyEventKind.CloseWrite => FileActivity.ClosedWrite,
        InotifyEventKind.MovedFrom => FileActivity.MovedFrom,
        InotifyEventKind.MovedTo => FileActivity.MovedTo,
        InotifyEventKind.Delete => FileActivity.Deleted,
        _ => null,
    };

    private static bool IsIncluded(InotifyWatch w, string name, string path) =>
        name.Length == 0 || (w.Tree is { } tree ? tree.Options.Filter.IsIncluded(name, tree.RelativePath(path)) : w.Filter.IsIncluded(name, name));

    private static FileStamp? Stamp(string path) =>
        NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && (st.Mode & 0xF000) == 0x8000
            ? new FileStamp(st.Inode, st.Size, st.LastWriteTimeUtc)
            : null;

    private static string Describe(ReadyReason reason, TimeSpan waited)
    {
        if ((reason & ReadyReason.MaxWaitExceeded) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Not complete after {waited.TotalSeconds:0.#} s (MaxWait): a writer still has it open, or it keeps changing. It is reported again once it is complete.");
        }

        string? why = (reason & ~(ReadyReason.NoWriters | ReadyReason.Quiet)) switch
        {
            ReadyReason.NotOwner => "only the file's owner (or a process with CAP_LEASE) may take the lease that tells whether anyone is writing",
            ReadyReason.LeasesUnsupported => "the file system does not support the lease that tells whether anyone is writing",
            ReadyReason.LeaseHeld => "another program holds a lease on the file",
            ReadyReason.NotReadable => "the file cannot be opened for reading",
            ReadyReason.ProbeFailed => "the kernel refused the lease that tells whether anyone is writing",
            _ => null,
        };
        return why is null ? string.Empty : $"Ready by the quiet rule alone (no change for the longer settle window): {why}.";
    }

    /// <summary>Reads a directory for its files; the Open, Access and CloseNoWrite this causes are the engine's own.</summary>
    private List<string> ReadFiles(InotifyWatch w)
    {
        if ((w.Mask & OwnReadEvents) != 0)
        {
            horizon.NoteOwnRead(w.Path);
        }

        var names = new List<string>();
        try
        {
            foreach (NativeDirectoryEntry e in NativeFile.ReadDirectory(w.Path))
            {
                if (e.IsDirectory != true)
                {
                    // A name whose type readdir does not give is sorted out by the tracker's stat (regular files only).
                    names.Add(e.Name);
                }
            }
        }
        catch (InotifyException)
        {
            // Gone or unreadable meanwhile: its own events say so.
        }

        return names;
    }

    private void Emit(ReadyDecision d, DateTime time)
    {
        InotifyWatch? w;
        string name = Path.GetFileName(d.Path);
        string dir = Path.GetDirectoryName(d.Path) ?? "/";
        if (!(table.TryGetByPath(dir, out w) && w!.IsDirectory && IsReadyWatch(w)))
        {
            // The watched file itself, or a watch that ended or no longer asks: then nobody wants to know.
            if (!(table.TryGetByPath(d.Path, out w) && !w!.IsDirectory && IsReadyWatch(w)))
            {
                return;
            }

            dir = d.Path;
            name = string.Empty;
        }

        string message = Describe(d.Reason, d.WaitTime);
        outbox.Deliver(InotifyEvent.Ready(dir, w.Descriptor, name, d.Reason, d.WaitTime, d.FromScan ? EventSource.Scan : EventSource.Kernel,
            message.Length == 0 ? null : message, time));
    }

    private static bool IsReadyWatch(InotifyWatch w) => w.IsActive && (w.Mask & InotifyEventMask.Ready) != 0;

    /// <summary>The probe is about to open <paramref name="path"/>: its Open and CloseNoWrite are the engine's own.</summary>
    private void NoteOwnOpen(string path)
    {
        bool asked = (table.TryGetByPath(Path.GetDirectoryName(path) ?? "/", out InotifyWatch? dir) && (dir!.Mask & OwnReadEvents) != 0)
            || (table.TryGetByPath(path, out InotifyWatch? file) && (file!.Mask & OwnReadEvents) != 0);
        if (asked)
        {
            horizon.NoteOwnRead(path);
        }
    }

    private sealed class OwnProbe(ReadyReporter owner, IWriterProbe probe) : IWriterProbe
    {
        public WriterProbeResult Probe(string path)
        {
            owner.NoteOwnOpen(path);
            return probe.Probe(path);
        }
    }
}
