using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Inotify.Interop;

namespace Inotify;

/// <summary>
/// One inotify instance, its watches, one named reader thread and a bounded queue of events.
/// Thread-safe. Dispose stops the reader and closes the descriptor; anyone waiting for an event then
/// gets ObjectDisposedException (or the end of <see cref="ReadAllAsync"/>).
/// </summary>
public sealed class InotifyWatcher : IDisposable
{
    private static int instanceCounter;

    private readonly SafeInotifyHandle handle;
    private readonly SafeFdHandle wakeHandle;
    private readonly EventQueue queue;
    private readonly EventPipeline pipeline;
    private readonly Thread reader;
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

        queue = new EventQueue(Options.QueueCapacity);
        Registry = new WatchRegistry(this, handle);
        pipeline = new EventPipeline(this, Registry, queue, handle);
        Id = Interlocked.Increment(ref instanceCounter);
        reader = new Thread(ReadLoop) { IsBackground = true, Name = $"inotify reader #{Id}" };
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
    public long DroppedCount => pipeline.DroppedCount;

    /// <summary>Kernel queue overflows seen (each is also a QueueOverflow event).</summary>
    public long OverflowCount => pipeline.OverflowCount;

    /// <summary>Events produced so far, dropped ones included: the last Sequence number.</summary>
    public long EventCount => pipeline.Sequence;

    /// <summary>Events waiting to be read.</summary>
    public int QueuedCount => queue.Count;

    /// <summary>How many kernel watches this instance holds.</summary>
    public int WatchCount => Registry.Count;

    // The lists below are arrays: PowerShell indexes an array ($w.Watches[1]) but not the read-only wrapper a
    // collection expression makes for an IReadOnlyList.

    /// <summary>The kernel watches, in no particular order.</summary>
    public IReadOnlyList<InotifyWatch> Watches => Registry.Snapshot().ToArray();

    /// <summary>The recursive watches.</summary>
    public IReadOnlyList<RecursiveWatch> RecursiveWatches => Registry.Trees().ToArray();

    internal WatchRegistry Registry { get; }

    /// <summary>Watches one file or directory.</summary>
    /// <param name="path">The path (relative paths are resolved against the current directory).</param>
    /// <param name="mask">The events to report.</param>
    /// <param name="flags">OnlyDirectory, NoFollow, ExcludeUnlinked, OneShot, Merge or Exclusive.</param>
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
        InotifyWatch watch = Registry.Add(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path)), mask, mask, flags, tree: null);
        watch.Filter = filter ?? PathFilter.None;
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
        string root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        var tree = new RecursiveWatch(this, root, mask, options ?? new RecursiveWatchOptions());
        try
        {
            new TreeWalker(Registry, pipeline, tree).WalkInitial(cancellationToken);
        }
        finally
        {
            tree.Options = tree.Options.WithoutProgress();
        }

        return tree;
    }

    /// <summary>Removes a watch. Events already queued for it are still delivered. Removing a watch the kernel already ended is not an error.</summary>
    public bool Remove(InotifyWatch watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ThrowIfDisposed();
        return Registry.Remove(watch);
    }

    /// <summary>Removes every watch of a recursive watch.</summary>
    public bool Remove(RecursiveWatch tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ThrowIfDisposed();
        return Registry.Remove(tree);
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
        Wake();
        if (Thread.CurrentThread != reader)
        {
            reader.Join();
        }

        Registry.Clear();
        handle.Dispose();
        wakeHandle.Dispose();
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        _ = Libc.Write(wakeHandle, (byte*)&one, sizeof(ulong));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    // Events closer together than this count as a burst (see ReadLoop).
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(1);

    private static int warmedUp;

    /// <summary>
    /// Compiles the event path before the first event needs it: otherwise the first events after a
    /// watcher starts wait tens of milliseconds for the JIT. Once per process, on the first reader thread.
    /// </summary>
    private static void WarmUp()
    {
        if (Interlocked.Exchange(ref warmedUp, 1) != 0)
        {
            return;
        }

        Prepare(typeof(EventPipeline));
        Prepare(typeof(EventParser));
        Prepare(typeof(InotifyEvent));
        Prepare(typeof(EventQueue));
        Prepare(typeof(NativeName));
        Prepare(typeof(WatchRegistry));
    }

    private static void Prepare([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        foreach (MethodInfo m in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        {
            if (!m.IsAbstract && !m.ContainsGenericParameters)
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(m.MethodHandle);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or BadImageFormatException)
                {
                    // Such a method compiles on first use, as usual.
                }
            }
        }
    }

    private unsafe void ReadLoop()
    {
        WarmUp();
        byte[] buffer = new byte[Options.ReadBufferSize];
        var fds = stackalloc Libc.PollFd[2];
        bool addRef = false, addRefWake = false;
        try
        {
            handle.DangerousAddRef(ref addRef);
            wakeHandle.DangerousAddRef(ref addRefWake);
            long lastRead = 0;
            int quickReads = 0;
            fds[0] = new Libc.PollFd { Fd = handle.Fd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = wakeHandle.Fd, Events = Libc.POLLIN };
            while (!IsDisposed)
            {
                fds[0].REvents = 0;
                fds[1].REvents = 0;
                int rc = Libc.Poll(fds, 2, pipeline.MillisecondsUntilNextDeadline());
                if (rc < 0)
                {
                    if (Errno.Last == Errno.EINTR)
                    {
                        continue;
                    }

                    pipeline.ReportFatal(Errno.ToException(Errno.Last, null, "wait for inotify events"));
                    return;
                }

                if (fds[1].REvents != 0 || IsDisposed)
                {
                    return;
                }

                if ((fds[0].REvents & Libc.POLLIN) != 0)
                {
                    int got;

                    // read() and processing share the registry's lock, so a scan on another thread that
                    // asks how many bytes are still queued (FIONREAD) never misses a chunk in flight.
                    lock (Registry.Sync)
                    {
                        nint n;
                        fixed (byte* p = buffer)
                        {
                            n = Libc.Read(handle, p, (nuint)buffer.Length);
                        }

                        if (n < 0)
                        {
                            int errno = Errno.Last;
                            if (errno is Errno.EAGAIN or Errno.EINTR)
                            {
                                continue;
                            }

                            pipeline.ReportFatal(Errno.ToException(errno, null, "read inotify events"));
                            return;
                        }

                        pipeline.ProcessBatch(buffer, (int)n, DateTime.UtcNow);
                        got = (int)n;
                    }

                    // In a burst every wake-up would bring only a few events, and the wake-ups (poll, read,
                    // waking the consumer) would cost more than the events. When events come faster than
                    // CoalesceWindow, let them gather for CoalesceWindow before reading again. A lone event
                    // is still read at once, so latency stays low when the stream is sparse.
                    long now = Stopwatch.GetTimestamp();
                    quickReads = Stopwatch.GetElapsedTime(lastRead, now) < CoalesceWindow ? quickReads + 1 : 0;
                    lastRead = now;

                    // A few quick reads in a row make a burst; a file's Create and CloseWrite alone do not.
                    if (quickReads >= 8 && got < buffer.Length / 2)
                    {
                        fds[1].REvents = 0;
                        _ = Libc.Poll(&fds[1], 1, (int)CoalesceWindow.TotalMilliseconds);

                        // The pause is ours, not a gap in the stream: measure the next read from its end.
                        lastRead = Stopwatch.GetTimestamp();
                    }
                }
                else
                {
                    pipeline.OnIdle();
                }
            }
        }
        finally
        {
            if (addRef)
            {
                handle.DangerousRelease();
            }

            if (addRefWake)
            {
                wakeHandle.DangerousRelease();
            }
        }
    }
}
