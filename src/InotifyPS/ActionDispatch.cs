using Inotify;

namespace InotifyPS;

/// <summary>
/// Splits a watcher's events over the lanes of its handler runspaces. With one lane, the lane reads the watcher
/// directly. With several, one dispatcher thread reads the watcher in order and gives each event to the lane its
/// path hashes to, so every event of one path goes to the same runspace, in order.
/// </summary>
/// <remarks>
/// The dispatcher waits while the lane an event belongs to is full; the watcher's bounded queue then takes the
/// backlog, and beyond it the engine drops with a count and an EventsDropped marker. Nothing here grows without bound.
/// </remarks>
internal sealed class ActionDispatch : IDisposable
{
    /// <summary>Events one lane of several may hold (the watcher's own queue is the real buffer).</summary>
    public const int DefaultLaneCapacity = 1024;

    private const int ReadChunk = 256;

    private readonly InotifyWatcher watcher;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread? thread;
    private int started;
    private Exception? fault;

    public ActionDispatch(InotifyWatcher watcher, int laneCount, int laneCapacity = DefaultLaneCapacity)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentOutOfRangeException.ThrowIfLessThan(laneCount, 1);
        this.watcher = watcher;
        if (laneCount == 1)
        {
            Lanes = [new ActionLane(watcher, stop.Token)];
        }
        else
        {
            Lanes = [.. Enumerable.Range(0, laneCount).Select(_ => new ActionLane(laneCapacity, stop.Token))];
            thread = new Thread(Run) { IsBackground = true, Name = $"inotify action dispatcher #{watcher.Id}" };
        }
    }

    public IReadOnlyList<ActionLane> Lanes { get; }

    /// <summary>True once <see cref="Stop"/> was called.</summary>
    public bool IsStopping => stop.IsCancellationRequested;

    /// <summary>Events the handlers finished.</summary>
    public long HandledCount => Lanes.Sum(l => l.HandledCount);

    /// <summary>Events on which a handler threw.</summary>
    public long FailedCount => Lanes.Sum(l => l.FailedCount);

    /// <summary>Events waiting for a handler: in the watcher's queue, in the lanes, and under way.</summary>
    public long PendingCount
    {
        get
        {
            long n = Lanes.Sum(l => (long)l.InHand);
            if (!watcher.IsDisposed)
            {
                n += watcher.QueuedCount;
            }

            return n;
        }
    }

    /// <summary>Why the dispatcher stopped on its own, or null.</summary>
    public Exception? Fault => Volatile.Read(ref fault);

    /// <summary>The lane an event goes to: the same for every event of one path.</summary>
    public static int LaneOf(InotifyEvent e, int laneCount)
    {
        ArgumentNullException.ThrowIfNull(e);
        return laneCount <= 1 ? 0 : (int)((uint)StringComparer.Ordinal.GetHashCode(e.Path) % (uint)laneCount);
    }

    /// <summary>Starts the dispatcher thread (nothing to start with a single lane).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            thread?.Start();
        }
    }

    /// <summary>Ends every lane's sequence and the dispatcher; does not wait.</summary>
    public void Stop()
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        stop.Cancel();
        foreach (ActionLane lane in Lanes)
        {
            lane.Wake();
        }
    }

    /// <summary>Waits for the dispatcher thread to end (true at once with a single lane or if never started).</summary>
    public bool WaitForExit(TimeSpan timeout) => thread is null || Volatile.Read(ref started) == 0 || thread.Join(timeout);

    public void Dispose()
    {
        Stop();
        if (thread is null || Volatile.Read(ref started) == 0 || thread.Join(TimeSpan.FromSeconds(5)))
        {
            stop.Dispose();
        }
    }

    private void Run()
    {
        CancellationToken token = stop.Token;
        var batch = new List<InotifyEvent>(ReadChunk);
        try
        {
            while (!token.IsCancellationRequested)
            {
                batch.Clear();
                if (!watcher.TryRead(out InotifyEvent? first, Timeout.InfiniteTimeSpan, token))
                {
                    continue;
                }

                batch.Add(first);
                watcher.ReadAvailable(batch, ReadChunk - 1);
                foreach (InotifyEvent e in batch)
                {
                    if (!Lanes[LaneOf(e, Lanes.Count)].Add(e))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (watcher.IsDisposed)
        {
            // The watcher was disposed: the lanes end once they have handed out what they hold.
        }
#pragma warning disable CA1031 // Whatever ends the dispatcher is kept for the user (the job's state), not lost on a background thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Volatile.Write(ref fault, e);
        }
        finally
        {
            if (!token.IsCancellationRequested)
            {
                // Without a dispatcher the lanes would wait for ever: let them finish what they hold and end.
                EndLanesWhenDrained();
            }
        }
    }

    private void EndLanesWhenDrained()
    {
        foreach (ActionLane lane in Lanes)
        {
            lane.Complete();
        }
    }
}
