namespace Inotify;

/// <summary>
/// After a gap (a kernel overflow, or events the engine dropped) the consumer's picture of a recursive watch may be
/// wrong. The repair reads the tree afresh, compares it with the consumer's picture path by path, and reports the
/// difference as Create, Delete, Modify and Renamed events with Source Rescan, between RescanStarted and
/// RescanCompleted. Then every directory's watch is made to match the disk again.
/// </summary>
/// <remarks>
/// <para>
/// The consumer's picture is the snapshot: the entries of each watched directory, under the path its watch has.
/// Both change only with the events the consumer is told, so together they are what the consumer believes, path by
/// path. During a gap, directories may be deleted, made again, renamed and their names reused by others, in any
/// order; comparing paths (what the consumer sees) needs no guess about which directory became which.
/// </para>
/// <para>
/// Watches are made to match by asking the kernel, not the table: adding the watch of each directory found gives
/// the wd the kernel has for what is at that path now (a watch whose IN_IGNORED was lost, or whose directory was
/// replaced by one that reused its inode number, gives way to a new one), and each watch takes the path its
/// directory has now. Watches the walk did not find end.
/// </para>
/// <para>
/// Reading runs a few directories per step between the reader's reads, so the kernel's queue keeps being drained;
/// events read meanwhile reach the consumer and the snapshot as usual. The comparison and the new watches are one
/// step at the end, checked against the disk once more, so nothing read meanwhile is contradicted. A directory added
/// to the watches then for the first time is read again after its watch exists (nothing made in it is missed).
/// </para>
/// </remarks>
internal sealed class TreeRepair
{
    // Kernel file timestamps are taken from a coarse clock; a change made just before the gap may carry a time
    // slightly earlier than the last read, so the "modified during the gap" test looks back this far.
    private static readonly TimeSpan TimestampSlack = TimeSpan.FromSeconds(1);

    // A directory's modification time comes from the same coarse clock: a change within this long of the time it
    // was read may not have moved it, so such a directory is read again before the comparison.
    private static readonly TimeSpan CoarseClock = TimeSpan.FromMilliseconds(20);

    private readonly TreeScanner scanner;
    private readonly RecursiveWatch tree;
    private readonly DateTime modifiedSince;
    private readonly Queue<string> pending = new();
    private bool refreshing;

    // What the walk found: each directory's identity and entries, by path.
    private readonly Dictionary<string, FoundDirectory> disk = new(StringComparer.Ordinal);

    /// <summary>Once done: directories made after the walk passed them, which the caller scans as new ones.</summary>
    internal IReadOnlyList<DirectoryToVisit> NewDirectories { get; private set; } = [];

    /// <summary>True while the walk is done and the reports wait for room in the consumer's queue.</summary>
    internal bool WaitingForRoom { get; private set; }

    internal TreeRepair(TreeScanner scanner, DateTime gapStart, Dictionary<int, ulong>? kernelWatches)
    {
        this.scanner = scanner;
        tree = scanner.Tree;
        modifiedSince = gapStart - TimestampSlack;
        scanner.ReportEngine(InotifyEventKind.RescanStarted, tree.RootPath, "Events were lost; rescanning the tree to report what changed.");
        if (kernelWatches is not null)
        {
            foreach (InotifyWatch w in tree.WatchList())
            {
                if (!kernelWatches.TryGetValue(w.Descriptor, out ulong inode) || (w.Inode != 0 && inode != w.Inode))
                {
                    // Its IN_IGNORED was lost: the kernel has no such watch (or the wd is another's now).
                    scanner.Table.OnIgnored(w);
                }
            }
        }

        // The walk covers whatever was still waiting to be reached.
        tree.Unresolved.Clear();
        pending.Enqueue(tree.RootPath);
    }

    /// <summary>
    /// Reads up to <paramref name="maxDirectories"/> directories. When the walk is done, directories that changed
    /// since they were read are read again, in steps too; then the comparison is made and this returns true.
    /// </summary>
    internal bool Step(int maxDirectories)
    {
        for (int i = 0; i < maxDirectories && pending.TryDequeue(out string? path); i++)
        {
            Read(path, refreshing);
        }

        if (pending.Count > 0)
        {
            return false;
        }

        if (!refreshing)
        {
            refreshing = true;
            QueueChanged(recentToo: true);
            if (pending.Count > 0)
            {
                return false;
            }
        }

        // The reports wait until the consumer has room for them: dropped, they would open the next gap.
        WaitingForRoom = !scanner.ConsumerHasRoom;
        if (WaitingForRoom)
        {
            return false;
        }

        Finish();
        return true;
    }

    private void Read(string path, bool refreshing = false)
    {
        if (!NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) || !st.IsDirectory)
        {
            disk.Remove(path);
            return; // Gone meanwhile: the comparison sees it missing.
        }

        List<NativeDirectoryEntry>? entries = null;
        if (scanner.Table.TryGetByPath(path, out InotifyWatch? watched) && watched!.IsActive && (tree.Mask & TreeScanner.OwnReadEvents) != 0)
        {
            scanner.Horizon.NoteOwnRead(path);
        }

        try
        {
            entries = NativeFile.ReadDirectory(path);
        }
        catch (InotifyException)
        {
            // Unreadable (its watch will say why) or gone: its entries are not compared.
        }

        var found = new FoundDirectory(st, entries is null ? null : new Dictionary<string, (ulong Inode, bool IsDirectory)>(StringComparer.Ordinal), DateTime.UtcNow);
        disk[path] = found;
        foreach (NativeDirectoryEntry e in entries ?? [])
        {
            string entryPath = InotifyEvent.Join(path, e.Name);
            if (scanner.IsExcluded(e.Name, entryPath))
            {
                continue;
            }

            bool isDir = TreeScanner.IsDirectory(e, entryPath);
            found.Entries![e.Name] = (e.Inode, isDir);
            if (isDir && !(refreshing && disk.ContainsKey(entryPath)))
            {
                pending.Enqueue(entryPath);
            }
        }
    }

    private void Finish()
    {
        Refresh();

        // The consumer's picture, path by path, before anything changes.
        var told = new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        foreach (InotifyWatch w in tree.WatchList())
        {
            if (w.IsActive && tree.Snapshot?.Of(w) is { } entries)
            {
                foreach ((string name, SnapshotEntry entry) in entries)
                {
                    told[InotifyEvent.Join(w.Path, name)] = entry;
                }
            }
        }

        List<InotifyWatch> added = Rewatch(out HashSet<string> unwatchable);
        var now = new Dictionary<string, (ulong Inode, bool IsDirectory)>(StringComparer.Ordinal);
        foreach ((string dir, FoundDirectory found) in disk)
        {
            if (found.Entries is null || !IsComparable(dir, unwatchable))
            {
                continue;
            }

            foreach ((string name, (ulong Inode, bool IsDirectory) entry) in found.Entries)
            {
                now[InotifyEvent.Join(dir, name)] = entry;
            }
        }

        var report = new TreeRepairReport(scanner, tree, modifiedSince);
        report.Compare(told, now, unwatchable);
        report.RebuildSnapshot(disk, now);
        foreach (InotifyWatch w in added)
        {
            report.ReadAgain(w, disk.TryGetValue(w.Path, out FoundDirectory found) ? found.Entries : null);
        }

        NewDirectories = report.NewDirectories;
        scanner.ReportEngine(InotifyEventKind.RescanCompleted, tree.RootPath, report.Summary);
    }

    /// <summary>
    /// Events read between the steps may have changed directories already read (a rename, a new directory): those
    /// whose identity or modification time moved since (or, the first time, were too recent to tell) are queued to
    /// be read again, with any new directory below them, so the comparison is with the disk as it is now.
    /// </summary>
    private void QueueChanged(bool recentToo)
    {
        foreach ((string path, FoundDirectory found) in disk)
        {
            bool same = NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory
                && st.Inode == found.Status.Inode && st.LastWriteTimeUtc == found.Status.LastWriteTimeUtc
                && (!recentToo || found.ReadAt - found.Status.LastWriteTimeUtc > CoarseClock);
            if (!same)
            {
                pending.Enqueue(path);
            }
        }
    }

    /// <summary>The last changes, read under the same hold of the lock as the comparison: usually none.</summary>
    private void Refresh()
    {
        QueueChanged(recentToo: false);
        while (pending.TryDequeue(out string? path))
        {
            Read(path, refreshing: true);
        }
    }

    /// <summary>
    /// Gives every directory found the watch the kernel has for it, at its path now; ends the watches of directories
    /// not found. Returns the watches that are new. Directories that cannot be watched are reported (once) and listed.
    /// </summary>
    private List<InotifyWatch> Rewatch(out HashSet<string> unwatchable)
    {
        unwatchable = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<InotifyWatch>();
        var added = new List<InotifyWatch>();
        foreach ((string path, FoundDirectory found) in disk.OrderBy(d => d.Key.Length))
        {
            if (!IsComparable(path, unwatchable))
            {
                continue;
            }

            bool isRoot = path == tree.RootPath;
            InotifyWatch? w = scanner.Confirm(path, found.Status, isRoot);
            if (w is null)
            {
                if (isRoot)
                {
                    tree.State = RecursiveWatchState.RootDeleted;
                    return added;
                }

                unwatchable.Add(path);
                continue;
            }

            if (isRoot)
            {
                tree.Root = w;
            }

            if (w.Tree != tree || !seen.Add(w))
            {
                unwatchable.Add(path); // Another path to a directory already watched (a bind mount): not compared twice.
                continue;
            }

            if (w.Path != path)
            {
                scanner.Table.SetPath(w, path);
            }

            if (tree.Snapshot?.Of(w) is null)
            {
                added.Add(w);
            }
        }

        foreach (InotifyWatch w in tree.WatchList())
        {
            // Not found: gone during the gap, or moved out of the tree. A directory made after its parent was read is
            // still where its watch says, and stays.
            if (w.IsActive && !seen.Contains(w)
                && !(NativeFile.TryStat(w.Path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory && st.Inode == w.Inode))
            {
                // Its events still queued describe paths the consumer was just told are gone.
                scanner.Table.RemoveGone(w);
            }
        }

        return added;
    }

    // A directory below one that could not be watched (or read) is not compared: its entries were never reported.
    private bool IsComparable(string path, HashSet<string> unwatchable)
    {
        if (unwatchable.Count == 0)
        {
            return true;
        }

        for (string? p = path; p is not null && p.Length >= tree.RootPath.Length; p = Path.GetDirectoryName(p))
        {
            if (unwatchable.Contains(p))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A directory as the walk found it: its identity, its entries (null when it could not be read), and when.</summary>
    internal readonly record struct FoundDirectory(NativeFileStatus Status, Dictionary<string, (ulong Inode, bool IsDirectory)>? Entries, DateTime ReadAt);
}
