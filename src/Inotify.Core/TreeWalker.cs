namespace Inotify;

/// <summary>
/// Walks directories of a recursive watch breadth-first, adding a watch to each directory before reading it, so an
/// entry created meanwhile is seen by the read or reported by the kernel, never neither (and the read horizon keeps
/// it from being reported twice). Two uses: the initial walk of AddRecursive, which reports nothing (it all existed
/// before), and the scan of directories that appear later (created or moved in), whose entries are reported as
/// Create with Source Scan.
/// </summary>
/// <remarks>
/// The walk is resumable: <see cref="Step"/> visits a few directories and returns, and its caller holds the engine
/// lock for one step at a time. The initial walk steps on the thread that called AddRecursive; scans of new
/// directories step on the reader thread, first while the read that found them is processed (so they are reported
/// in stream order) and, past that read's budget or once the kernel's queue fills, between reads, so a large new
/// subtree never stops the reader from draining the kernel's queue.
/// </remarks>
internal sealed class TreeWalker(TreeScanner scanner, EventSource? report)
{
    private readonly Queue<DirectoryToVisit> pending = new();

    /// <summary>The directories found and not yet visited.</summary>
    internal int Pending => pending.Count;

    internal bool IsDone => pending.Count == 0;

    /// <summary>How many directories the last <see cref="Step"/> visited.</summary>
    internal int LastVisited { get; private set; }

    /// <summary>The tree's root; the caller has watched it.</summary>
    internal void Enqueue(in DirectoryToVisit d) => pending.Enqueue(d);

    /// <summary>Visits up to <paramref name="maxDirectories"/> directories; returns the last one visited, or null.</summary>
    internal string? Step(int maxDirectories)
    {
        string? last = null;
        int i = 0;
        for (; i < maxDirectories && pending.TryDequeue(out DirectoryToVisit d); i++)
        {
            if (d.IsLive)
            {
                // The path is a new string each time DirectoryToVisit is asked: made once per directory.
                last = d.Path;
                Visit(d, last);
            }
        }

        LastVisited = i;
        return last;
    }

    private void Visit(DirectoryToVisit d, string dPath)
    {
        RecursiveWatch tree = scanner.Tree;
        bool wasWatched = d.Watched is null && scanner.Table.TryGetByPath(dPath, out InotifyWatch? before) && before!.IsActive && before.Tree == tree;
        if (wasWatched && d.Parent is not null)
        {
            // Found twice (by a scan and by the kernel's Create, or by two scans): the first visit did the work.
            return;
        }

        InotifyWatch? w = d.Watched ?? scanner.Watch(d, dPath);
        if (w is null || (w.Path != dPath && d.Watched is null) || w.Tree != tree)
        {
            // Not watched; or the same directory as one already watched elsewhere (a bind mount): descending would loop.
            return;
        }

        List<NativeDirectoryEntry>? entries = scanner.Read(w, d);
        if (entries is null)
        {
            return;
        }

        HashSet<string>? scanned = report is null || entries.Count == 0 ? null : scanner.Horizon.BeginScan(w);
        TreeSnapshot? snapshot = tree.Snapshot;
        bool filtered = !tree.Options.Filter.IsEmpty;
        foreach (NativeDirectoryEntry e in entries)
        {
            // Most entries are files of an unfiltered tree, whose full path nobody asks for: it is made only when needed.
            string? path = filtered || e.IsDirectory != false ? InotifyEvent.Join(w.Path, e.Name) : null;
            if (filtered && scanner.IsExcluded(e.Name, path!))
            {
                continue;
            }

            bool isDir = e.IsDirectory ?? TreeScanner.IsDirectory(e, path!);
            bool known = true;
            if (report is { } source)
            {
                scanned!.Add(e.Name);
                known = scanner.Report(source, InotifyEventKind.Create, w, e.Name, isDir);
            }

            if (known)
            {
                snapshot?.Set(w, e.Name, new SnapshotEntry(e.Inode, isDir));
            }

            if (isDir && !scanner.Table.IsWatched(path!))
            {
                pending.Enqueue(new DirectoryToVisit(w, e.Name, e.Inode));
            }
        }
    }
}
