using Inotify.Interop;

namespace Inotify;

/// <summary>
/// The bounded hand-over between the one reader thread and any number of consumers. The reader never
/// blocks here: it asks for <see cref="FreeSpace"/> and drops (and counts) what does not fit.
/// Waiting: one blocking reader at a time sleeps in poll() on an eventfd (the doorbell), any further ones in a
/// Monitor wait, async ones on a shared TaskCompletionSource.
/// </summary>
/// <remarks>
/// Why the doorbell: a Monitor wait is woken inside the lock the reader still holds, so the woken consumer blocks
/// again on that lock and wakes a second time. Measured with events 2 ms apart, that double wake-up (each a context
/// switch) was most of the engine's CPU per event and of its latency. The doorbell is rung after the lock is left:
/// one wake-up, no contention. Without a descriptor for it (at the descriptor limit) every wait is a Monitor wait.
/// </remarks>
internal sealed class EventQueue(int capacity, Func<long>? milliseconds = null) : IEventSink
{
    // The clock deadlines are measured with (Environment.TickCount64); tests pass one they move by hand.
    private readonly Func<long> now = milliseconds ?? (static () => Environment.TickCount64);
    private readonly Queue<InotifyEvent> items = new(Math.Min(capacity, 4096));
    private readonly object gate = new();
    private readonly SafeFdHandle? doorbell = OpenDoorbell();
    private TaskCompletionSource? signal;
    private int blockedWaiters;
    private bool bellWaiter;
    private bool closed;

    public int Capacity { get; } = capacity;

    internal int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count;
            }
        }
    }

    /// <summary>Threads blocked in <see cref="TryDequeue(out InotifyEvent?, TimeSpan, CancellationToken)"/> now.</summary>
    internal int BlockedReaders
    {
        get
        {
            lock (gate)
            {
                return blockedWaiters + (bellWaiter ? 1 : 0);
            }
        }
    }

    /// <summary>Free places now; only the consumer changes it meanwhile, and only upwards.</summary>
    public int FreeSpace
    {
        get
        {
            lock (gate)
            {
                return Math.Max(0, Capacity - items.Count);
            }
        }
    }

    /// <summary>Adds a batch under one lock with one wake-up; the caller has already checked the room.</summary>
    public void EnqueueRange(List<InotifyEvent> events)
    {
        TaskCompletionSource? toWake;
        bool ring;
        lock (gate)
        {
            if (closed)
            {
                return;
            }

            foreach (InotifyEvent e in events)
            {
                items.Enqueue(e);
            }

            if (blockedWaiters > 0)
            {
                Monitor.PulseAll(gate);
            }

            ring = bellWaiter;
            toWake = signal;
            signal = null;
        }

        if (ring)
        {
            Ring();
        }

        toWake?.TrySetResult();
    }

    internal bool TryDequeue(out InotifyEvent? e)
    {
        lock (gate)
        {
            ThrowIfClosed();
            return items.TryDequeue(out e);
        }
    }

    internal int DequeueInto(ICollection<InotifyEvent> into, int max)
    {
        lock (gate)
        {
            ThrowIfClosed();
            int n = 0;
            while (n < max && items.TryDequeue(out InotifyEvent? e))
            {
                into.Add(e);
                n++;
            }

            return n;
        }
    }

    /// <summary>Blocks until an event, the timeout (false), cancellation (OperationCanceledException) or close (ObjectDisposedException).</summary>
    internal bool TryDequeue(out InotifyEvent? e, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        long deadline = infinite ? long.MaxValue : now() + (long)timeout.TotalMilliseconds;
        using CancellationTokenRegistration reg = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((EventQueue)s!).WakeBlocked(), this)
            : default;
        bool gateHeld = false;
        try
        {
            Monitor.Enter(gate, ref gateHeld);
            while (true)
            {
                ThrowIfClosed();
                if (items.TryDequeue(out e))
                {
                    return true;
                }

                cancellationToken.ThrowIfCancellationRequested();
                // The deadline is kept apart from "infinite": a remaining time that happens to be -1 ms is Timeout.Infinite
                // to Monitor.Wait, and a wait that overran its deadline by exactly 1 ms would never end.
                long remaining = infinite ? 0 : deadline - now();
                if (!infinite && remaining <= 0)
                {
                    return false;
                }

                int ms = infinite ? Timeout.Infinite : (int)Math.Min(remaining, int.MaxValue);
                if (!bellWaiter && doorbell is not null)
                {
                    bellWaiter = true;
                    Monitor.Exit(gate);
                    gateHeld = false;
                    try
                    {
                        WaitForBell(ms);
                    }
                    finally
                    {
                        Monitor.Enter(gate, ref gateHeld);
                        bellWaiter = false;
                    }

                    continue;
                }

                blockedWaiters++;
                try
                {
                    Monitor.Wait(gate, ms);
                }
                finally
                {
                    blockedWaiters--;
                }
            }
        }
        finally
        {
            if (gateHeld)
            {
                Monitor.Exit(gate);
            }
        }
    }

    internal async ValueTask<InotifyEvent> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                ThrowIfClosed();
                if (items.TryDequeue(out InotifyEvent? e))
                {
                    return e;
                }

                signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = signal.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends every wait: blocked and async readers get ObjectDisposedException.</summary>
    internal void Close()
    {
        TaskCompletionSource? toWake;
        lock (gate)
        {
            closed = true;
            items.Clear();
            Monitor.PulseAll(gate);
            toWake = signal;
            signal = null;
        }

        // The bell stays rung: whoever still polls it returns, and sees the queue closed. The descriptor is closed
        // when the last waiter lets go of it.
        Ring();
        doorbell?.Dispose();
        toWake?.TrySetResult();
    }

    private void WakeBlocked()
    {
        bool ring;
        lock (gate)
        {
            Monitor.PulseAll(gate);
            ring = bellWaiter;
        }

        if (ring)
        {
            Ring();
        }
    }

    private static SafeFdHandle? OpenDoorbell()
    {
        SafeFdHandle fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd.IsInvalid)
        {
            fd.Dispose();
            return null;
        }

        return fd;
    }

    private unsafe void Ring()
    {
        SafeFdHandle? bell = doorbell;
        if (bell is null || bell.IsClosed)
        {
            return;
        }

        ulong one = 1;
        bool added = false;
        try
        {
            bell.DangerousAddRef(ref added);
            _ = Libc.Write(bell, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: nobody waits on it any more.
        }
        finally
        {
            if (added)
            {
                bell.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sleeps until the bell rings or <paramref name="milliseconds"/> pass, then clears it: only this waiter uses it,
    /// and it looks at the queue again afterwards, so a ring it clears is never lost (at worst an old ring wakes it
    /// once for nothing).
    /// </summary>
    private unsafe void WaitForBell(int milliseconds)
    {
        SafeFdHandle bell = doorbell!;
        bool added = false;
        try
        {
            bell.DangerousAddRef(ref added);
            Libc.PollFd fd = new() { Fd = bell.Fd, Events = Libc.POLLIN };
            _ = Libc.Poll(&fd, 1, milliseconds);
            ulong count;
            _ = Libc.Read(bell, (byte*)&count, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // Closed: the caller sees it under the lock.
        }
        finally
        {
            if (added)
            {
                bell.DangerousRelease();
            }
        }
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(closed, typeof(InotifyWatcher));
}
