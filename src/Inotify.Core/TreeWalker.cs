namespace Inotify;

/// <summary>
/// Walks a directory tree breadth-first, adding a watch to each directory before reading it (so an
/// entry created meanwhile is seen by the read or reported by the kernel, never neither). Three uses:
/// the initial walk of AddRecursive (nothing reported: it all existed before), the scan of a directory
/// that just appeared (its entries reported as Create with Source Scan), and the repair after a gap
/// (the disk compared with the snapshot, differences reported with Source Rescan).
/// </summary>
/// <remarks>
/// Every step holds the registry's lock for one directory at a time, so the reader thread keeps
/// draining the kernel's queue while a large tree is being set up.
/// </remarks>
internal sealed class TreeWalker(WatchRegistry registry, EventPipeline pipeline, RecursiveWatch tree)
{
    private const WatchFlags ChildFlags = WatchFlags.OnlyDirectory | WatchFlags.NoFollow;

    // What reading a directory makes the kernel report on it.
    private const InotifyEventMask OwnReadEvents = InotifyEventMask.Open | InotifyEventMask.Access | InotifyEventMask.CloseNoWrite;

    // Directories still to visit, with the inode readdir gave for them (0 when unknown).
    private readonly Queue<(string Path, ulong Inode)> pending = new();
    private long lastProgress;

    internal void WalkInitial(CancellationToken cancellationToken)
    {
        lock (registry.Sync)
        {
            InotifyWatch root = registry.Add(tree.RootPath, tree.Mask, tree.KernelMask, WatchFlags.OnlyDirectory, tree);
            tree.Root = root;
            if (tree.Options.RepairAfterOverflow)
            {
                root.Snapshot ??= new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
            }

            registry.AddTree(tree);
        }

        try
        {
            pending.Enqueue((tree.RootPath, 0));
            while (pending.TryDequeue(out (string Path, ulong Inode) next))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string dir = next.Path;
                lock (registry.Sync)
                {
                    if (tree.State == RecursiveWatchState.Removed)
                    {
                        return;
                    }

                    using EventPipeline.BatchScope batch = pipeline.Batch();
                    Visit(dir, next.Inode, report: null);
                }

                ReportProgress(dir);
            }

            ReportProgress(tree.RootPath, force: true);
        }
        catch
        {
            // Cancelled, or the progress callback threw (a stopped pipeline): a half-built tree would claim to be
            // watching what it is not, so none of it stays.
            registry.Remove(tree);
            throw;
        }
    }

    /// <summary>A directory appeared in the tree (created or moved in): watch it and everything below, and report what is there.</summary>
    internal void ScanNew(string dir, EventSource source)
    {
        pending.Enqueue((dir, 0));
        while (pending.TryDequeue(out (string Path, ulong Inode) next))
        {
            Visit(next.Path, next.Inode, source);
        }
    }

    /// <summary>After a gap: compare the disk with the snapshot and report the difference.</summary>
    internal void Repair(DateTime modifiedSince)
    {
        pipeline.ReportEngine(InotifyEventKind.RescanStarted, tree.RootPath, "Events were lost; rescanning the tree to report what changed.");
        var created = new List<(string Dir, int Wd, string Name, ulong Inode, bool IsDir)>();
        var deleted = new List<(InotifyWatch Dir, string Name, SnapshotEntry Entry)>();
        int modified = 0;
        pending.Enqueue((tree.RootPath, 0));
        while (pending.TryDequeue(out (string Path, ulong Inode) next))
        {
            string dir = next.Path;
            InotifyWatch? w = WatchFor(dir, next.Inode, repairing: true);
            List<NativeDirectoryEntry> entries;
            try
            {
                entries = NativeFile.ReadDirectory(dir);
            }
            catch (InotifyException)
            {
                continue; // Vanished meanwhile: its parent's comparison reports it.
            }

            if ((tree.Mask & OwnReadEvents) != 0)
            {
                pipeline.NoteOwnRead(dir);
            }

            Dictionary<string, SnapshotEntry> snapshot = w?.Snapshot ?? [];
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (NativeDirectoryEntry e in entries)
            {
                string path = InotifyEvent.Join(dir, e.Name);
                if (tree.Options.Filter.IsExcluded(e.Name, tree.RelativePath(path)))
                {
                    continue;
                }

                present.Add(e.Name);
                bool isDir = IsDirectory(e, path);
                if (!snapshot.ContainsKey(e.Name))
                {
                    created.Add((dir, w?.Descriptor ?? -1, e.Name, e.Inode, isDir));
                }
                else if (!isDir && NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && st.LastWriteTimeUtc >= modifiedSince)
                {
                    modified++;
                    pipeline.ReportScanned(tree, dir, w?.Descriptor ?? -1, e.Name, false, EventSource.Rescan, InotifyEventKind.Modify);
                }

                if (isDir)
                {
                    pending.Enqueue((path, e.Inode));
                }
            }

            if (w?.Snapshot is not null)
            {
                foreach ((string name, SnapshotEntry entry) in w.Snapshot)
                {
                    if (!present.Contains(name))
                    {
                        deleted.Add((w, name, entry));
                    }
                }
            }
        }

        // A rename during the gap shows as an entry gone here and one with the same inode there.
        var createdByInode = created.Where(c => c.Inode != 0).GroupBy(c => c.Inode).ToDictionary(g => g.Key, g => g.First());
        var renamedTo = new HashSet<(string, string)>();
        foreach ((InotifyWatch dirWatch, string name, SnapshotEntry entry) in deleted)
        {
            string oldPath = InotifyEvent.Join(dirWatch.Path, name);
            if (entry.Inode != 0 && createdByInode.Remove(entry.Inode, out var to))
            {
                renamedTo.Add((to.Dir, to.Name));
                if (pipeline.ReportScanned(tree, to.Dir, to.Wd, to.Name, to.IsDir, EventSource.Rescan, InotifyEventKind.Renamed, oldPath))
                {
                    dirWatch.Snapshot?.Remove(name);
                    AddToSnapshot(to.Dir, to.Name, to.Inode, to.IsDir);
                }

                continue;
            }

            if (entry.IsDirectory)
            {
                registry.RemoveSubtree(oldPath);
            }

            if (pipeline.ReportScanned(tree, dirWatch.Path, dirWatch.Descriptor, name, entry.IsDirectory, EventSource.Rescan, InotifyEventKind.Delete))
            {
                dirWatch.Snapshot?.Remove(name);
            }
        }

        foreach (var c in created)
        {
            if (!renamedTo.Contains((c.Dir, c.Name))
                && pipeline.ReportScanned(tree, c.Dir, c.Wd, c.Name, c.IsDir, EventSource.Rescan))
            {
                AddToSnapshot(c.Dir, c.Name, c.Inode, c.IsDir);
            }
        }

        pipeline.ReportEngine(InotifyEventKind.RescanCompleted, tree.RootPath,
            $"Rescan finished: {created.Count - renamedTo.Count} created, {deleted.Count - renamedTo.Count} deleted, {renamedTo.Count} renamed, {modified} modified.");
    }

    private void AddToSnapshot(string dir, string name, ulong inode, bool isDir)
    {
        if (registry.TryGetByPath(dir, out InotifyWatch? w) && w!.Snapshot is not null)
        {
            w.Snapshot[name] = new SnapshotEntry(inode, isDir);
        }
    }

    /// <summary>The watch of a directory of the tree, added if missing (or re-pathed if it moved during a gap).</summary>
    private InotifyWatch? WatchFor(string dir, ulong inode, bool repairing)
    {
        if (registry.TryGetByPath(dir, out InotifyWatch? existing))
        {
            return existing;
        }

        if (repairing && NativeFile.TryStat(dir, followLinks: false, out NativeFileStatus st, out _)
            && registry.TryGetByInode(st.Device, st.Inode, out InotifyWatch? moved) && moved!.Tree == tree && moved.IsActive)
        {
            registry.Rename(moved.Path, dir);
            return moved;
        }

        try
        {
            // Every directory of a tree is on the root's device unless a mount point intervenes, which only
            // weakens alias detection to the kernel's own (the same wd coming back).
            (ulong, ulong)? identity = inode != 0 && tree.Root is { } root ? (root.Device, inode) : null;
            InotifyWatch w = registry.Add(dir, tree.Mask, tree.KernelMask, ChildFlags, tree, identity);
            if (tree.Options.RepairAfterOverflow)
            {
                w.Snapshot ??= new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
            }

            return w;
        }
        catch (InotifyException e)
        {
            pipeline.ReportWatchFailed(tree, dir, e);
            return null;
        }
    }

    private void Visit(string dir, ulong inode, EventSource? report)
    {
        InotifyWatch? w = WatchFor(dir, inode, repairing: false);
        if (w is not null && w.Path != dir)
        {
            // The same directory as one already watched (a bind mount): descending would loop.
            return;
        }

        List<NativeDirectoryEntry> entries;
        try
        {
            entries = NativeFile.ReadDirectory(dir);
        }
        catch (InotifyException e)
        {
            if (w is not null)
            {
                // Watched but unreadable (no execute permission) or gone: nothing to descend into.
                pipeline.ReportWatchFailed(tree, dir, e);
            }

            return;
        }

        if ((tree.Mask & OwnReadEvents) != 0)
        {
            pipeline.NoteOwnRead(dir);
        }

        if (report is not null && w is not null)
        {
            w.ScannedNames = new HashSet<string>(StringComparer.Ordinal);
            w.ScanDedupeUntil = pipeline.DedupeHorizon();
        }

        foreach (NativeDirectoryEntry e in entries)
        {
            string path = InotifyEvent.Join(dir, e.Name);
            if (tree.Options.Filter.IsExcluded(e.Name, tree.RelativePath(path)))
            {
                continue;
            }

            bool isDir = IsDirectory(e, path);
            bool known = true;
            if (report is { } source)
            {
                w?.ScannedNames?.Add(e.Name);
                known = pipeline.ReportScanned(tree, dir, w?.Descriptor ?? -1, e.Name, isDir, source);
            }

            if (known && w?.Snapshot is not null)
            {
                w.Snapshot[e.Name] = new SnapshotEntry(e.Inode, isDir);
            }

            if (isDir && !registry.IsWatched(path))
            {
                pending.Enqueue((path, e.Inode));
            }
        }
    }

    private static bool IsDirectory(NativeDirectoryEntry e, string path) =>
        e.IsDirectory ?? (NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory);

    private void ReportProgress(string dir, bool force = false)
    {
        if (tree.Options.Progress is not { } progress)
        {
            return;
        }

        long now = Environment.TickCount64;
        if (force || now - lastProgress >= 100)
        {
            lastProgress = now;
            progress(new RecursiveWatchProgress(tree.DirectoryCount, pending.Count, dir));
        }
    }
}
