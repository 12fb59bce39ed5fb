using System.Diagnostics;
using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class EventReaderTests : IDisposable
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(-1, -1)]
    [InlineData(0, 0)]
    [InlineData(0.25, 250)]
    [InlineData(5, 5000)]
    [InlineData(1e12, -1)]
    public void Timeout_seconds_become_a_TryRead_timeout(double seconds, int expectedMilliseconds)
    {
        TimeSpan expected = expectedMilliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(expectedMilliseconds);
        Assert.Equal(expected, EventReader.TimeoutFromSeconds(seconds));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.2)]
    [InlineData(-1.5)]
    [InlineData(double.NegativeInfinity)]
    public void A_timeout_that_is_neither_zero_or_more_nor_minus_one_is_refused(double seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EventReader.TimeoutFromSeconds(seconds));

    [Fact]
    public void The_deadline_holds_while_events_are_still_queued()
    {
        using InotifyWatcher watcher = WatchCreates();
        dir.CreateFiles(200);
        Assert.True(Wait.Until(() => watcher.QueuedCount == 200));
        int n = 0;

        foreach (InotifyEvent e in EventReader.Read(watcher, 0, TimeSpan.FromMilliseconds(300), CancellationToken.None))
        {
            Thread.Sleep(10);
            n++;
        }

        Assert.InRange(n, 1, 199);
        Assert.Equal(200 - n, watcher.QueuedCount);
    }

    [Fact]
    public void A_zero_timeout_takes_only_what_was_queued_when_the_read_began()
    {
        using InotifyWatcher watcher = WatchCreates();
        dir.CreateFiles(3);
        Assert.True(Wait.Until(() => watcher.QueuedCount == 3));
        int n = 0;

        foreach (InotifyEvent e in EventReader.Read(watcher, 0, TimeSpan.Zero, CancellationToken.None))
        {
            // Every event read brings a new one, as a writer that stays ahead would.
            long produced = watcher.EventCount;
            File.WriteAllBytes(dir.Combine("late" + n), []);
            Assert.True(Wait.Until(() => watcher.EventCount > produced));
            n++;
        }

        Assert.Equal(3, n);
    }

    [Fact]
    public void Count_stops_after_that_many_events_and_leaves_the_rest_queued()
    {
        using InotifyWatcher watcher = WatchCreates();
        dir.CreateFiles(5);
        Assert.True(Wait.Until(() => watcher.QueuedCount == 5));

        List<InotifyEvent> events = [.. EventReader.Read(watcher, 3, Wait.Patience, CancellationToken.None)];

        Assert.Equal(["f0", "f1", "f2"], events.Select(e => e.Name));
        Assert.Equal(2, watcher.QueuedCount);
    }

    [Fact]
    public void A_timeout_with_no_event_yields_nothing_after_about_that_long()
    {
        using InotifyWatcher watcher = WatchCreates();
        var sw = Stopwatch.StartNew();

        Assert.Empty(EventReader.Read(watcher, 0, ShortTimeout, CancellationToken.None));

        Assert.InRange(sw.Elapsed, ShortTimeout - TimeSpan.FromMilliseconds(20), ShortTimeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task The_timeout_is_one_deadline_for_the_whole_wait_not_a_gap_between_events()
    {
        using InotifyWatcher watcher = WatchCreates();
        using var stop = new CancellationTokenSource();

        // A thread of its own: a thread-pool task may wait for the pool to grow while parallel tests block it.
        var writer = new Thread(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                File.WriteAllBytes(dir.Combine("w" + i), []);
                Thread.Sleep(50);
            }
        });
        writer.Start();
        var sw = Stopwatch.StartNew();

        int n = EventReader.Read(watcher, 0, TimeSpan.FromMilliseconds(500), CancellationToken.None).Count();

        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(480), TimeSpan.FromSeconds(3));
        Assert.InRange(n, 1, 20);
        await stop.CancelAsync();
        writer.Join();
    }

    [Fact]
    public void A_zero_timeout_takes_what_is_queued_now()
    {
        using InotifyWatcher watcher = WatchCreates();
        dir.CreateFiles(3);
        Assert.True(Wait.Until(() => watcher.QueuedCount == 3));

        Assert.Equal(3, EventReader.Read(watcher, 0, TimeSpan.Zero, CancellationToken.None).Count());
    }

    [Fact]
    public void Cancellation_ends_the_wait_promptly_without_an_exception()
    {
        using InotifyWatcher watcher = WatchCreates();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var sw = Stopwatch.StartNew();

        Assert.Empty(EventReader.Read(watcher, 0, Timeout.InfiniteTimeSpan, cts.Token));

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Events_are_yielded_as_they_arrive_not_at_the_end()
    {
        using InotifyWatcher watcher = WatchCreates();
        using IEnumerator<InotifyEvent> reader = EventReader.Read(watcher, 0, Timeout.InfiniteTimeSpan, CancellationToken.None).GetEnumerator();
        Task<bool> next = Task.Run(reader.MoveNext);
        await Task.Delay(100);
        Assert.False(next.IsCompleted);

        dir.CreateFiles(1);

        Assert.Same(next, await Task.WhenAny(next, Task.Delay(Wait.Patience)));
        Assert.True(await next);
        Assert.Equal("f0", reader.Current.Name);
    }

    [Fact]
    public void A_watcher_disposed_by_someone_else_during_the_wait_is_an_ObjectDisposedException()
    {
        InotifyWatcher watcher = WatchCreates();
        _ = Task.Delay(200).ContinueWith(_ => watcher.Dispose(), TaskScheduler.Default);

        Assert.Throws<ObjectDisposedException>(() => EventReader.Read(watcher, 0, Timeout.InfiniteTimeSpan, CancellationToken.None).ToList());
    }

    private InotifyWatcher WatchCreates()
    {
        var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        return watcher;
    }
}
