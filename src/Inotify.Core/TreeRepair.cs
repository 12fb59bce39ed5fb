namespace Inotify;

/// <summary>
/// After a gap (a kernel overflow, or events the engine dropped) the consumer's picture of a recursive watch may be
/// wrong. The repair walks the tree, compares the disk with the snapshot and reports the difference as Create,
/// Delete, Modify and Renamed events with Source Rescan, between RescanStarted and RescanCompleted.
/// </summary>
/// <remarks>
/// <para>
/// Directories are compared by identity, not by path: lost IN_IGNORED events leave watches the kernel no longer has
/// (the kernel's own list says which), and a directory deleted and made again under the same name is another inode
/// that needs its own watch. A directory found under a new path with a known inode was renamed during the gap, and
/// its watch follows it. Watches the walk no longer reaches (moved out during the gap) end.
/// </para>
/// <para>
/// Resumable like <see cref="TreeWalker"/>: the reader thread runs it a few directories at a time between reads, so
/// the repair's own reads (and everything else) keep being drained and cannot overflow the kernel's queue again.
/// Because events are processed between steps, what was found is reported at the end, checked once more against
/// the snapshot and the disk. Directories the kernel refused to watch are not read (their entries were never
/// reported); the repair tries to watch them again, and one that can be watched now has its entries reported.
/// </para>
/// </remarks>
internal sealed class TreeRepair
{
    // Kernel file timestamps are taken from a coarse clock; a change made just before the gap may carry a time
    // slightly earlier than the last read, so the "modified during the gap" test looks back this far.
    private static readonly TimeSpan TimestampSlack = TimeSpan.FromSeconds(1);

    private readonly TreeScanner scanner;
    private readonly RecursiveWatch tree;
    private readonly DateTime modifiedSince;
    private readonly Queue<DirectoryToVisit> pending = new();
    private readonly HashSet<InotifyWatch> visited = [];
    private readonly List<Found> created = [];
    private readonly List<Found> deleted = [];
    private readonly InotifyWatch[] watchedAtStart;

    // Directories found under a new path with a watch of their own: renamed during the gap, old path to new. The
    // snapshot does not always know a directory's inode (kernel events carry none), so these pair by watch instead.
    private readonly Dictionary<string, string> movedDirectories = new(StringComparer.Ordinal);
    private int modified;

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

        // The walk below covers whatever was still waiting to be reached.
        tree.Unresolved.Clear();
        watchedAtStart = tree.WatchList();
        pending.Enqueue(new DirectoryToVisit(null, tree.RootPath, 0));
    }

    internal bool IsDone => pending.Count == 0;

    /// <summary>Visits up to <paramref name="maxDirectories"/> directories; when none is left, reports and returns true.</summary>
    internal bool Step(int maxDirectories)
    {
        for (int i = 0; i < maxDirectories && pending.TryDequeue(out DirectoryToVisit d); i++)
        {
            if (d.IsLive)
            {
                Visit(d);
            }
        }

        if (pending.Count > 0)
        {
            return false;
        }

        Finish();
        return true;
    }

    private void Visit(in DirectoryToVisit d)
    {
        string path = d.Path;
        if (!NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) || !st.IsDirectory)
        {
            return; // Gone: its parent's comparison reports it.
        }

        InotifyWatch? known = scanner.Table.TryGetByPath(path, out InotifyWatch? atPath) && atPath!.Tree == tree && atPath.IsActive ? atPath : null;
        if (known is null && scanner.Table.TryGetByInode(st.Device, st.Inode, out InotifyWatch? moved) && moved!.Tree == tree && moved.IsActive)
        {
            // Renamed during the gap: the watch follows it.
            movedDirectories[moved.Path] = path;
            scanner.Table.Rename(moved.Path, path);
            known = moved;
        }

        // The kernel decides, not the table: a watch whose IN_IGNORED was lost still looks alive here, and a directory
        // deleted and made again can even have the old inode number. Adding the watch again gives the wd the kernel
        // has for what is at the path now: the known watch's if it is that directory, a new one if not.
        InotifyWatch? w = d.Parent is null ? WatchRoot(path, st) : scanner.Watch(d with { Inode = st.Inode }, st.Device, confirm: true);
        Dictionary<string, SnapshotEntry>? previous = null;
        if (known is not null && w != known)
        {
            // The old watch is of a directory that is gone; what the consumer was told of it is compared with the new one.
            previous = tree.Snapshot?.Of(known) ?? [];
            scanner.Table.Remove(known);
        }

        if (w is null || w.Path != path)
        {
            return; // Not watchable (reported and listed), or a bind mount of a directory already watched.
        }

        visited.Add(w);
        List<NativeDirectoryEntry>? entries = scanner.Read(w, d);
        if (entries is null)
        {
            return;
        }

        Dictionary<string, SnapshotEntry> told = previous ?? tree.Snapshot?.Of(w) ?? [];
        Dictionary<string, SnapshotEntry> now = tree.Snapshot?.For(w) ?? [];
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (NativeDirectoryEntry e in entries)
        {
            string entryPath = InotifyEvent.Join(path, e.Name);
            if (scanner.IsExcluded(e.Name, entryPath))
            {
                continue;
            }

            present.Add(e.Name);
            bool isDir = TreeScanner.IsDirectory(e, entryPath);
            if (!told.TryGetValue(e.Name, out SnapshotEntry entry) || (entry.Inode != 0 && e.Inode != 0 && entry.Inode != e.Inode))
            {
                if (told.ContainsKey(e.Name))
                {
                    deleted.Add(new Found(w, path, e.Name, entry.Inode, entry.IsDirectory, previous is not null));
                }

                created.Add(new Found(w, path, e.Name, e.Inode, isDir, false));
            }
            else if (!isDir)
            {
                CompareFile(w, e.Name, entryPath, entry, now);
            }
            else if (previous is not null)
            {
                now[e.Name] = entry;
            }

            if (isDir)
            {
                pending.Enqueue(new DirectoryToVisit(w, e.Name, e.Inode));
            }
        }

        foreach ((string name, SnapshotEntry entry) in told)
        {
            if (!present.Contains(name))
            {
                deleted.Add(new Found(w, path, name, entry.Inode, entry.IsDirectory, previous is not null));
            }
        }

    }

    /// <summary>The root, confirmed with the kernel (it may have been deleted and made again during the gap), or null if it is gone.</summary>
    private InotifyWatch? WatchRoot(string path, NativeFileStatus st)
    {
        try
        {
            InotifyWatch root = scanner.Watch(new DirectoryToVisit(null, path, st.Inode), st.Device, confirm: true)!;
            tree.Root = root;
            return root;
        }
        catch (InotifyException)
        {
            tree.State = RecursiveWatchState.RootDeleted;
            return null;
        }
    }

    private void CompareFile(InotifyWatch w, string name, string path, SnapshotEntry known, Dictionary<string, SnapshotEntry> now)
    {
        if (!NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _))
        {
            return;
        }

        bool changed = known.HasStatus
            ? st.Size != known.Size || st.LastWriteTimeUtc.Ticks != known.ModifiedTicks
            : st.LastWriteTimeUtc >= modifiedSince;

        // What the consumer is told (or was, if unchanged) is remembered exactly, so the next repair compares precisely.
        SnapshotEntry current = new(st.Inode, false, st.Size, st.LastWriteTimeUtc.Ticks);
        if (!changed)
        {
            now[name] = current;
        }
        else if (scanner.Report(EventSource.Rescan, InotifyEventKind.Modify, w, name, false))
        {
            modified++;
            now[name] = current;
        }
    }

    private void Finish()
    {
        // A rename during the gap shows as an entry gone here and one with the same inode there (or, for a directory,
        // the same watch there).
        var createdByInode = new Dictionary<ulong, Found>();
        var createdByPath = new Dictionary<string, Found>(StringComparer.Ordinal);
        foreach (Found c in created)
        {
            if (c.Inode != 0)
            {
                createdByInode.TryAdd(c.Inode, c);
            }

            createdByPath.TryAdd(InotifyEvent.Join(c.DirectoryPath, c.Name), c);
        }

        var renamedTo = new HashSet<Found>();
        int deletes = 0;
        foreach (Found gone in deleted)
        {
            if (!StillGone(gone))
            {
                continue;
            }

            string oldPath = InotifyEvent.Join(gone.DirectoryPath, gone.Name);
            if (RenamedTo(gone, oldPath, createdByInode, createdByPath, renamedTo) is { } to && StillNew(to))
            {
                renamedTo.Add(to);
                if (scanner.Report(EventSource.Rescan, InotifyEventKind.Renamed, to.Directory, to.Name, to.IsDirectory, oldPath))
                {
                    Forget(gone);
                    Remember(to);
                }

                continue;
            }

            if (gone.IsDirectory)
            {
                scanner.Table.RemoveSubtree(InotifyEvent.Join(gone.DirectoryPath, gone.Name), treeOnly: true);
            }

            deletes++;
            if (scanner.Report(EventSource.Rescan, InotifyEventKind.Delete, gone.Directory, gone.Name, gone.IsDirectory))
            {
                Forget(gone);
            }
        }

        int creates = 0;
        foreach (Found c in created)
        {
            if (!renamedTo.Contains(c) && StillNew(c))
            {
                creates++;
                if (scanner.Report(EventSource.Rescan, InotifyEventKind.Create, c.Directory, c.Name, c.IsDirectory))
                {
                    Remember(c);
                }
            }
        }

        SweepUnreached();
        scanner.ReportEngine(InotifyEventKind.RescanCompleted, tree.RootPath,
            $"Rescan finished: {creates} created, {deletes} deleted, {renamedTo.Count} renamed, {modified} modified.");
    }

    private Found? RenamedTo(Found gone, string oldPath, Dictionary<ulong, Found> byInode, Dictionary<string, Found> byPath, HashSet<Found> taken)
    {
        if (gone.Inode != 0 && byInode.Remove(gone.Inode, out Found to) && !taken.Contains(to))
        {
            return to;
        }

        if (gone.IsDirectory && movedDirectories.TryGetValue(oldPath, out string? newPath) && byPath.TryGetValue(newPath, out to) && !taken.Contains(to))
        {
            return to;
        }

        return null;
    }

    // Events read since the directory was compared may already have told the consumer.
    private bool StillNew(Found c) =>
        c.Directory.IsActive && tree.Snapshot?.Of(c.Directory)?.ContainsKey(c.Name) != true
        && NativeFile.TryStat(InotifyEvent.Join(c.Directory.Path, c.Name), followLinks: false, out _, out _);

    // The consumer still believes in the entry while it is in the snapshot. For a directory that was replaced the
    // snapshot is the new directory's, which holds the name only if the kernel reported a new entry of that name.
    private bool StillGone(Found d)
    {
        bool told = tree.Snapshot?.Of(d.Directory)?.ContainsKey(d.Name) ?? false;
        return d.OfReplacedDirectory ? !told : told;
    }

    private void Remember(Found c)
    {
        tree.Snapshot?.Set(c.Directory, c.Name, new SnapshotEntry(c.Inode, c.IsDirectory));
        scanner.Horizon.NoteReported(c.Directory, c.Name);
    }

    private void Forget(Found d) => tree.Snapshot?.Remove(d.Directory, d.Name);

    /// <summary>Watches the walk did not reach, of directories no longer where their watch says: they left the tree during the gap.</summary>
    private void SweepUnreached()
    {
        foreach (InotifyWatch w in watchedAtStart)
        {
            if (w.IsActive && !visited.Contains(w) && w != tree.Root
                && !(NativeFile.TryStat(w.Path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory && st.Inode == w.Inode))
            {
                scanner.Table.Remove(w);
            }
        }
    }

    /// <summary>An entry found (or missed) by the repair, in the directory whose watch and path are given.</summary>
    private readonly record struct Found(InotifyWatch Directory, string DirectoryPath, string Name, ulong Inode, bool IsDirectory, bool OfReplacedDirectory);
}
