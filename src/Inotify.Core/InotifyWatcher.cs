using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Inotify.Interop;

namespace Inotify;

/// <summary>
/// One inotify instance, its watches, one named reader thread and a bounded queue of events.
/// Thread-safe. Dispose stops the reader and closes the descriptor; anyone waiting for an event then
/// gets ObjectDisposedException (or the end of <see cref="ReadAllAsync"/>).
/// </summary>
/// <remarks>
/// <para><b>How it fits together.</b> The reader thread (<see cref="ReaderThread"/>) reads the descriptor and hands
/// each read to the <see cref="EventDispatcher"/>, which turns records into events with the help of the parts it
/// owns: <see cref="WatchTable"/> (wd, path and inode to watch), <see cref="RenamePairer"/>, <see cref="ReadHorizon"/>,
/// each tree's <see cref="TreeSnapshot"/>, and <see cref="EventOutbox"/>, which numbers events and hands them to the
/// bounded <see cref="EventQueue"/> that consumers read. Recursion work (<see cref="TreeWork"/>: scans of new
/// directories with <see cref="TreeWalker"/>, repairs with <see cref="TreeRepair"/>, both through
/// <see cref="TreeScanner"/>) runs on the reader thread between reads. Dependencies run one way: dispatcher -> work
/// -> walker/repair -> scanner -> table, outbox, horizon; nothing below calls back into the dispatcher.</para>
/// <para><b>Threads.</b> The reader thread runs every read, the dispatcher, rename expiry, drop markers, the scans
/// of new directories, repairs and retries. A thread calling <see cref="AddRecursive"/> runs that tree's initial
/// walk itself; threads calling Add, Remove and Dispose make their kernel calls themselves. Consumers (any number of
/// threads) only touch the EventQueue.</para>
/// <para><b>Locks, in the order they may be taken.</b>
/// (1) The engine lock, <c>WatchTable.Sync</c>: guards the watch table, the dispatcher and everything it owns (the
/// pairer, the read horizon, the outbox, the snapshots, each tree's unresolved list, the recursion work).
/// inotify_add_watch and read() are called under it, so the reader never sees a wd the table does not have and a
/// scan's FIONREAD never misses a read in flight. It is held for one read and its processing, for one step of
/// recursion work (at most <see cref="TreeWork.MaxDirectoriesPerStep"/> directories), or for one directory of an initial walk:
/// never for a whole walk, so the reader keeps draining the kernel's queue.
/// (2) The EventQueue's lock: taken by the outbox's hand-over under (1), and by consumers alone. A consumer never
/// takes (1) while holding it.
/// (3) Leaf locks, held for a few instructions and never while taking another: a tree's watch set and unwatched
/// list, a watch's alias list.</para>
/// </remarks>
public sealed class InotifyWatcher : IDisposable
{
    private static int instanceCounter;

    private readonly SafeInotifyHandle handle;
    private readonly SafeFdHandle wakeHandle;
    private readonly EventQueue queue;
    private readonly EventOutbox outbox;
    private readonly ReadHorizon horizon;
    private readonly TreeWork work;
    private readonly EventDispatcher dispatcher;
    private readonly ReaderThread reader;
    private int disposed;

    /// <summary>Creates the inotify instance and starts its reader thread.</summary>
    /// <exception cref="InstanceLimitException">max_user_instances or the descriptor limit is reached.</exception>
    public InotifyWatcher(InotifyWatcherOptions? options = null)
    {
        Options = options ?? new InotifyWatcherOptions();
        Options.Validate();
        handle = Libc.InotifyInit1(Libc.IN_NONBLOCK | Libc.IN_CLOEXEC);
        if (handle.IsInvalid)
        {
            int errno = Errno.Last;
            handle.Dispose();
            throw Errno.ToException(errno, null, "create an inotify instance");
        }

        wakeHandle = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wakeHandle.IsInvalid)
        {
            int errno = Errno.Last;
            wakeHandle.Dispose();
            handle.Dispose();
            throw Errno.ToException(errno, null, "create the reader's wake-up descriptor");
        }

        Func<long> clock = static () => Environment.TickCount64;
        queue = new EventQueue(Options.QueueCapacity);
        Table = new WatchTable(this, handle);
        outbox = new EventOutbox(queue);
        horizon = new ReadHorizon(PendingKernelBytes, clock);
        work = new TreeWork(Table, outbox, horizon, KernelWatches, clock, InotifyLimits.ReadLimit(InotifyLimits.MaxQueuedEventsFile));
        Readiness = new ReadyReporter(Options.Readiness, Table, outbox, horizon, clock);
        dispatcher = new EventDispatcher(Options, Table, outbox, horizon, work, Readiness, clock);
        Id = Interlocked.Increment(ref instanceCounter);
        reader = new ReaderThread(Id, handle, wakeHandle, Table, dispatcher, work, outbox, Options.ReadBufferSize, () => IsDisposed);
        try
        {
            reader.Start();
        }
        catch (OutOfMemoryException)
        {
            // At the descriptor limit the runtime cannot start a thread (it needs a pipe for it) and says
            // "out of memory"; the cause the user can act on is the descriptor limit.
            handle.Dispose();
            wakeHandle.Dispose();
            throw Errno.ToException(Errno.EMFILE, null, "start the reader thread of an inotify instance");
        }
    }

    /// <summary>A number that tells this watcher from the others in the process.</summary>
    public int Id { get; }

    /// <summary>The settings it was made with.</summary>
    public InotifyWatcherOptions Options { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>Events dropped because the consumer did not keep up (each gap is also an EventsDropped event).</summary>
    public long DroppedCount => outbox.DroppedCount;

    /// <summary>Kernel queue overflows seen (each is also a QueueOverflow event).</summary>
    public long OverflowCount => dispatcher.OverflowCount;

    /// <summary>Events produced so far, dropped ones included: the last Sequence number.</summary>
    public long EventCount => outbox.Sequence;

    /// <summary>Events waiting to be read.</summary>
    public int QueuedCount => queue.Count;

    /// <summary>Threads blocked in TryRead now (tests wait for a reader to be inside its wait).</summary>
    internal int BlockedReaders => queue.BlockedReaders;

    /// <summary>How many kernel watches this instance holds.</summary>
    public int WatchCount => Table.Count;

    // The lists below are arrays: PowerShell indexes an array ($w.Watches[1]) but not the read-only wrapper a
    // collection expression makes for an IReadOnlyList.

    /// <summary>The kernel watches, in no particular order.</summary>
    public IReadOnlyList<InotifyWatch> Watches => Table.Snapshot();

    /// <summary>The recursive watches.</summary>
    public IReadOnlyList<RecursiveWatch> RecursiveWatches => Table.Trees();

    internal WatchTable Table { get; }

    internal ReadyReporter Readiness { get; }

    /// <summary>Watches one file or directory.</summary>
    /// <param name="path">The path (relative paths are resolved against the current directory).</param>
    /// <param name="mask">The events to report.</param>
    /// <param name="flags">OnlyDirectory, NoFollow, ExcludeUnlinked, OneShot, Merge or Exclusive; IncludeExisting (with Ready in the mask).</param>
    /// <param name="filter">Include/exclude wildcards on the names of a directory's entries (null: everything).</param>
    /// <returns>
    /// The watch. If the object is already watched through another path (a symbolic link, a bind mount),
    /// the kernel has only one watch for it: the existing watch is returned with the new path in its
    /// <see cref="InotifyWatch.Aliases"/>, and its mask is merged rather than replaced.
    /// </returns>
    /// <exception cref="InotifyException">The kernel refused; the subclass and ErrorId say why.</exception>
    public InotifyWatch Add(string path, InotifyEventMask mask = InotifyEventMask.All, WatchFlags flags = WatchFlags.None, PathFilter? filter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        bool existing = (flags & WatchFlags.IncludeExisting) != 0;
        ThrowIfExistingWithoutReady(existing, mask);
        WarmUpIfReady(mask);
        InotifyWatch watch = Table.Add(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path)), mask, mask, flags, tree: null);
        watch.Filter = filter ?? PathFilter.None;
        if (existing)
        {
            lock (Table.Sync)
            {
                Readiness.IncludeExisting(watch);
            }

            // The reader sleeps until its next deadline: the files just found bring earlier ones.
            reader.Wake();
        }

        return watch;
    }

    /// <summary>Watches a directory tree: every directory in it now, and every one that appears later.</summary>
    /// <param name="path">The root directory.</param>
    /// <param name="mask">The events to report (recursion itself needs Create and Move, which the engine adds and filters out).</param>
    /// <param name="options">Filters, repair and progress.</param>
    /// <param name="cancellationToken">Checked between directories of the initial walk.</param>
    /// <returns>The recursive watch; directories that could not be watched are listed in it, not thrown.</returns>
    /// <exception cref="InotifyException">The root itself cannot be watched.</exception>
    /// <exception cref="OperationCanceledException">
    /// The walk was cancelled. Nothing of the tree is left: its watches are removed, as when the progress callback throws.
    /// </exception>
    public RecursiveWatch AddRecursive(string path, InotifyEventMask mask = InotifyEventMask.All, RecursiveWatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        options ??= new RecursiveWatchOptions();
        ThrowIfExistingWithoutReady(options.IncludeExisting, mask);
        WarmUpIfReady(mask);
        string root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        var tree = new RecursiveWatch(this, root, mask, options);
        var walker = new TreeWalker(new TreeScanner(Table, outbox, horizon, tree, failuresAsEvents: false), report: null);
        try
        {
            lock (Table.Sync)
            {
                tree.Root = Table.Add(root, tree.Mask, tree.KernelMask, WatchFlags.OnlyDirectory, tree);
                Table.AddTree(tree);
            }

            walker.Enqueue(new DirectoryToVisit(null, root, 0, tree.Root));
            long lastProgress = 0;
            while (!walker.IsDone)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? dir;
                lock (Table.Sync)
                {
                    if (tree.State == RecursiveWatchState.Removed)
                    {
                        return tree;
                    }

                    using EventOutbox.Scope batch = outbox.Batch();
                    dir = walker.Step(1);
                }

                ReportProgress(tree, walker, dir, ref lastProgress, force: false);
            }

            ReportProgress(tree, walker, root, ref lastProgress, force: true);
            lock (Table.Sync)
            {
                if (tree.State == RecursiveWatchState.Degraded)
                {
                    work.ScheduleRetry(tree);
                }
            }
        }
        catch when (Remove(tree) || true)
        {
            // Cancelled, or the progress callback threw (a stopped pipeline): a half-built tree would claim to be
            // watching what it is not, so none of it stays (the filter removes it before the exception goes on).
            throw;
        }
        finally
        {
            // The callback is often a command object: the tree does not keep it alive once the walk is over.
            tree.Options = tree.Options.WithoutProgress();
        }

        if (options.IncludeExisting)
        {
            // Every directory is watched by now, so a file is either read here or reported by the kernel (or both:
            // the tracker follows a path once). One directory per lock, as in the walk.
            foreach (InotifyWatch w in tree.WatchList())
            {
                lock (Table.Sync)
                {
                    if (tree.State == RecursiveWatchState.Removed)
                    {
                        break;
                    }

                    Readiness.IncludeExisting(tree, w);
                }
            }

            reader.Wake();
        }

        return tree;
    }

    /// <summary>
    /// Rescans a recursive watch as after a gap: what changed on disk without an event reaching the consumer is
    /// reported (Source Rescan), watches the kernel dropped are made again, and directories that could not be
    /// watched are tried again. It runs on the reader thread; this returns at once.
    /// </summary>
    public void Rescan(RecursiveWatch tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ThrowIfDisposed();
        lock (Table.Sync)
        {
            work.Repair(tree, DateTime.UtcNow);
        }

        reader.Wake();
    }

    /// <summary>Removes a watch. Events already queued for it are still delivered. Removing a watch the kernel already ended is not an error.</summary>
    public bool Remove(InotifyWatch watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ThrowIfDisposed();
        return Table.Remove(watch);
    }

    /// <summary>Removes every watch of a recursive watch.</summary>
    public bool Remove(RecursiveWatch tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ThrowIfDisposed();
        lock (Table.Sync)
        {
            work.Forget(tree);
            return Table.Remove(tree);
        }
    }

    /// <summary>Takes the next queued event without waiting.</summary>
    public bool TryRead([NotNullWhen(true)] out InotifyEvent? e)
    {
        ThrowIfDisposed();
        return queue.TryDequeue(out e);
    }

    /// <summary>Waits for the next event.</summary>
    /// <param name="e">The event, when the result is true.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels the wait with OperationCanceledException.</param>
    /// <returns>False when the timeout passed with no event.</returns>
    /// <exception cref="ObjectDisposedException">The watcher was disposed, before or during the wait.</exception>
    public bool TryRead([NotNullWhen(true)] out InotifyEvent? e, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return queue.TryDequeue(out e, timeout, cancellationToken);
    }

    /// <summary>Waits asynchronously for the next event.</summary>
    /// <exception cref="ObjectDisposedException">The watcher was disposed, before or during the wait.</exception>
    public ValueTask<InotifyEvent> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return queue.DequeueAsync(cancellationToken);
    }

    /// <summary>Every event as it comes, for <c>await foreach</c>; ends when the watcher is disposed.</summary>
    public async IAsyncEnumerable<InotifyEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            InotifyEvent e;
            try
            {
                e = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                yield break;
            }

            yield return e;
        }
    }

    /// <summary>Moves up to <paramref name="maxCount"/> queued events into <paramref name="into"/> without waiting; returns how many.</summary>
    public int ReadAvailable(ICollection<InotifyEvent> into, int maxCount = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(into);
        ThrowIfDisposed();
        return queue.DequeueInto(into, maxCount);
    }

    /// <summary>"InotifyWatcher #3 (2 watches)", or "InotifyWatcher #3 (disposed)".</summary>
    public override string ToString()
    {
        if (IsDisposed)
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"InotifyWatcher #{Id} (disposed)");
        }

        int n = WatchCount;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"InotifyWatcher #{Id} ({n} {(n == 1 ? "watch" : "watches")})");
    }

    /// <summary>Stops the reader thread, closes the instance and releases every waiter.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        queue.Close();
        reader.Wake();
        if (!reader.IsCurrentThread)
        {
            reader.Join();
        }

        Table.Clear();
        handle.Dispose();
        wakeHandle.Dispose();
    }

    /// <summary>The progress callback sees the walk now and then, on the thread that called AddRecursive.</summary>
    private static void ReportProgress(RecursiveWatch tree, TreeWalker walker, string? dir, ref long last, bool force)
    {
        if (tree.Options.Progress is not { } progress || dir is null)
        {
            return;
        }

        long now = Environment.TickCount64;
        if (force || now - last >= 100)
        {
            last = now;
            progress(new RecursiveWatchProgress(tree.DirectoryCount, walker.Pending, dir));
        }
    }

    /// <summary>The kernel's own list of this instance's watches (wd to inode), or null when it cannot be read.</summary>
    internal Dictionary<int, ulong>? KernelWatches() => KernelWatchList.Read(handle.Fd);

    private int? PendingKernelBytes() => Libc.Ioctl(handle, Libc.FIONREAD, out int pending) == 0 ? pending : null;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private static void WarmUpIfReady(InotifyEventMask mask)
    {
        if ((mask & InotifyEventMask.Ready) != 0)
        {
            ReadyReporter.WarmUp();
        }
    }

    private static void ThrowIfExistingWithoutReady(bool includeExisting, InotifyEventMask mask)
    {
        if (includeExisting && (mask & InotifyEventMask.Ready) == 0)
        {
            throw new ArgumentException("IncludeExisting reports the files already there as Ready: the mask must include InotifyEventMask.Ready.", nameof(mask));
        }
    }
}
