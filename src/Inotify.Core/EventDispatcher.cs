using Inotify.Interop;

namespace Inotify;

/// <summary>
/// Turns the records of one read into events, record by record: finds the watch, pairs renames, keeps recursive
/// watches whole (new directories are scanned, moved ones keep their watches, ones that left lose them), keeps the
/// snapshot up to date, and hands events to the outbox. On the reader thread, under the engine lock.
/// </summary>
/// <remarks>
/// Events already queued for a watch that was removed still resolve: the wd stays in the table until its
/// IN_IGNORED is read. The parts it owns each do one thing: <see cref="RenamePairer"/> (pending MovedFroms),
/// <see cref="ReadHorizon"/> (scan twins and the engine's own reads), <see cref="EventOutbox"/> (numbering, hand-over,
/// drops, the gap) and <see cref="TreeWork"/> (scans and repairs between reads).
/// </remarks>
internal sealed class EventDispatcher(InotifyWatcherOptions options, WatchTable table, EventOutbox outbox, ReadHorizon horizon, TreeWork work, ReadyReporter ready,
    Func<long> clock)
{
    private readonly RenamePairer pairer = new();
    private byte[] buffer = [];
    private int length;
    private byte[]? stableCopy;
    private string? lastName;
    private ReadOnlyMemory<byte> lastNameBytes;
    private long overflows;

    internal long OverflowCount => Interlocked.Read(ref overflows);

    /// <summary>How long the reader may sleep in poll() before something here is due (-1: until an event comes).</summary>
    internal int MillisecondsUntilNextDeadline()
    {
        if (outbox.IsDropping || outbox.HasGap || horizon.HasTimedState)
        {
            return 10;
        }

        long? next = pairer.NextDeadline;
        if (work.NextRetry is { } retry)
        {
            next = next is { } n ? Math.Min(n, retry) : retry;
        }

        if (ready.NextDeadline is { } decision)
        {
            next = next is { } n ? Math.Min(n, decision) : decision;
        }

        return next is { } due ? (int)Math.Clamp(due - clock(), 0, int.MaxValue) : -1;
    }

    /// <summary>Processes one read: <paramref name="length"/> bytes of records in <paramref name="chunk"/>.</summary>
    internal void ProcessRead(byte[] chunk, int length, DateTime now)
    {
        using EventOutbox.Scope scope = outbox.Batch();
        buffer = chunk;
        this.length = length;
        stableCopy = null;
        lastName = null;
        horizon.BeginRead(length);
        work.BeginRead();
        int offset = 0;
        while (true)
        {
            int start = offset;
            ParseStatus status = EventParser.TryParse(chunk.AsSpan(0, length), ref offset, out RawEvent raw);
            if (status == ParseStatus.End)
            {
                break;
            }

            if (status == ParseStatus.Malformed)
            {
                // The kernel returns whole records; this cannot happen short of a kernel bug. Say so.
                outbox.Deliver(InotifyEvent.DropMarker(1, "The kernel returned a malformed inotify record; the rest of that read was skipped.", now), mustDeliver: true);
                break;
            }

            horizon.Advance(offset - start);
            Process(raw, now);
        }

        horizon.EndRead();
        AfterRead(now);
        outbox.EndRead(now);
    }

    /// <summary>The reader woke with nothing to read: deadlines may have passed.</summary>
    internal void OnIdle()
    {
        using EventOutbox.Scope scope = outbox.Batch();
        AfterRead(DateTime.UtcNow);
    }

    /// <summary>The reader cannot go on: the consumer is told, as a drop.</summary>
    internal void ReportFatal(InotifyException e) =>
        outbox.Deliver(InotifyEvent.DropMarker(0, "The reader stopped: " + e.Message, DateTime.UtcNow), mustDeliver: true);

    private void Process(in RawEvent raw, DateTime now)
    {
        if ((raw.Mask & (uint)InotifyEventMask.QueueOverflow) != 0)
        {
            Interlocked.Increment(ref overflows);
            outbox.Deliver(InotifyEvent.Overflow(raw.Mask, now), mustDeliver: true);
            outbox.OpenGap();
            return;
        }

        InotifyEventKind kind = EventKinds.Of(raw.Mask);
        if (!table.TryGet(raw.Wd, out InotifyWatch? w) || w is null)
        {
            // A wd the table does not know (cannot happen while adds and reads share the lock); still reported.
            outbox.Deliver(InotifyEvent.FromKernel(kind, raw, string.Empty, raw.Wd, (raw.Mask & (uint)InotifyEventMask.IsDirectory) != 0, null, StableChunk(), now));
            return;
        }

        bool isDir = (raw.Mask & (uint)InotifyEventMask.IsDirectory) != 0 || (raw.NameLength == 0 && w.IsDirectory);
        if (kind == InotifyEventKind.Ignored)
        {
            OnIgnored(raw, w, isDir, now);
            return;
        }

        RecursiveWatch? tree = w.Tree;
        if (tree is not null && pairer.HasDirectoryMoves)
        {
            Expire(pairer.TakeDirectoriesContaining(w.Path));
        }

        if (table.IsMovedOut(w))
        {
            return;
        }

        if ((w.Mask & InotifyEventMask.Ready) != 0
            && !ready.Observe(kind, raw.Mask, raw.Cookie, w, raw.NameLength == 0 ? string.Empty : DecodeName(raw), isDir))
        {
            return;
        }

        if (kind is InotifyEventKind.MovedFrom or InotifyEventKind.MovedTo && (options.PairRenames || tree is not null))
        {
            OnMove(kind, raw, w, isDir, now);
            return;
        }

        if (tree is null)
        {
            // A plain watch decodes a name only when asked, unless a filter must look at it first.
            string? plainName = null;
            if (!w.Filter.IsEmpty && raw.NameLength > 0 && !w.Filter.IsIncluded(plainName = DecodeName(raw), plainName))
            {
                return;
            }

            outbox.Deliver(InotifyEvent.FromKernel(kind, raw, w.Path, w.Descriptor, isDir, plainName, StableChunk(), now));
            return;
        }

        OnTreeEvent(kind, raw, w, tree, isDir, now);
    }

    private void OnTreeEvent(InotifyEventKind kind, in RawEvent raw, InotifyWatch w, RecursiveWatch tree, bool isDir, DateTime now)
    {
        string name = DecodeName(raw);
        bool filtered = !tree.Options.Filter.IsEmpty;

        // Most events are about files in an unfiltered tree: they need neither the full path nor the relative one,
        // unless the engine's own reads are about (their Open, Access and CloseNoWrite are recognised by path).
        bool ownReadsAbout = horizon.HasTimedState && kind is InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite;
        string path = name.Length == 0 ? w.Path : (isDir || filtered || ownReadsAbout) ? InotifyEvent.Join(w.Path, name) : string.Empty;
        string relative = filtered ? tree.RelativePath(path) : string.Empty;
        if (filtered && name.Length > 0 && tree.Options.Filter.IsExcluded(name, relative))
        {
            return;
        }

        bool wanted = (tree.Mask & (InotifyEventMask)(raw.Mask & 0xFFFF)) != 0
            && (name.Length == 0 || !filtered || tree.Options.Filter.IsIncluded(name, relative));
        TreeSnapshot? snapshot = tree.Snapshot;
        switch (kind)
        {
            case InotifyEventKind.Create:
                if (!horizon.TakeScanned(w, name) && (!wanted || outbox.Deliver(Kernel(kind, raw, w, isDir, now, name))))
                {
                    snapshot?.TryAdd(w, name, new SnapshotEntry(0, isDir));
                }

                if (isDir)
                {
                    work.ScanNew(tree, new DirectoryToVisit(w, name, 0));
                    work.ScanNow(tree);
                }

                break;
            case InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite when ownReadsAbout && horizon.IsOwnRead(path):
                // The engine's own read of a directory (or probe of a file): not the user's business.
                break;
            case InotifyEventKind.Delete:
                horizon.TakeScanned(w, name);
                if (!wanted || outbox.Deliver(Kernel(kind, raw, w, isDir, now, name)))
                {
                    snapshot?.Remove(w, name);
                }

                if (isDir)
                {
                    tree.RemoveUnwatched(path);
                }

                break;
            case InotifyEventKind.DeleteSelf or InotifyEventKind.MoveSelf:
                // For a subdirectory the parent's Delete or Move already said it; only the root's matters.
                if (w == tree.Root)
                {
                    tree.State = kind == InotifyEventKind.DeleteSelf ? RecursiveWatchState.RootDeleted : RecursiveWatchState.RootMoved;
                    outbox.Deliver(Kernel(kind, raw, w, isDir, now, name), mustDeliver: true);
                }

                break;
            default:
                if (wanted || kind == InotifyEventKind.Unmount)
                {
                    outbox.Deliver(Kernel(kind, raw, w, isDir, now, name));
                }

                break;
        }
    }

    private void OnIgnored(in RawEvent raw, InotifyWatch w, bool isDir, DateTime now)
    {
        // Active until now means the kernel ended it (deleted, unmounted), not a removal the engine asked for.
        bool endedByKernel = w.IsActive;
        table.OnIgnored(w);
        RecursiveWatch? tree = w.Tree;
        if (tree is null || w == tree.Root)
        {
            outbox.Deliver(Kernel(InotifyEventKind.Ignored, raw, w, isDir, now, string.Empty));
            return;
        }

        // A file system unmounted from a directory of the tree uncovers the directory underneath: watch that one.
        if (endedByKernel && tree.State is RecursiveWatchState.Active or RecursiveWatchState.Degraded
            && NativeFile.TryStat(w.Path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory
            && table.TryGetByPath(Path.GetDirectoryName(w.Path) ?? string.Empty, out InotifyWatch? parent) && parent!.Tree == tree)
        {
            work.ScanNew(tree, new DirectoryToVisit(parent, Path.GetFileName(w.Path), st.Inode));
        }
    }

    private void OnMove(InotifyEventKind kind, in RawEvent raw, InotifyWatch w, bool isDir, DateTime now)
    {
        string name = DecodeName(raw);
        string path = InotifyEvent.Join(w.Path, name);
        RecursiveWatch? tree = w.Tree;
        bool excluded = tree is not null ? tree.Options.Filter.IsExcluded(name, tree.RelativePath(path)) : !w.Filter.IsIncluded(name, name);
        if (kind == InotifyEventKind.MovedFrom)
        {
            if (pairer.Add(new PendingMove(w, w.Path, raw.Mask, raw.Cookie, name, path, isDir, excluded, now, clock() + (long)options.RenamePairingWindow.TotalMilliseconds)) is { } displaced)
            {
                Expire([displaced]);
            }

            horizon.TakeScanned(w, name);
            if (tree is not null && isDir)
            {
                tree.RemoveUnwatched(path);
            }

            if (!options.PairRenames && !excluded && (!Wanted(tree, InotifyEventMask.MovedFrom, name, path) || outbox.Deliver(Kernel(kind, raw, w, isDir, now, name))))
            {
                tree?.Snapshot?.Remove(w, name);
            }

            return;
        }

        if (pairer.Take(raw.Cookie) is { } source)
        {
            if (source.IsDirectory)
            {
                if (tree is null || excluded)
                {
                    // Directories of a recursive watch that landed outside it (or in an excluded part) leave it.
                    table.RemoveSubtree(source.Path, movedOut: true, treeOnly: true);
                }

                // Whatever still watches the moved directory, or below it, follows it to its new path.
                table.Rename(source.Path, path);
                if (tree is not null)
                {
                    work.Revisit(tree);
                }
            }

            if (options.PairRenames)
            {
                RecursiveWatch? sourceTree = source.Watch.Tree;
                bool wantedHere = !excluded && Wanted(tree, InotifyEventMask.Move, name, path);
                bool wantedThere = !source.Excluded && Wanted(sourceTree, InotifyEventMask.Move, source.Name, source.Path);
                if (!(wantedHere || wantedThere) || outbox.Deliver(InotifyEvent.Renamed(w.Path, w.Descriptor, name, isDir, raw.Cookie, source.Path, now)))
                {
                    sourceTree?.Snapshot?.Remove(source.Watch, source.Name);
                    if (!excluded)
                    {
                        tree?.Snapshot?.Set(w, name, new SnapshotEntry(0, isDir));
                    }
                }

                ScanIfNew(tree, w, isDir, excluded, name, path);
                return;
            }
        }

        if (!excluded && (!Wanted(tree, InotifyEventMask.MovedTo, name, path) || outbox.Deliver(Kernel(kind, raw, w, isDir, now, name))))
        {
            tree?.Snapshot?.Set(w, name, new SnapshotEntry(0, isDir));
        }

        ScanIfNew(tree, w, isDir, excluded, name, path);
    }

    /// <summary>A directory arrived from outside the tree (or from an excluded part): watch it and report what it holds.</summary>
    private void ScanIfNew(RecursiveWatch? tree, InotifyWatch w, bool isDir, bool excluded, string name, string path)
    {
        if (isDir && tree is not null && !excluded && !table.IsWatched(path))
        {
            work.ScanNew(tree, new DirectoryToVisit(w, name, 0));
            work.ScanNow(tree);
        }
    }

    private void AfterRead(DateTime now)
    {
        Expire(pairer.TakeExpired(clock()));
        horizon.Expire();
        outbox.FlushDropMarker(now);
        work.RetryDue();
        ready.AfterRead(now);
        if (outbox.TryCloseGap(out DateTime since))
        {
            foreach (RecursiveWatch tree in table.Trees())
            {
                if (tree.Options.RepairAfterOverflow && tree.State is RecursiveWatchState.Active or RecursiveWatchState.Degraded)
                {
                    work.Repair(tree, since);
                }
            }
        }
    }

    /// <summary>MovedFroms whose partner did not come: the entries moved out of the watched set.</summary>
    private void Expire(List<PendingMove> moves)
    {
        foreach (PendingMove m in moves)
        {
            if (m.IsDirectory)
            {
                // A recursive watch's directories would report paths that no longer exist. A watch the user added by
                // hand stays (with its last known path).
                table.RemoveSubtree(m.Path, movedOut: true, treeOnly: true);
            }

            if (options.PairRenames && !m.Excluded
                && (!Wanted(m.Watch.Tree, InotifyEventMask.MovedFrom, m.Name, m.Path)
                    || outbox.Deliver(InotifyEvent.FromKernel(InotifyEventKind.MovedFrom, m.Mask, m.Cookie, m.WatchPath, m.Watch.Descriptor, m.IsDirectory, m.Name, m.Time))))
            {
                m.Watch.Tree?.Snapshot?.Remove(m.Watch, m.Name);
            }
        }
    }

    private static bool Wanted(RecursiveWatch? tree, InotifyEventMask bits, string name, string path) =>
        tree is null || tree.Wants(bits, name, path);

    // An event whose name is already decoded does not keep the read's chunk alive.
    private InotifyEvent Kernel(InotifyEventKind kind, in RawEvent raw, InotifyWatch w, bool isDir, DateTime now, string name) =>
        InotifyEvent.FromKernel(kind, raw, w.Path, w.Descriptor, isDir, name, null, now);

    /// <summary>
    /// Decodes a name, reusing the previous string when the bytes repeat: a file's Create, Modify and CloseWrite come
    /// in a row. The cache lives for one read, since the buffer is reused after it.
    /// </summary>
    private string DecodeName(in RawEvent raw)
    {
        ReadOnlySpan<byte> bytes = buffer.AsSpan(raw.NameOffset, raw.NameLength);
        if (lastName is not null && lastNameBytes.Span.SequenceEqual(bytes))
        {
            return lastName;
        }

        lastName = NativeName.Decode(bytes);
        lastNameBytes = buffer.AsMemory(raw.NameOffset, raw.NameLength);
        return lastName;
    }

    /// <summary>
    /// A copy of this read's bytes for events that decode their name only when asked (plain watches). Made once per
    /// read, and only if such an event occurs: recursive watches decode at once and copy nothing.
    /// </summary>
    private byte[] StableChunk() => stableCopy ??= buffer.AsSpan(0, length).ToArray();
}
