namespace Inotify;

/// <summary>
/// What the walks of one recursive watch share (<see cref="TreeWalker"/> and <see cref="TreeRepair"/>): watching a
/// directory of the tree, reading it, and reporting what was found. It writes to the outbox and the read horizon
/// and never calls back into the dispatcher. Under the engine lock, one directory at a time.
/// </summary>
/// <param name="table">The watch table.</param>
/// <param name="outbox">Where reports go.</param>
/// <param name="horizon">The read horizon.</param>
/// <param name="tree">The recursive watch.</param>
/// <param name="failuresAsEvents">
/// Whether a directory the kernel refuses is also a WatchFailed event. Not during AddRecursive's initial walk: its
/// caller gets the tree back with <see cref="RecursiveWatch.UnwatchedDirectories"/> and reports them itself.
/// </param>
internal sealed class TreeScanner(WatchTable table, EventOutbox outbox, ReadHorizon horizon, RecursiveWatch tree, bool failuresAsEvents = true)
{
    private const WatchFlags ChildFlags = WatchFlags.OnlyDirectory | WatchFlags.NoFollow;

    /// <summary>What reading a directory makes the kernel report on it.</summary>
    internal const InotifyEventMask OwnReadEvents = InotifyEventMask.Open | InotifyEventMask.Access | InotifyEventMask.CloseNoWrite;

    internal RecursiveWatch Tree => tree;

    internal WatchTable Table => table;

    internal ReadHorizon Horizon => horizon;

    /// <summary>Whether the consumer's queue can take a repair's reports now (else they would be dropped, and the drop start another repair).</summary>
    internal bool ConsumerHasRoom => outbox.HasRoom;

    /// <summary>
    /// The watch of a directory that appeared in the tree, added if missing. Null when it could not be watched: a
    /// directory that vanished (its own Delete or MovedFrom reports that), one that cannot be reached yet (kept in
    /// <see cref="RecursiveWatch.Unresolved"/> until a rename is read), or one the kernel refused (reported as
    /// WatchFailed and listed as unwatched).
    /// </summary>
    internal InotifyWatch? Watch(in DirectoryToVisit d) => Watch(d, d.Path);

    /// <summary>The same, with the directory's path already made.</summary>
    internal InotifyWatch? Watch(in DirectoryToVisit d, string path)
    {
        if (table.TryGetByPath(path, out InotifyWatch? existing) && existing!.IsActive)
        {
            return existing;
        }

        try
        {
            // Every directory of a tree is on the root's device unless a mount point intervenes, which only weakens
            // alias detection to the kernel's own (the same wd coming back); reading it corrects its identity.
            (ulong, ulong)? identity = d.Inode != 0 && tree.Root is { } root ? (root.Device, d.Inode) : null;
            InotifyWatch w = table.Add(path, tree.Mask, tree.KernelMask, d.Parent is null ? WatchFlags.OnlyDirectory : ChildFlags, tree, identity);
            tree.RemoveUnwatched(path);
            return w;
        }
        catch (WatchPathNotFoundException) when (d.Parent is not null)
        {
            Unreachable(d);
            return null;
        }
        catch (InotifyException e) when (d.Parent is not null)
        {
            ReportWatchFailed(path, e);
            return null;
        }
    }

    /// <summary>
    /// A repair asks the kernel which watch the directory at <paramref name="path"/> has now: the existing one if it is
    /// that directory (wherever the table thought it was), a new one if not. Null when it cannot be watched (reported
    /// once, and listed) or is gone.
    /// </summary>
    internal InotifyWatch? Confirm(string path, NativeFileStatus status, bool isRoot)
    {
        try
        {
            InotifyWatch w = table.Add(path, tree.Mask, tree.KernelMask, isRoot ? WatchFlags.OnlyDirectory : ChildFlags, tree, (status.Device, status.Inode), repath: true);
            tree.RemoveUnwatched(path);
            return w;
        }
        catch (InotifyException e) when (!isRoot && e is not WatchPathNotFoundException)
        {
            ReportWatchFailed(path, e);
            return null;
        }
        catch (InotifyException)
        {
            return null;
        }
    }

    /// <summary>
    /// The entries of a watched directory, or null if it cannot be read now. A directory that was renamed after its
    /// watch was added is read again once the rename is read (its watch follows it); one that was deleted ends with
    /// its watch.
    /// </summary>
    internal List<NativeDirectoryEntry>? Read(InotifyWatch w, in DirectoryToVisit d)
    {
        if ((tree.Mask & OwnReadEvents) != 0)
        {
            horizon.NoteOwnRead(w.Path);
        }

        try
        {
            List<NativeDirectoryEntry> entries = NativeFile.ReadDirectory(w.Path, out NativeFileStatus self);
            if (self.Inode != 0 && self.Device != w.Device)
            {
                // Something is mounted here: the watch is on the mounted root, not on the inode readdir gave.
                table.SetIdentity(w, self.Device, self.Inode);
            }

            return entries;
        }
        catch (InotifyException e) when (e is WatchPathNotFoundException || e.Errno == Interop.Errno.ENOTDIR)
        {
            tree.Unresolved.Add(d with { Watched = w });
            return null;
        }
        catch (InotifyException e)
        {
            // Watched but unreadable (no execute permission): nothing to descend into.
            ReportWatchFailed(w.Path, e);
            return null;
        }
    }

    /// <summary>Reports an entry found by reading a directory; returns whether the consumer now knows of it.</summary>
    internal bool Report(EventSource source, InotifyEventKind kind, InotifyWatch directory, string name, bool isDirectory, string? oldPath = null) =>
        Report(source, kind, directory.Path, directory.Descriptor, name, isDirectory, oldPath);

    /// <summary>Reports an entry of the directory at <paramref name="directory"/> (watched by <paramref name="wd"/>, or -1).</summary>
    internal bool Report(EventSource source, InotifyEventKind kind, string directory, int wd, string name, bool isDirectory, string? oldPath = null)
    {
        // The full path only when readiness or a filter looks at it: most reports are of an unfiltered tree.
        bool ready = (tree.Mask & InotifyEventMask.Ready) != 0;
        string path = ready || !tree.Options.Filter.IsEmpty ? InotifyEvent.Join(directory, name) : string.Empty;
        InotifyEventMask bits = kind switch
        {
            InotifyEventKind.Delete => InotifyEventMask.Delete,
            InotifyEventKind.Modify => InotifyEventMask.Modify | InotifyEventMask.CloseWrite,
            InotifyEventKind.Renamed => InotifyEventMask.Move,
            _ => InotifyEventMask.Create | InotifyEventMask.CloseWrite | InotifyEventMask.MovedTo,
        };
        if (ready)
        {
            tree.Watcher.Readiness.OnScanned(tree, kind, path, isDirectory, oldPath);
        }

        if (!tree.Wants(bits, name, path))
        {
            return true;
        }

        return outbox.Deliver(InotifyEvent.Scanned(source, kind, directory, wd, name, isDirectory, DateTime.UtcNow, oldPath));
    }

    /// <summary>A report of the engine's own about the tree (RescanStarted, RescanCompleted): the consumer gets it even over capacity.</summary>
    internal void ReportEngine(InotifyEventKind kind, string path, string message) =>
        outbox.Deliver(InotifyEvent.Report(kind, path, message, DateTime.UtcNow), mustDeliver: true);

    /// <summary>Reports a directory of the tree the kernel would not watch, once per directory, and lists it as unwatched.</summary>
    internal void ReportWatchFailed(string path, InotifyException e)
    {
        bool known = tree.IsUnwatched(path);
        tree.AddUnwatched(new UnwatchedDirectory(path, e.ErrorId, e.Message));
        if (!known && failuresAsEvents)
        {
            outbox.Deliver(InotifyEvent.Report(InotifyEventKind.WatchFailed, path, e.Message, DateTime.UtcNow), mustDeliver: true);
        }
    }

    internal bool IsExcluded(string name, string path) => tree.Options.Filter.IsExcluded(name, tree.RelativePath(path));

    internal static bool IsDirectory(in NativeDirectoryEntry e, string path) =>
        e.IsDirectory ?? (NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory);

    /// <summary>
    /// A directory that was there when it was found is not there now. If its parent is still where its watch says,
    /// the directory itself was renamed or deleted, and the parent's own event says so. Otherwise the parent (or an
    /// ancestor) was renamed and that rename is still queued: the directory is visited again once a rename is read.
    /// </summary>
    private void Unreachable(in DirectoryToVisit d)
    {
        InotifyWatch parent = d.Parent!;
        bool parentInPlace = NativeFile.TryStat(parent.Path, followLinks: false, out NativeFileStatus st, out _)
            && st.IsDirectory && (parent.Inode == 0 || st.Inode == parent.Inode);
        if (!parentInPlace && parent.IsActive)
        {
            tree.Unresolved.Add(d);
        }
    }
}
