namespace Inotify;

/// <summary>
/// The recursion work the reader thread does between reads: scans of directories that appeared (created or moved
/// in), directories to reach again after a rename, repairs after a gap, and retries of directories the kernel
/// would not watch. Each <see cref="Step"/> does a few directories of one job, under the engine lock; the reader
/// reads the kernel's queue between steps, so no walk, however large, stops it from draining.
/// </summary>
/// <param name="table">The watch table.</param>
/// <param name="outbox">Where reports go.</param>
/// <param name="horizon">The read horizon (scan de-duplication, own reads).</param>
/// <param name="kernelWatches">The kernel's list of the instance's watches (for repairs), or null if unreadable.</param>
/// <param name="clock">Milliseconds (Environment.TickCount64 outside tests).</param>
/// <param name="kernelQueueSize">max_queued_events as it was when the instance was made (it is fixed per instance).</param>
internal sealed class TreeWork(WatchTable table, EventOutbox outbox, ReadHorizon horizon, Func<Dictionary<int, ulong>?> kernelWatches, Func<long> clock,
    long kernelQueueSize)
{
    /// <summary>The most directories one step visits: small enough that the kernel's queue is read again soon.</summary>
    internal const int MaxDirectoriesPerStep = 16;

    // Reading a directory queues up to six events (Open, Access and CloseNoWrite, on its own watch and on its
    // parent's), which the reader drains after the step. A step must not fill a small kernel queue by itself, or
    // the repair of one overflow would cause the next: its own events stay under a sixteenth of the queue.
    private readonly int directoriesPerStep = (int)Math.Clamp((kernelQueueSize > 0 ? kernelQueueSize : 16384) / 6 / 16, 1, MaxDirectoriesPerStep);

    // Scans done while a read is processed (see ScanNow) stop once the kernel's queue holds a quarter of what it
    // can (a record is at least 16 bytes): the reader must drain it before it overflows. And at this many
    // directories per read, so one read's other events are not held back for long.
    private const int MaxDirectoriesPerRead = 4096;

    private readonly long inlineStopBytes = Math.Max(16, (kernelQueueSize > 0 ? kernelQueueSize : 16384) * 16 / 4);

    private int readBudget;

    private const long FirstRetryMilliseconds = 1_000;
    private const long LastRetryMilliseconds = 60_000;

    private readonly Dictionary<RecursiveWatch, TreeWalker> scans = [];
    private readonly Dictionary<RecursiveWatch, TreeRepair> repairs = [];
    private readonly Dictionary<RecursiveWatch, DateTime> repairsWaiting = [];
    private readonly Dictionary<RecursiveWatch, Retry> retries = [];
    private readonly Dictionary<RecursiveWatch, long> nextWait = [];

    /// <summary>True while a job waits for a step.</summary>
    internal bool HasWork => scans.Count > 0 || repairs.Count > 0 || repairsWaiting.Count > 0;

    /// <summary>
    /// How long the reader may sleep in poll() while there is work: not at all, unless every job waits for the
    /// consumer to make room (then a short nap, rather than spinning).
    /// </summary>
    internal int PollTimeout => scans.Count == 0 && repairsWaiting.Count == 0 && repairs.Count > 0 && repairs.Values.All(r => r.WaitingForRoom) ? 10 : 0;

    /// <summary>When a retry of unwatched directories is due, in milliseconds of the clock; null when none is.</summary>
    internal long? NextRetry
    {
        get
        {
            long? next = null;
            foreach (Retry r in retries.Values)
            {
                next = next is { } n ? Math.Min(n, r.Due) : r.Due;
            }

            return next;
        }
    }

    /// <summary>A directory appeared in the tree: watch it and everything below, and report what it holds.</summary>
    internal void ScanNew(RecursiveWatch tree, in DirectoryToVisit d) => ScanOf(tree).Enqueue(d);

    /// <summary>A read starts: it may scan up to its share of directories right away (<see cref="ScanNow"/>).</summary>
    internal void BeginRead() => readBudget = MaxDirectoriesPerRead;

    /// <summary>
    /// Scans the tree's new directories now, while the read that found them is processed, so what they hold is
    /// reported before the events read after them, in the order it happened (a consumer that sees a later event
    /// knows the earlier directories' contents). Within the read's budget; the rest is left to the steps between
    /// reads, as is everything while a repair of the tree is under way or waiting, and whatever would let the kernel's
    /// queue fill up meanwhile.
    /// </summary>
    internal void ScanNow(RecursiveWatch tree)
    {
        if (readBudget <= 0 || repairs.ContainsKey(tree) || repairsWaiting.ContainsKey(tree) || !scans.TryGetValue(tree, out TreeWalker? scan))
        {
            return;
        }

        while (readBudget > 0 && !scan.IsDone)
        {
            _ = scan.Step(Math.Min(readBudget, directoriesPerStep));
            readBudget -= scan.LastVisited;
            if (horizon.PendingKernelBytes() is not { } pending || pending >= inlineStopBytes)
            {
                readBudget = 0;
            }
        }

        if (scan.IsDone)
        {
            scans.Remove(tree);
            NoteDegraded(tree);
        }
    }

    /// <summary>A rename was read: directories of the tree that could not be reached may be reachable now.</summary>
    internal void Revisit(RecursiveWatch tree)
    {
        if (tree.Unresolved.Count == 0)
        {
            return;
        }

        TreeWalker scan = ScanOf(tree);
        foreach (DirectoryToVisit d in tree.Unresolved)
        {
            scan.Enqueue(d);
        }

        tree.Unresolved.Clear();
    }

    /// <summary>A gap since <paramref name="since"/>: repair the tree (after the running repair, if there is one).</summary>
    internal void Repair(RecursiveWatch tree, DateTime since)
    {
        if (repairsWaiting.TryGetValue(tree, out DateTime earlier) && earlier <= since)
        {
            return;
        }

        repairsWaiting[tree] = since;
    }

    /// <summary>A tree lost directories to the kernel's refusal: try them again later, less often each time.</summary>
    internal void ScheduleRetry(RecursiveWatch tree)
    {
        if (!retries.ContainsKey(tree))
        {
            long wait = nextWait.Remove(tree, out long w) ? w : FirstRetryMilliseconds;
            retries[tree] = new Retry(clock() + wait, wait);
        }
    }

    /// <summary>Runs one step of one job. Under the engine lock, inside an outbox batch.</summary>
    internal void Step()
    {
        StartWaitingRepairs();
        foreach ((RecursiveWatch tree, TreeRepair repair) in repairs)
        {
            if (tree.State is not (RecursiveWatchState.Active or RecursiveWatchState.Degraded) || repair.Step(directoriesPerStep))
            {
                repairs.Remove(tree);
                foreach (DirectoryToVisit d in repair.NewDirectories)
                {
                    ScanNew(tree, d);
                }

                NoteDegraded(tree);
            }

            return;
        }

        foreach ((RecursiveWatch tree, TreeWalker scan) in scans)
        {
            if (tree.State is RecursiveWatchState.Removed)
            {
                scans.Remove(tree);
                return;
            }

            _ = scan.Step(directoriesPerStep);
            if (scan.IsDone)
            {
                scans.Remove(tree);
                NoteDegraded(tree);
            }

            return;
        }
    }

    /// <summary>Retries the unwatched directories of the trees whose retry is due. Under the engine lock.</summary>
    internal void RetryDue()
    {
        if (retries.Count == 0)
        {
            return;
        }

        long now = clock();
        foreach ((RecursiveWatch tree, Retry retry) in retries.Where(r => r.Value.Due <= now).ToList())
        {
            retries.Remove(tree);
            if (tree.State is not (RecursiveWatchState.Active or RecursiveWatchState.Degraded))
            {
                continue;
            }

            int before = tree.UnwatchedDirectories.Count;
            foreach (string path in tree.UnwatchedPaths())
            {
                string? parentPath = Path.GetDirectoryName(path);
                if (!NativeFile.TryStat(path, followLinks: false, out NativeFileStatus st, out _) || !st.IsDirectory)
                {
                    tree.RemoveUnwatched(path);
                }
                else if (parentPath is not null && table.TryGetByPath(parentPath, out InotifyWatch? parent) && parent!.Tree == tree)
                {
                    ScanOf(tree).Enqueue(new DirectoryToVisit(parent, Path.GetFileName(path), st.Inode));
                }
            }

            // The scan just queued retries them; meanwhile back off while nothing changes, and start over once
            // something could be watched (NoteDegraded schedules the next retry when the scan ends Degraded).
            long wait = before > tree.UnwatchedDirectories.Count ? FirstRetryMilliseconds : Math.Min(retry.Wait * 2, LastRetryMilliseconds);
            nextWait[tree] = wait;
        }
    }

    /// <summary>Drops every job of a tree that was removed.</summary>
    internal void Forget(RecursiveWatch tree)
    {
        scans.Remove(tree);
        repairs.Remove(tree);
        repairsWaiting.Remove(tree);
        retries.Remove(tree);
        nextWait.Remove(tree);
    }

    private void StartWaitingRepairs()
    {
        if (repairsWaiting.Count == 0)
        {
            return;
        }

        foreach ((RecursiveWatch tree, DateTime since) in repairsWaiting)
        {
            if (repairs.ContainsKey(tree))
            {
                continue; // One repair at a time per tree: this one starts when the running one ends.
            }

            repairsWaiting.Remove(tree);
            if (tree.State is RecursiveWatchState.Active or RecursiveWatchState.Degraded)
            {
                // A repair covers whatever scan was under way.
                scans.Remove(tree);
                repairs[tree] = new TreeRepair(Scanner(tree), since, kernelWatches());
            }
        }
    }

    private void NoteDegraded(RecursiveWatch tree)
    {
        if (tree.State == RecursiveWatchState.Degraded)
        {
            ScheduleRetry(tree);
        }
    }

    private TreeWalker ScanOf(RecursiveWatch tree)
    {
        if (!scans.TryGetValue(tree, out TreeWalker? scan))
        {
            scan = new TreeWalker(Scanner(tree), EventSource.Scan);
            scans[tree] = scan;
        }

        return scan;
    }

    private TreeScanner Scanner(RecursiveWatch tree) => new(table, outbox, horizon, tree);

    private readonly record struct Retry(long Due, long Wait);
}
