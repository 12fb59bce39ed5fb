using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Inotify;

namespace InotifyPS;

/// <summary>
/// The events of one handler runspace, as the sequence its one long-running pipeline enumerates. Enumerating is
/// what paces the handler: the pipeline asks for the next event only after its <c>process</c> block finished the
/// previous one, so the lane knows, without any call from PowerShell, how many events were handled, and
/// <see cref="MarkFailed"/> is the only call the handler script makes (from its catch block).
/// </summary>
/// <remarks>
/// A lane reads either the watcher's own bounded queue (one handler runspace: nothing in between, and when the
/// handler falls behind that queue fills and the engine drops with a count and an EventsDropped marker) or a small
/// bounded queue of its own that an <see cref="ActionDispatch"/> fills (several runspaces). Only one thread
/// enumerates a lane; the counts may be read from any thread.
/// </remarks>
internal sealed class ActionLane : IEnumerable<InotifyEvent>
{
    // Taken from the source in one go: one lock per this many events instead of one per event.
    private const int ChunkSize = 256;

    private readonly InotifyWatcher? watcher;
    private readonly Queue<InotifyEvent>? shared;
    private readonly object gate = new();
    private readonly List<InotifyEvent> chunk = new(ChunkSize);
    private readonly CancellationToken stopping;
    private int chunkIndex;
    private int chunkCount;
    private int consumerWaiting;
    private bool completed;
    private InotifyEvent? current;
    private bool currentFailed;
    private long handled;
    private long failed;
    private int enumerated;

    /// <summary>A lane that reads the watcher's queue itself (a single handler runspace).</summary>
    public ActionLane(InotifyWatcher watcher, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        this.watcher = watcher;
        this.stopping = stopping;
    }

    /// <summary>A lane with a queue of its own, which <see cref="Add"/> fills (one of several runspaces).</summary>
    public ActionLane(int capacity, CancellationToken stopping)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        shared = new Queue<InotifyEvent>(Math.Min(capacity, 4096));
        this.stopping = stopping;
    }

    /// <summary>How many events the lane's own queue holds at most (0 for a lane that reads the watcher).</summary>
    public int Capacity { get; }

    /// <summary>Events the handler finished without a terminating error.</summary>
    public long HandledCount => Interlocked.Read(ref handled);

    /// <summary>Events on which the handler threw (each also counted once in the error list).</summary>
    public long FailedCount => Interlocked.Read(ref failed);

    /// <summary>The event the handler is working on now, or null between events.</summary>
    public InotifyEvent? Current => Volatile.Read(ref current);

    /// <summary>Events taken from the source that the handler has not finished: the one under way and those read ahead.</summary>
    public int InHand
    {
        get
        {
            int n = Math.Max(0, Volatile.Read(ref chunkCount) - Volatile.Read(ref chunkIndex));
            if (Volatile.Read(ref current) is not null)
            {
                n++;
            }

            if (shared is not null)
            {
                lock (gate)
                {
                    n += shared.Count;
                }
            }

            return n;
        }
    }

    /// <summary>The handler threw while handling <see cref="Current"/>; called on the enumerating thread.</summary>
    public void MarkFailed() => currentFailed = current is not null;

    /// <summary>
    /// Queues an event for this lane, waiting while the lane is full (the dispatcher then stops reading and the
    /// watcher's own bounded queue takes the backlog). False when the lane is stopping.
    /// </summary>
    public bool Add(InotifyEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (shared is null)
        {
            throw new InvalidOperationException("This lane reads the watcher itself.");
        }

        lock (gate)
        {
            while (shared.Count >= Capacity)
            {
                if (stopping.IsCancellationRequested)
                {
                    return false;
                }

                Monitor.Wait(gate, 50);
            }

            shared.Enqueue(e);
            if (consumerWaiting > 0)
            {
                Monitor.PulseAll(gate);
            }

            return true;
        }
    }

    /// <summary>No more events will be added: the sequence ends once the lane's queue is empty.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Wakes a consumer or producer waiting on this lane (after the stop token was cancelled).</summary>
    public void Wake()
    {
        lock (gate)
        {
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>The sequence the handler pipeline enumerates. Once only: a second enumeration would split the events.</summary>
    public IEnumerator<InotifyEvent> GetEnumerator()
    {
        if (Interlocked.Exchange(ref enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A handler lane is enumerated by one pipeline only.");
        }

        return Enumerate();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<InotifyEvent> Enumerate()
    {
        try
        {
            while (true)
            {
                if (!TryTake(out InotifyEvent? e))
                {
                    yield break;
                }

                currentFailed = false;
                Volatile.Write(ref current, e);
                yield return e;
                Settle();
            }
        }
        finally
        {
            // The pipeline stopped in the middle of an event (Stop, or the handler ended): it was not finished.
            Volatile.Write(ref current, null);
        }
    }

    private void Settle()
    {
        if (currentFailed)
        {
            Interlocked.Increment(ref failed);
        }
        else
        {
            Interlocked.Increment(ref handled);
        }

        Volatile.Write(ref current, null);
    }

    private bool TryTake([NotNullWhen(true)] out InotifyEvent? e)
    {
        e = null;
        if (stopping.IsCancellationRequested)
        {
            return false;
        }

        if (chunkIndex >= chunkCount && !Refill())
        {
            return false;
        }

        e = chunk[chunkIndex];
        Volatile.Write(ref chunkIndex, chunkIndex + 1);
        return true;
    }

    // Blocks until at least one event, the stop token, or the end of the watcher.
    private bool Refill()
    {
        chunk.Clear();
        Volatile.Write(ref chunkIndex, 0);
        Volatile.Write(ref chunkCount, 0);
        if (watcher is not null)
        {
            try
            {
                if (!watcher.TryRead(out InotifyEvent? first, Timeout.InfiniteTimeSpan, stopping))
                {
                    return false;
                }

                chunk.Add(first);
                watcher.ReadAvailable(chunk, ChunkSize - 1);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
        else
        {
            lock (gate)
            {
                while (shared!.Count == 0)
                {
                    if (stopping.IsCancellationRequested || completed)
                    {
                        return false;
                    }

                    consumerWaiting++;
                    try
                    {
                        Monitor.Wait(gate, 100);
                    }
                    finally
                    {
                        consumerWaiting--;
                    }
                }

                bool wasFull = shared.Count >= Capacity;
                while (chunk.Count < ChunkSize && shared.TryDequeue(out InotifyEvent? e))
                {
                    chunk.Add(e);
                }

                if (wasFull)
                {
                    Monitor.PulseAll(gate);
                }
            }
        }

        Volatile.Write(ref chunkCount, chunk.Count);
        return true;
    }
}
