namespace Inotify;

/// <summary>
/// The reporting half of a <see cref="TreeRepair"/>: what the consumer was told against what the disk holds, path by
/// path, as Rescan events, and the snapshot made to match what the consumer now knows. Under the engine lock.
/// </summary>
internal sealed class TreeRepairReport(TreeScanner scanner, RecursiveWatch tree, DateTime modifiedSince)
{
    // Reports the consumer did not get (its queue was full): the snapshot keeps its old belief about them.
    private readonly HashSet<string> createsLost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SnapshotEntry> deletesLost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SnapshotEntry> stats = new(StringComparer.Ordinal);
    private int creates;
    private int deletes;
    private int renames;
    private int modified;

    internal string Summary => $"Rescan finished: {creates} created, {deletes} deleted, {renames} renamed, {modified} modified.";

    /// <summary>Reports every difference between <paramref name="told"/> and <paramref name="now"/>.</summary>
    internal void Compare(Dictionary<string, SnapshotEntry> told, Dictionary<string, (ulong Inode, bool IsDirectory)> now, HashSet<string> unwatchable)
    {
        // Gone: told, not found, and still not there (an entry made after its directory was read was reported as usual).
        var gone = new List<(string Path, SnapshotEntry Entry)>();
        foreach ((string path, SnapshotEntry entry) in told)
        {
            bool found = now.TryGetValue(path, out (ulong Inode, bool IsDirectory) n) && n.IsDirectory == entry.IsDirectory;
            if (!found && !unwatchable.Contains(path) && !Exists(path, entry.IsDirectory))
            {
                gone.Add((path, entry));
            }
        }

        // New: found, not told, and still there.
        var fresh = new List<(string Path, ulong Inode, bool IsDirectory)>();
        foreach ((string path, (ulong Inode, bool IsDirectory) entry) in now)
        {
            bool known = told.TryGetValue(path, out SnapshotEntry t) && t.IsDirectory == entry.IsDirectory;
            if (!known && Exists(path, entry.IsDirectory))
            {
                fresh.Add((path, entry.Inode, entry.IsDirectory));
            }
            else if (known && !entry.IsDirectory)
            {
                CompareFile(path, t);
            }
        }

        // A file renamed during the gap: gone here, new there, one inode (the snapshot knows a file's inode once a scan
        // or repair has seen it). Directories are reported gone and new: their contents follow by path.
        var freshFiles = new Dictionary<ulong, string>();
        foreach ((string path, ulong inode, bool isDir) in fresh)
        {
            if (!isDir && inode != 0)
            {
                freshFiles.TryAdd(inode, path);
            }
        }

        var goneSet = gone.Select(g => g.Path).ToHashSet(StringComparer.Ordinal);
        var renamedTo = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string path, SnapshotEntry entry) in gone.OrderBy(g => g.Path, StringComparer.Ordinal))
        {
            // The consumer drops what was inside a directory with it: only the outermost of a gone subtree is said.
            if (goneSet.Contains(Parent(path)))
            {
                continue;
            }

            if (!entry.IsDirectory && entry.Inode != 0 && freshFiles.Remove(entry.Inode, out string? to))
            {
                renamedTo.Add(to);
                renames++;
                if (!Say(InotifyEventKind.Renamed, to, false, path))
                {
                    createsLost.Add(to);
                    deletesLost[path] = entry;
                }

                continue;
            }

            if (entry.IsDirectory)
            {
                scanner.Table.RemoveSubtree(path, treeOnly: true);
            }

            deletes++;
            if (!Say(InotifyEventKind.Delete, path, entry.IsDirectory))
            {
                deletesLost[path] = entry;
            }
        }

        // Parents before their entries.
        foreach ((string path, ulong inode, bool isDir) in fresh.OrderBy(f => f.Path.Count(c => c == '/')).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            if (renamedTo.Contains(path))
            {
                continue;
            }

            creates++;
            if (!Say(InotifyEventKind.Create, path, isDir))
            {
                createsLost.Add(path);
            }
        }
    }

    /// <summary>Each directory found with a watch now holds, in the snapshot, what the consumer now knows of it.</summary>
    internal void RebuildSnapshot(Dictionary<string, TreeRepair.FoundDirectory> disk, Dictionary<string, (ulong Inode, bool IsDirectory)> now)
    {
        if (tree.Snapshot is not { } snapshot)
        {
            return;
        }

        foreach ((string dir, TreeRepair.FoundDirectory found) in disk)
        {
            if (found.Entries is null || !scanner.Table.TryGetByPath(dir, out InotifyWatch? w) || w!.Tree != tree || !w.IsActive)
            {
                continue;
            }

            Dictionary<string, SnapshotEntry> entries = snapshot.For(w);
            entries.Clear();
            foreach ((string name, (ulong inode, bool isDir)) in found.Entries)
            {
                string path = InotifyEvent.Join(dir, name);
                if (now.ContainsKey(path) && !createsLost.Contains(path))
                {
                    entries[name] = stats.TryGetValue(path, out SnapshotEntry s) ? s : new SnapshotEntry(inode, isDir);
                }
            }
        }

        foreach ((string path, SnapshotEntry entry) in deletesLost)
        {
            if (scanner.Table.TryGetByPath(Parent(path), out InotifyWatch? w) && w!.Tree == tree)
            {
                snapshot.Set(w, Path.GetFileName(path), entry);
            }
        }
    }

    /// <summary>Directories <see cref="ReadAgain"/> found that the walk did not: they still need a watch and a scan.</summary>
    internal List<DirectoryToVisit> NewDirectories { get; } = [];

    /// <summary>
    /// A directory watched for the first time by the repair is read again now that its watch exists: what was made in
    /// it after the walk read it, and before the watch, is seen here.
    /// </summary>
    internal void ReadAgain(InotifyWatch w, Dictionary<string, (ulong Inode, bool IsDirectory)>? before)
    {
        if (before is null)
        {
            return;
        }

        List<NativeDirectoryEntry>? entries = scanner.Read(w, new DirectoryToVisit(null, w.Path, w.Inode, w));
        foreach (NativeDirectoryEntry e in entries ?? [])
        {
            string path = InotifyEvent.Join(w.Path, e.Name);
            if (before.ContainsKey(e.Name) || scanner.IsExcluded(e.Name, path))
            {
                continue;
            }

            bool isDir = TreeScanner.IsDirectory(e, path);
            creates++;
            if (Say(InotifyEventKind.Create, path, isDir))
            {
                tree.Snapshot?.Set(w, e.Name, new SnapshotEntry(e.Inode, isDir));
            }

            if (isDir)
            {
                // Made after the walk passed: like a directory a live Create reports, it is watched, then read.
                NewDirectories.Add(new DirectoryToVisit(w, e.Name, e.Inode));
            }
        }
    }

    private void CompareFile(string path, SnapshotEntry known)
    {
        if (!NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _))
        {
            return;
        }

        bool changed = known.HasStatus
            ? st.Size != known.Size || st.LastWriteTimeUtc.Ticks != known.ModifiedTicks
            : st.LastWriteTimeUtc >= modifiedSince;

        // Remembered exactly, so the next repair compares precisely. Also when the Modify was dropped: its
        // EventsDropped marker says so, and reporting it again at every repair would only fill the queue again.
        stats[path] = new SnapshotEntry(st.Inode, false, st.Size, st.LastWriteTimeUtc.Ticks);
        if (changed)
        {
            modified++;
            Say(InotifyEventKind.Modify, path, false);
        }
    }

    /// <summary>One Rescan event about <paramref name="path"/>; false when the consumer's queue had no room.</summary>
    private bool Say(InotifyEventKind kind, string path, bool isDirectory, string? oldPath = null)
    {
        string dir = Parent(path);
        string name = Path.GetFileName(path);
        InotifyWatch? parent = scanner.Table.TryGetByPath(dir, out InotifyWatch? w) && w!.IsActive ? w : null;
        bool delivered = scanner.Report(EventSource.Rescan, kind, dir, parent?.Descriptor ?? -1, name, isDirectory, oldPath);
        if (delivered && parent is not null && kind is InotifyEventKind.Create or InotifyEventKind.Renamed)
        {
            // A kernel Create of the same entry still queued is the same news.
            scanner.Horizon.NoteReported(parent, name);
        }

        return delivered;
    }

    private static bool Exists(string path, bool isDirectory) =>
        NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) && st.IsDirectory == isDirectory;

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? string.Empty;
}
