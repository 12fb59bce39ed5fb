namespace Inotify;

/// <summary>
/// The bounded hand-over between the one reader thread and any number of consumers. The reader never
/// blocks here: it asks for <see cref="FreeSpace"/> and drops (and counts) what does not fit.
/// Waiting is a Monitor wait for blocking readers and a shared TaskCompletionSource for async ones.
/// </summary>
internal sealed class EventQueue(int capacity, Func<long>? milliseconds = null) : IEventSink
{
    // The clock deadlines are measured with (Environment.TickCount64); tests pass one they move by hand.
    private readonly Func<long> now = milliseconds ?? (static () => Environment.TickCount64);
    private readonly Queue<InotifyEvent> items = new(Math.Min(capacity, 4096));
    private readonly object gate = new();
    private TaskCompletionSource? signal;
    private int blockedWaiters;
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

            toWake = signal;
            signal = null;
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
        lock (gate)
        {
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

                blockedWaiters++;
                try
                {
                    Monitor.Wait(gate, infinite ? Timeout.Infinite : (int)Math.Min(remaining, int.MaxValue));
                }
                finally
                {
                    blockedWaiters--;
                }
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

        toWake?.TrySetResult();
    }

    private void WakeBlocked()
    {
        lock (gate)
        {
            Monitor.PulseAll(gate);
        }
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(closed, typeof(InotifyWatcher));
}
