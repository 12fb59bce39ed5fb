using Inotify;

namespace InotifyPS;

/// <summary>
/// The waiting loop of Wait-InotifyEvent: events one by one until a count, a deadline or cancellation.
/// Enumerate it on the pipeline thread and write each event as it comes; the wait itself blocks that thread
/// in the engine's queue, which wakes at once for an event, the deadline or the token.
/// </summary>
internal static class EventReader
{
    /// <summary>Seconds as Wait-InotifyEvent takes them (-1: no deadline) to a TryRead timeout.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a number, or negative but not -1.</exception>
    public static TimeSpan TimeoutFromSeconds(double seconds)
    {
        if (!(seconds >= 0 || seconds == -1))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The timeout is 0 or more seconds, or -1 for none.");
        }

        if (seconds < 0 || seconds >= int.MaxValue / 1000.0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return TimeSpan.FromMilliseconds(Math.Ceiling(seconds * 1000));
    }

    /// <summary>
    /// Events from <paramref name="watcher"/>: at most <paramref name="count"/> (0 = no limit), until
    /// <paramref name="timeout"/> has passed since the first MoveNext (nothing more is yielded, however many events
    /// are still queued), or until <paramref name="cancellationToken"/> is cancelled (the sequence just ends). A
    /// timeout of zero takes what is queued at the first MoveNext and no more, even while a writer keeps adding.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The watcher was disposed by someone else.</exception>
    public static IEnumerable<InotifyEvent> Read(InotifyWatcher watcher, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return ReadIterator(watcher, count, timeout, cancellationToken);
    }

    private static IEnumerable<InotifyEvent> ReadIterator(InotifyWatcher watcher, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        long left = timeout == TimeSpan.Zero ? watcher.QueuedCount : long.MaxValue;
        for (int n = 0; (count == 0 || n < count) && left-- > 0; n++)
        {
            // The deadline holds while events are queued too: a consumer that takes its time must not stretch it.
            if (timeout != TimeSpan.Zero && deadline != long.MaxValue && Environment.TickCount64 >= deadline)
            {
                yield break;
            }

            InotifyEvent? e = Next(watcher, deadline, cancellationToken);
            if (e is null)
            {
                yield break;
            }

            yield return e;
        }
    }

    private static InotifyEvent? Next(InotifyWatcher watcher, long deadline, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        TimeSpan wait = deadline == long.MaxValue
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
        try
        {
            return watcher.TryRead(out InotifyEvent? e, wait, cancellationToken) ? e : null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
