using System.Runtime.CompilerServices;
using Inotify.Interop;

namespace Inotify;

/// <summary>
/// Turns raw records into events, on the reader thread, under the registry's lock: resolves the wd,
/// pairs renames, keeps recursive watches whole, de-duplicates scan results, keeps the repair snapshot,
/// and hands events to the queue without ever blocking on the consumer.
/// </summary>
/// <remarks>
/// Implementation notes on the races of recursive watching (see also TreeWalker):
/// - A directory's watch is added before the directory is read, so nothing created in it is missed:
///   an entry created after the watch produces a kernel event, one created before it is found by the
///   read. An entry created in between is seen by both, so the names a scan reported are remembered
///   until the reader has consumed every byte that was queued when the scan ended (FIONREAD), and the
///   kernel's Create for such a name is not reported again.
/// - A directory renamed within the tree gives MovedFrom and MovedTo with one cookie, possibly split
///   across reads and with other events between them. Watches are re-pathed when the MovedTo is read;
///   a MovedFrom whose partner does not come within the pairing window moved out, and its watches end.
/// - Events already queued for a watch that was removed still resolve: the wd stays in the table until
///   its IN_IGNORED is read.
/// - When events are lost (kernel overflow) or dropped (the consumer's queue was full), the snapshot
///   still describes what the consumer was told; a rescan compares it with the disk and reports the
///   difference as Rescan events, so the consumer's picture ends up right.
/// </remarks>
internal sealed class EventPipeline(InotifyWatcher watcher, WatchRegistry registry, EventQueue queue, SafeInotifyHandle handle)
{
    // Kernel file timestamps are taken from a coarse clock; a change made just before the gap may carry a
    // time slightly earlier than the last read, so the "modified during the gap" test looks back this far.
    private static readonly TimeSpan TimestampSlack = TimeSpan.FromSeconds(1);

    private readonly InotifyWatcherOptions options = watcher.Options;
    private readonly Dictionary<uint, PendingMove> pendingMoves = [];
    private const long OwnReadMilliseconds = 100;
    private readonly Dictionary<string, OwnRead> ownReads = new(StringComparer.Ordinal);
    private int pendingDirectoryMoves;
    private byte[] batchBuffer = [];
    private int batchLength;
    private byte[]? batchCopy;
    private string? lastName;
    private ReadOnlyMemory<byte> lastNameBytes;
    private long sequence;
    private long dropped;
    private long overflows;
    private readonly List<InotifyEvent> outbox = [];
    private int batchDepth;
    private int budget;
    private long pendingDrops;
    private long consumedBytes;
    private long batchEndBytes;
    private DateTime lastBatchTime = DateTime.UtcNow;
    private DateTime? gapStart;

    internal long Sequence => Interlocked.Read(ref sequence);

    internal long DroppedCount => Interlocked.Read(ref dropped);

    internal long OverflowCount => Interlocked.Read(ref overflows);

    /// <summary>Bytes the reader will have consumed once the kernel's queue as it is now is read: scan results are de-duplicated until then.</summary>
    internal long DedupeHorizon()
    {
        int pending = 0;
        return Libc.Ioctl(handle, Libc.FIONREAD, out pending) == 0 ? batchEndBytes + pending : batchEndBytes + (1 << 20);
    }

    /// <summary>How long the reader may sleep in poll(); called on the reader thread, which alone changes these.</summary>
    internal int MillisecondsUntilNextDeadline()
    {
        if (pendingDrops > 0 || gapStart is not null || ownReads.Count > 0)
        {
            return 10;
        }

        if (pendingMoves.Count == 0)
        {
            return -1;
        }

        long next = long.MaxValue;
        foreach (PendingMove m in pendingMoves.Values)
        {
            next = Math.Min(next, m.Deadline);
        }

        return (int)Math.Clamp(next - Environment.TickCount64, 0, int.MaxValue);
    }

    internal void ProcessBatch(byte[] buffer, int length, DateTime now)
    {
        lock (registry.Sync)
        {
            using BatchScope scope = Batch();
            batchBuffer = buffer;
            batchLength = length;
            batchCopy = null;
            lastName = null;
            ReadOnlySpan<byte> chunk = buffer.AsSpan(0, length);
            batchEndBytes = consumedBytes + length;
            int offset = 0;
            while (true)
            {
                int start = offset;
                ParseStatus status = EventParser.TryParse(chunk, ref offset, out RawEvent raw);
                if (status == ParseStatus.End)
                {
                    break;
                }

                if (status == ParseStatus.Malformed)
                {
                    // The kernel returns whole records; this cannot happen short of a kernel bug. Say so.
                    Deliver(Engine(InotifyEventKind.EventsDropped, now, "The kernel returned a malformed inotify record; the rest of that read was skipped.", droppedCount: 1), mustDeliver: true);
                    break;
                }

                consumedBytes += offset - start;
                Process(raw, buffer, now);
            }

            consumedBytes = batchEndBytes;
            AfterBatch(now);
            lastBatchTime = now;
        }
    }

    internal void OnIdle()
    {
        lock (registry.Sync)
        {
            using BatchScope scope = Batch();
            AfterBatch(DateTime.UtcNow);
        }
    }

    internal void ReportFatal(InotifyException e)
    {
        lock (registry.Sync)
        {
            Deliver(Engine(InotifyEventKind.EventsDropped, DateTime.UtcNow, "The reader stopped: " + e.Message), mustDeliver: true);
        }
    }

    /// <summary>Reports a directory of a recursive watch that could not be watched.</summary>
    internal void ReportWatchFailed(RecursiveWatch tree, string path, InotifyException e)
    {
        tree.AddUnwatched(new UnwatchedDirectory(path, e.ErrorId, e.Message));
        Deliver(new InotifyEvent(InotifyEventKind.WatchFailed, InotifyEventMask.IsDirectory, path, null, 0, 0, string.Empty, true, 0,
            0, DateTime.UtcNow, EventSource.Engine, message: e.Message), mustDeliver: true);
    }

    /// <summary>Reports an entry found by a scan. Returns whether the consumer now knows of it.</summary>
    internal bool ReportScanned(RecursiveWatch tree, string dirPath, int wd, string name, bool isDir, EventSource source, InotifyEventKind kind = InotifyEventKind.Create, string? oldPath = null)
    {
        string path = InotifyEvent.Join(dirPath, name);
        InotifyEventMask bit = kind switch
        {
            InotifyEventKind.Delete => InotifyEventMask.Delete,
            InotifyEventKind.Modify => InotifyEventMask.Modify | InotifyEventMask.CloseWrite,
            InotifyEventKind.Renamed => InotifyEventMask.Move,
            _ => InotifyEventMask.Create | InotifyEventMask.CloseWrite | InotifyEventMask.MovedTo,
        };
        if ((tree.Mask & bit) == 0 || !tree.Options.Filter.IsIncluded(name, tree.RelativePath(path)))
        {
            return true;
        }

        InotifyEventMask mask = kind switch
        {
            InotifyEventKind.Delete => InotifyEventMask.Delete,
            InotifyEventKind.Modify => InotifyEventMask.Modify,
            InotifyEventKind.Renamed => InotifyEventMask.Move,
            _ => InotifyEventMask.Create,
        } | (isDir ? InotifyEventMask.IsDirectory : 0);
        return Deliver(new InotifyEvent(kind, mask, dirPath, null, 0, 0, name, isDir, 0, 0, DateTime.UtcNow, source, oldPath, watchDescriptor: wd));
    }

    internal void ReportEngine(InotifyEventKind kind, string path, string message) =>
        Deliver(new InotifyEvent(kind, InotifyEventMask.None, path, null, 0, 0, string.Empty, true, 0, 0, DateTime.UtcNow, EventSource.Engine, message: message), mustDeliver: true);

    private static InotifyEventKind KindOf(uint mask)
    {
        uint events = mask & 0xFFFF;
        if (events == 0)
        {
            return InotifyEventKind.Ignored;
        }

        // One event bit per record; the lowest set bit names it.
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

    private void Process(in RawEvent raw, byte[] chunk, DateTime now)
    {
        if ((raw.Mask & (uint)InotifyEventMask.QueueOverflow) != 0)
        {
            Interlocked.Increment(ref overflows);
            Deliver(new InotifyEvent(InotifyEventKind.QueueOverflow, (InotifyEventMask)raw.Mask, string.Empty, null, 0, 0, string.Empty, false, 0,
                0, now, EventSource.Kernel,
                message: "The kernel's event queue overflowed (fs.inotify.max_queued_events): events were lost before they could be read."),
                mustDeliver: true);
            StartGap(lastBatchTime);
            return;
        }

        InotifyEventKind kind = KindOf(raw.Mask);
        if (!registry.TryGet(raw.Wd, out InotifyWatch? w) || w is null)
        {
            // A wd this table does not know (cannot happen while add and read share the lock); still reported.
            Deliver(new InotifyEvent(kind, (InotifyEventMask)raw.Mask, string.Empty, StableChunk(), raw.NameOffset, raw.NameLength, null,
                (raw.Mask & (uint)InotifyEventMask.IsDirectory) != 0, raw.Cookie, 0, now, watchDescriptor: raw.Wd));
            return;
        }

        bool isDir = (raw.Mask & (uint)InotifyEventMask.IsDirectory) != 0 || (raw.NameLength == 0 && w.IsDirectory);
        if (kind == InotifyEventKind.Ignored)
        {
            registry.OnIgnored(w);
            if (w.Tree is null || w == w.Tree.Root)
            {
                Deliver(Kernel(kind, raw, w, isDir, now, string.Empty));
            }

            return;
        }

        RecursiveWatch? tree = w.Tree;
        if (tree is not null && pendingDirectoryMoves > 0)
        {
            // The kernel queues a rename's MovedTo before anything that happens after the rename, so an
            // event from inside a directory whose MovedFrom is still unpaired means it left the tree.
            ExpireMovesContaining(w.Path);
        }

        if (w.MovedOut)
        {
            return;
        }

        if (kind is InotifyEventKind.MovedFrom or InotifyEventKind.MovedTo && (options.PairRenames || tree is not null))
        {
            HandleMove(kind, raw, chunk, w, isDir, now);
            return;
        }

        if (tree is null)
        {
            // A plain watch decodes a name only when asked, unless a filter must look at it first.
            string? plainName = null;
            if (!w.Filter.IsEmpty && raw.NameLength > 0 && !w.Filter.IsIncluded(plainName = DecodeName(raw, chunk), plainName))
            {
                return;
            }

            Deliver(Kernel(kind, raw, w, isDir, now, plainName));
            return;
        }

        string name = DecodeName(raw, chunk);
        bool filtered = !tree.Options.Filter.IsEmpty;

        // Most events are about files in an unfiltered tree: they need neither the full path nor the relative one.
        string path = name.Length == 0 ? w.Path : (isDir || filtered) ? InotifyEvent.Join(w.Path, name) : string.Empty;
        string relative = filtered ? tree.RelativePath(path) : string.Empty;
        if (filtered && name.Length > 0 && tree.Options.Filter.IsExcluded(name, relative))
        {
            return;
        }

        bool wanted = (tree.Mask & (InotifyEventMask)(raw.Mask & 0xFFFF)) != 0
            && (name.Length == 0 || !filtered || tree.Options.Filter.IsIncluded(name, relative));
        switch (kind)
        {
            case InotifyEventKind.Create:
                if (!TakeScanned(w, name) && (!wanted || Deliver(Kernel(kind, raw, w, isDir, now, name))))
                {
                    w.Snapshot?.TryAdd(name, new SnapshotEntry(0, isDir));
                }

                if (isDir && !registry.IsWatched(path))
                {
                    new TreeWalker(registry, this, tree).ScanNew(path, EventSource.Scan);
                }

                break;
            case InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite
                when isDir && ownReads.TryGetValue(path, out OwnRead own) && own.Covers(consumedBytes):
                // The engine's own readdir of a directory it just watched: not the user's business.
                break;
            case InotifyEventKind.Delete:
                TakeScanned(w, name);
                if (!wanted || Deliver(Kernel(kind, raw, w, isDir, now, name)))
                {
                    w.Snapshot?.Remove(name);
                }

                break;
            case InotifyEventKind.DeleteSelf or InotifyEventKind.MoveSelf:
                // For a subdirectory the parent's Delete or Move already said it; only the root's matters.
                if (w == tree.Root)
                {
                    tree.State = kind == InotifyEventKind.DeleteSelf ? RecursiveWatchState.RootDeleted : RecursiveWatchState.RootMoved;
                    Deliver(Kernel(kind, raw, w, isDir, now, name), mustDeliver: true);
                }

                break;
            default:
                if (wanted || kind == InotifyEventKind.Unmount)
                {
                    Deliver(Kernel(kind, raw, w, isDir, now, name));
                }

                break;
        }
    }

    private void HandleMove(InotifyEventKind kind, in RawEvent raw, byte[] chunk, InotifyWatch w, bool isDir, DateTime now)
    {
        string name = NativeName.Decode(chunk.AsSpan(raw.NameOffset, raw.NameLength));
        string path = InotifyEvent.Join(w.Path, name);
        RecursiveWatch? tree = w.Tree;
        bool excluded = tree is not null ? tree.Options.Filter.IsExcluded(name, tree.RelativePath(path)) : !w.Filter.IsIncluded(name, name);
        if (kind == InotifyEventKind.MovedFrom)
        {
            var from = new PendingMove(w, raw, name, path, isDir, excluded, now, Environment.TickCount64 + (long)options.RenamePairingWindow.TotalMilliseconds);
            pendingMoves[raw.Cookie] = from;
            pendingDirectoryMoves += isDir ? 1 : 0;
            TakeScanned(w, name);
            if (!options.PairRenames && !excluded && (!Wanted(tree, InotifyEventMask.MovedFrom, name, path) || Deliver(Kernel(kind, raw, w, isDir, now, name))))
            {
                w.Snapshot?.Remove(name);
            }

            return;
        }

        if (pendingMoves.Remove(raw.Cookie, out PendingMove? source))
        {
            pendingDirectoryMoves -= source.IsDirectory ? 1 : 0;
            RecursiveWatch? sourceTree = source.Watch.Tree;
            if (source.IsDirectory)
            {
                if (tree is null || excluded)
                {
                    // Directories of a recursive watch that landed outside it (or in an excluded part) leave it.
                    registry.RemoveSubtree(source.Path, movedOut: true, treeOnly: true);
                }

                // Whatever still watches the moved directory, or below it, follows it to its new path.
                registry.Rename(source.Path, path);
            }

            if (options.PairRenames)
            {
                bool wantedHere = !excluded && Wanted(tree, InotifyEventMask.Move, name, path);
                bool wantedThere = !source.Excluded && Wanted(sourceTree, InotifyEventMask.Move, source.Name, source.Path);
                if (!(wantedHere || wantedThere) || Deliver(new InotifyEvent(InotifyEventKind.Renamed,
                    InotifyEventMask.Move | (isDir ? InotifyEventMask.IsDirectory : 0), w.Path, null, 0, 0, name, isDir,
                    raw.Cookie, 0, now, EventSource.Kernel, source.Path, watchDescriptor: w.Descriptor)))
                {
                    source.Watch.Snapshot?.Remove(source.Name);
                    if (!excluded)
                    {
                        w.Snapshot?[name] = new SnapshotEntry(0, isDir);
                    }
                }

                ScanIfNew(tree, isDir, excluded, path);
                return;
            }
        }

        if (!excluded && (!Wanted(tree, InotifyEventMask.MovedTo, name, path) || Deliver(Kernel(kind, raw, w, isDir, now, name))))
        {
            w.Snapshot?[name] = new SnapshotEntry(0, isDir);
        }

        ScanIfNew(tree, isDir, excluded, path);
    }

    /// <summary>A directory arrived from outside the tree (or from an excluded part): watch it and report what it holds.</summary>
    private void ScanIfNew(RecursiveWatch? tree, bool isDir, bool excluded, string path)
    {
        if (isDir && tree is not null && !excluded && !registry.IsWatched(path))
        {
            new TreeWalker(registry, this, tree).ScanNew(path, EventSource.Scan);
        }
    }

    /// <summary>The engine just read a directory: the Open, Access and CloseNoWrite this caused are its own, and are not reported.</summary>
    /// <remarks>
    /// The Open and Access are queued by the time the read returns; the CloseNoWrite is queued when the
    /// kernel finishes the close, which can come a little later. So the window is the bytes queued now,
    /// or a short time, whichever lasts longer; someone else opening the directory within it goes unreported.
    /// </remarks>
    internal void NoteOwnRead(string dir) => ownReads[dir] = new OwnRead(DedupeHorizon(), Environment.TickCount64 + OwnReadMilliseconds);

    /// <summary>
    /// Decodes a name, reusing the previous string when the bytes repeat: a file's Create, Modify and
    /// CloseWrite come in a row. The cache lives for one read, since the buffer is reused after it.
    /// </summary>
    private string DecodeName(in RawEvent raw, byte[] chunk)
    {
        ReadOnlySpan<byte> bytes = chunk.AsSpan(raw.NameOffset, raw.NameLength);
        if (lastName is not null && lastNameBytes.Span.SequenceEqual(bytes))
        {
            return lastName;
        }

        lastName = NativeName.Decode(bytes);
        lastNameBytes = chunk.AsMemory(raw.NameOffset, raw.NameLength);
        return lastName;
    }

    private static bool Wanted(RecursiveWatch? tree, InotifyEventMask bits, string name, string path) =>
        tree is null || ((tree.Mask & bits) != 0 && tree.Options.Filter.IsIncluded(name, tree.RelativePath(path)));

    private void ExpireMoves(bool all)
    {
        if (pendingMoves.Count == 0)
        {
            return;
        }

        long now = Environment.TickCount64;
        foreach ((uint cookie, PendingMove m) in pendingMoves.Where(p => all || p.Value.Deadline <= now).OrderBy(p => p.Value.Deadline).ToList())
        {
            Expire(cookie, m);
        }
    }

    private void ExpireMovesContaining(string path)
    {
        foreach ((uint cookie, PendingMove m) in pendingMoves.Where(p => p.Value.IsDirectory
            && (path == p.Value.Path || path.StartsWith(p.Value.Path + "/", StringComparison.Ordinal))).ToList())
        {
            Expire(cookie, m);
        }
    }

    private void Expire(uint cookie, PendingMove m)
    {
        {
            pendingMoves.Remove(cookie);
            pendingDirectoryMoves -= m.IsDirectory ? 1 : 0;
            if (m.IsDirectory)
            {
                // Moved out of the watched set: a recursive watch's directories would report paths that no
                // longer exist. A watch the user added by hand stays (with its last known path).
                registry.RemoveSubtree(m.Path, movedOut: true, treeOnly: true);
            }

            if (options.PairRenames && !m.Excluded
                && (!Wanted(m.Watch.Tree, InotifyEventMask.MovedFrom, m.Name, m.Path)
                    || Deliver(Kernel(InotifyEventKind.MovedFrom, m.Raw, m.Watch, m.IsDirectory, m.Time, m.Name, m.WatchPath))))
            {
                m.Watch.Snapshot?.Remove(m.Name);
            }
        }
    }

    private bool TakeScanned(InotifyWatch w, string name)
    {
        if (w.ScannedNames is null)
        {
            return false;
        }

        if (consumedBytes > w.ScanDedupeUntil)
        {
            w.ScannedNames = null;
            return false;
        }

        return w.ScannedNames.Remove(name);
    }

    private void AfterBatch(DateTime now)
    {
        ExpireMoves(all: false);
        if (ownReads.Count > 0)
        {
            foreach (string dir in ownReads.Where(r => !r.Value.Covers(consumedBytes)).Select(r => r.Key).ToList())
            {
                ownReads.Remove(dir);
            }
        }

        FlushDropMarker(now);
        if (gapStart is { } since && pendingDrops == 0)
        {
            gapStart = null;
            foreach (RecursiveWatch tree in registry.Trees())
            {
                if (tree.Options.RepairAfterOverflow && tree.State is RecursiveWatchState.Active or RecursiveWatchState.Degraded)
                {
                    new TreeWalker(registry, this, tree).Repair(since - TimestampSlack);
                }
            }
        }
    }

    private void StartGap(DateTime since)
    {
        if (gapStart is null || since < gapStart)
        {
            gapStart = since;
        }
    }

    // An event whose name is already decoded does not keep the read's chunk alive.
    private InotifyEvent Kernel(InotifyEventKind kind, in RawEvent raw, InotifyWatch w, bool isDir, DateTime now, string? name, string? watchPath = null) =>
        new(kind, (InotifyEventMask)raw.Mask, watchPath ?? w.Path, name is null ? StableChunk() : null, raw.NameOffset, raw.NameLength, name, isDir, raw.Cookie, 0, now,
            watchDescriptor: w.Descriptor);

    /// <summary>
    /// A copy of this read's bytes for events that decode their name only when asked (plain watches).
    /// Made once per read, and only if such an event occurs: recursive watches decode at once and copy nothing.
    /// </summary>
    private byte[] StableChunk() => batchCopy ??= batchBuffer.AsSpan(0, batchLength).ToArray();

    private InotifyEvent Engine(InotifyEventKind kind, DateTime now, string message, long droppedCount = 0) =>
        new(kind, InotifyEventMask.QueueOverflow, string.Empty, null, 0, 0, string.Empty, false, 0, 0, now, EventSource.Engine,
            droppedCount: droppedCount, message: message);

    /// <summary>
    /// Starts collecting events for one hand-over: the queue is locked and its consumers woken once per
    /// batch rather than once per event. Must be called under the registry's lock; nests.
    /// </summary>
    internal BatchScope Batch()
    {
        if (batchDepth++ == 0)
        {
            budget = queue.FreeSpace;
        }

        return new BatchScope(this);
    }

    private void EndBatch()
    {
        if (--batchDepth == 0)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (outbox.Count > 0)
        {
            queue.EnqueueRange(outbox);
            outbox.Clear();
        }
    }

    /// <summary>Hands an event over. False means it was dropped (and counted) because the consumer is behind.</summary>
    private bool Deliver(InotifyEvent e, bool mustDeliver = false)
    {
        using BatchScope scope = Batch();
        if (budget <= 0)
        {
            // The consumer may have made room since the batch began.
            Flush();
            budget = queue.FreeSpace;
        }

        if (pendingDrops > 0)
        {
            FlushDropMarker(e.TimeStamp, force: mustDeliver);
        }

        // Numbered here, in stream order: a dropped event uses up its number too, so a gap in the
        // numbers always sits just before the EventsDropped marker that accounts for it.
        e.Sequence = ++sequence;

        if (pendingDrops == 0 && (budget > 0 || mustDeliver))
        {
            outbox.Add(e);
            budget--;
            return true;
        }

        if (gapStart is null)
        {
            StartGap(lastBatchTime);
        }

        pendingDrops++;
        Interlocked.Increment(ref dropped);
        return false;
    }

    private void FlushDropMarker(DateTime now, bool force = false)
    {
        if (pendingDrops == 0)
        {
            return;
        }

        using BatchScope scope = Batch();
        if (budget <= 0 && !force)
        {
            Flush();
            budget = queue.FreeSpace;
            if (budget <= 0)
            {
                return;
            }
        }

        InotifyEvent marker = Engine(InotifyEventKind.EventsDropped, now,
            $"The consumer did not keep up: {pendingDrops} events were dropped here (queue capacity {queue.Capacity}).", pendingDrops);
        marker.Sequence = ++sequence;
        outbox.Add(marker);
        budget--;
        pendingDrops = 0;
    }

    internal readonly struct BatchScope(EventPipeline owner) : IDisposable
    {
        public void Dispose() => owner.EndBatch();
    }

    private readonly record struct OwnRead(long UntilBytes, long UntilTicks)
    {
        public bool Covers(long consumed) => consumed <= UntilBytes || Environment.TickCount64 <= UntilTicks;
    }

    private sealed record PendingMove(InotifyWatch Watch, RawEvent Raw, string Name, string Path, bool IsDirectory, bool Excluded, DateTime Time, long Deadline)
    {
        public string WatchPath { get; } = Watch.Path;
    }
}
