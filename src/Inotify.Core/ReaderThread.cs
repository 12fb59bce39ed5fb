using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Inotify.Interop;

namespace Inotify;

/// <summary>
/// The one thread per watcher that reads the inotify descriptor: poll() on it and on an eventfd (the wake-up for
/// Dispose), read() 64 KiB at a time, hand each read to the dispatcher, and between reads do a step of the
/// recursion work. It never blocks on the consumer.
/// </summary>
internal sealed class ReaderThread
{
    // Events closer together than this count as a burst (see Run).
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(1);

    private static int warmedUp;

    private readonly SafeInotifyHandle handle;
    private readonly SafeFdHandle wakeHandle;
    private readonly WatchTable table;
    private readonly EventDispatcher dispatcher;
    private readonly TreeWork work;
    private readonly EventOutbox outbox;
    private readonly int bufferSize;
    private readonly Func<bool> stopping;
    private readonly Thread thread;

    internal ReaderThread(int id, SafeInotifyHandle handle, SafeFdHandle wakeHandle, WatchTable table, EventDispatcher dispatcher, TreeWork work,
        EventOutbox outbox, int bufferSize, Func<bool> stopping)
    {
        this.handle = handle;
        this.wakeHandle = wakeHandle;
        this.table = table;
        this.dispatcher = dispatcher;
        this.work = work;
        this.outbox = outbox;
        this.bufferSize = bufferSize;
        this.stopping = stopping;
        thread = new Thread(Run) { IsBackground = true, Name = $"inotify reader #{id}" };
    }

    internal bool IsCurrentThread => Thread.CurrentThread == thread;

    internal void Start() => thread.Start();

    internal void Join() => thread.Join();

    /// <summary>Wakes the thread out of poll(): for Dispose, or to look at its deadlines again.</summary>
    internal unsafe void Wake()
    {
        ulong one = 1;
        _ = Libc.Write(wakeHandle, (byte*)&one, sizeof(ulong));
    }

    /// <summary>
    /// Compiles the event path before the first event needs it: otherwise the first events after a watcher starts
    /// wait tens of milliseconds for the JIT. Once per process, on the first reader thread.
    /// </summary>
    private static void WarmUp()
    {
        if (Interlocked.Exchange(ref warmedUp, 1) != 0)
        {
            return;
        }

        Prepare(typeof(EventDispatcher));
        Prepare(typeof(EventOutbox));
        Prepare(typeof(ReadHorizon));
        Prepare(typeof(RenamePairer));
        Prepare(typeof(EventParser));
        Prepare(typeof(InotifyEvent));
        Prepare(typeof(EventQueue));
        Prepare(typeof(NativeName));
        Prepare(typeof(WatchTable));
        Prepare(typeof(EventKinds));
    }

    internal static void Prepare([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        foreach (MethodInfo m in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        {
            if (!m.IsAbstract && !m.ContainsGenericParameters)
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(m.MethodHandle);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or BadImageFormatException or IOException)
                {
                    // Such a method compiles on first use, as usual. (IOException: an assembly it needs could not be
                    // loaded now, e.g. at the process's descriptor limit; the warm-up is only a head start.)
                }
            }
        }
    }

    private unsafe void Run()
    {
        WarmUp();
        byte[] buffer = new byte[bufferSize];
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
            while (!stopping())
            {
                fds[0].REvents = 0;
                fds[1].REvents = 0;
                int timeout;
                lock (table.Sync)
                {
                    // With recursion work waiting, only look whether the kernel has events, then do a step of it.
                    timeout = work.HasWork ? work.PollTimeout : dispatcher.MillisecondsUntilNextDeadline();
                }

                int rc = Libc.Poll(fds, 2, timeout);
                if (rc < 0)
                {
                    if (Errno.Last == Errno.EINTR)
                    {
                        continue;
                    }

                    Fatal(Errno.ToException(Errno.Last, null, "wait for inotify events"));
                    return;
                }

                if (stopping())
                {
                    return;
                }

                if (fds[1].REvents != 0)
                {
                    // Not Dispose: a nudge to look at the deadlines again (new work, files to decide). Consumed here,
                    // or poll would return at once for ever.
                    ulong count;
                    _ = Libc.Read(wakeHandle, (byte*)&count, sizeof(ulong));
                }

                bool hasWork;
                if ((fds[0].REvents & Libc.POLLIN) != 0)
                {
                    int got;

                    // read() and processing share the engine lock, so a scan on another thread that asks how many bytes
                    // are still queued (FIONREAD) never misses a chunk in flight.
                    lock (table.Sync)
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

                            dispatcher.ReportFatal(Errno.ToException(errno, null, "read inotify events"));
                            return;
                        }

                        dispatcher.ProcessRead(buffer, (int)n, DateTime.UtcNow);
                        got = (int)n;
                        hasWork = work.HasWork;
                    }

                    // In a burst every wake-up would bring only a few events, and the wake-ups (poll, read, waking the
                    // consumer) would cost more than the events. When events come faster than CoalesceWindow, let them
                    // gather for CoalesceWindow before reading again. A lone event is still read at once, so latency
                    // stays low when the stream is sparse.
                    long now = Stopwatch.GetTimestamp();
                    quickReads = Stopwatch.GetElapsedTime(lastRead, now) < CoalesceWindow ? quickReads + 1 : 0;
                    lastRead = now;

                    // A few quick reads in a row make a burst; a file's Create and CloseWrite alone do not.
                    if (quickReads >= 8 && got < buffer.Length / 2 && !hasWork)
                    {
                        fds[1].REvents = 0;
                        _ = Libc.Poll(&fds[1], 1, (int)CoalesceWindow.TotalMilliseconds);

                        // The pause is ours, not a gap in the stream: measure the next read from its end.
                        lastRead = Stopwatch.GetTimestamp();
                    }
                }
                else
                {
                    lock (table.Sync)
                    {
                        dispatcher.OnIdle();
                        hasWork = work.HasWork;
                    }
                }

                if (hasWork)
                {
                    lock (table.Sync)
                    {
                        using EventOutbox.Scope batch = outbox.Batch();
                        work.Step();
                    }
                }
            }
        }
#pragma warning disable CA1031 // A bug here must not take the host process (pwsh) down: the consumer is told, and reading ends.
        catch (Exception e) when (e is not ThreadInterruptedException)
#pragma warning restore CA1031
        {
            Fatal(new InotifyException(0, null, "ReaderFailed", $"The reader failed: {e.GetType().Name}: {e.Message}", e));
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

    private void Fatal(InotifyException e)
    {
        lock (table.Sync)
        {
            dispatcher.ReportFatal(e);
        }
    }
}
