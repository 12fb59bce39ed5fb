using System.Collections.Concurrent;
using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>The ways to take events, their timeouts and cancellation, several consumers at once, and dispose while waiting.</summary>
public sealed class ConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public void TryReadWithoutATimeoutNeverWaits()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        var sw = Stopwatch.StartNew();
        Assert.False(w.TryRead(out InotifyEvent? none));
        Assert.Null(none);
        Assert.True(sw.Elapsed < Timeouts.UnexpectedEvent, $"took {sw.Elapsed.TotalMilliseconds} ms");

        dir.CreateFile("a");
        SpinWait.SpinUntil(() => w.QueuedCount > 0, Timeouts.ExpectedEvent);
        Assert.True(w.TryRead(out InotifyEvent? e));
        Assert.Equal(dir["a"], e.Path);
        Assert.False(w.TryRead(out _));
        Assert.Equal(0, w.QueuedCount);
    }

    [Fact]
    public async Task TryReadWithATimeoutReturnsFalseWhenTheTimeoutPassesAndTrueWhenAnEventComes()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        TimeSpan timeout = TimeSpan.FromMilliseconds(150);
        var sw = Stopwatch.StartNew();
        Assert.False(w.TryRead(out _, timeout));
        TimeSpan waited = sw.Elapsed;
        output.WriteLine($"TryRead(150 ms) returned false after {waited.TotalMilliseconds:F1} ms");
        Assert.InRange(waited, timeout - TimeSpan.FromMilliseconds(15), timeout + TimeSpan.FromSeconds(1));

        Assert.False(w.TryRead(out _, TimeSpan.Zero));

        // An event arriving during the wait ends it.
        Task creator = Task.Run(async () =>
        {
            await Task.Delay(50);
            dir.CreateFile("late");
        });
        Assert.True(w.TryRead(out InotifyEvent? e, Timeouts.ExpectedEvent));
        Assert.Equal(dir["late"], e.Path);
        await creator;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AWaitThatOverranItsDeadlineEndsWhateverTheOverrun(long overrunMilliseconds)
    {
        // A wait that woke exactly 1 ms after its deadline once computed "-1 ms left", which Monitor.Wait takes as
        // Timeout.Infinite: the wait never ended. The clock is moved by hand to put the wake-up there.
        long clock = 1_000;
        int reads = 0;
        var queue = new EventQueue(16, () =>
        {
            Interlocked.Increment(ref reads);
            return Interlocked.Read(ref clock);
        });
        Task<bool> wait = Task.Run(() => queue.TryDequeue(out _, TimeSpan.FromMilliseconds(20), CancellationToken.None));

        // Once the deadline is taken (the first reading), the next reading is past it by the overrun.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0, Timeouts.ExpectedEvent));
        Interlocked.Exchange(ref clock, 1_000 + 20 + overrunMilliseconds);

        Task first = await Task.WhenAny(wait, Task.Delay(Timeouts.ExpectedEvent));

        Assert.True(first == wait, $"TryDequeue did not return when the clock was {overrunMilliseconds} ms past its deadline");
        Assert.False(await wait);
    }

    [Fact]
    public void CancellingABlockedTryReadThrowsOperationCanceled()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var sw = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => w.TryRead(out _, Timeout.InfiniteTimeSpan, cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(100) + Timeouts.DisposeRelease, $"took {sw.Elapsed.TotalMilliseconds} ms");

        // A token cancelled already: no wait at all.
        Assert.ThrowsAny<OperationCanceledException>(() => w.TryRead(out _, Timeout.InfiniteTimeSpan, cts.Token));

        // The watcher still works.
        dir.CreateFile("after");
        w.Expect(InotifyEventKind.Create, dir["after"]);
    }

    [Fact]
    public async Task ReadAsyncReturnsTheNextEventAndCanBeCancelled()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);

        ValueTask<InotifyEvent> pending = w.ReadAsync();
        Assert.False(pending.IsCompleted);
        dir.CreateFile("a");
        InotifyEvent e = await pending.AsTask().WaitAsync(Timeouts.ExpectedEvent);
        Assert.Equal(dir["a"], e.Path);

        dir.CreateFile("b");
        SpinWait.SpinUntil(() => w.QueuedCount > 0, Timeouts.ExpectedEvent);
        ValueTask<InotifyEvent> ready = w.ReadAsync();
        Assert.True(ready.IsCompleted, "an event already queued is returned synchronously");
        Assert.Equal(dir["b"], (await ready).Path);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await w.ReadAsync(cts.Token).AsTask().WaitAsync(Timeouts.ExpectedEvent));

        dir.CreateFile("c");
        Assert.Equal(dir["c"], (await w.ReadAsync().AsTask().WaitAsync(Timeouts.ExpectedEvent)).Path);
    }

    [Fact]
    public async Task AwaitForeachYieldsEveryEventInOrderAndStopsOnCancellation()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        for (int i = 0; i < 100; i++)
        {
            dir.CreateFile($"f{i:D3}");
        }

        var names = new List<string>();
        using var cts = new CancellationTokenSource(Timeouts.ExpectedEvent);
        await foreach (InotifyEvent e in w.ReadAllAsync(cts.Token))
        {
            names.Add(e.Name);
            if (names.Count == 100)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"f{i:D3}"), names);

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (InotifyEvent e in w.ReadAllAsync(stop.Token))
            {
                Assert.Fail($"no event expected, got {e}");
            }
        });
    }

    [Fact]
    public void ReadAvailableTakesWhatIsQueuedWithoutWaiting()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        var into = new List<InotifyEvent>();
        var sw = Stopwatch.StartNew();
        Assert.Equal(0, w.ReadAvailable(into));
        Assert.True(sw.Elapsed < Timeouts.UnexpectedEvent);

        for (int i = 0; i < 50; i++)
        {
            dir.CreateFile($"f{i:D2}");
        }

        SpinWait.SpinUntil(() => w.QueuedCount == 50, Timeouts.ExpectedEvent);
        Assert.Equal(50, w.QueuedCount);
        Assert.Equal(20, w.ReadAvailable(into, 20));
        Assert.Equal(30, w.QueuedCount);
        Assert.Equal(30, w.ReadAvailable(into));
        Assert.Equal(0, w.ReadAvailable(into));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"f{i:D2}"), into.Select(e => e.Name));
    }

    [Fact]
    public async Task SeveralConsumersDrainingAtOnceGetEveryEventExactlyOnce()
    {
        const int files = 5000;
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        var got = new ConcurrentBag<InotifyEvent>();
        using var stop = new CancellationTokenSource();

        Task Consumer(int kind) => Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    switch (kind)
                    {
                        case 0:
                            if (w.TryRead(out InotifyEvent? e, TimeSpan.FromMilliseconds(20), stop.Token))
                            {
                                got.Add(e);
                            }

                            break;
                        case 1:
                            got.Add(await w.ReadAsync(stop.Token));
                            break;
                        case 2:
                            var batch = new List<InotifyEvent>();
                            if (w.ReadAvailable(batch, 7) == 0)
                            {
                                Thread.Yield();
                            }

                            foreach (InotifyEvent b in batch)
                            {
                                got.Add(b);
                            }

                            break;
                        default:
                            if (w.TryRead(out InotifyEvent? t))
                            {
                                got.Add(t);
                            }

                            break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        Task[] consumers = [.. Enumerable.Range(0, 6).Select(i => Consumer(i % 4))];
        for (int i = 0; i < files; i++)
        {
            dir.CreateFile($"f{i:D4}");
        }

        Assert.True(SpinWait.SpinUntil(() => got.Count >= files, Timeouts.Bulk), $"only {got.Count} of {files} events were taken");
        Assert.False(w.TryRead(out _, Timeouts.UnexpectedEvent));
        await stop.CancelAsync();
        await Task.WhenAll(consumers).WaitAsync(Timeouts.ExpectedEvent);

        Assert.Equal(0, w.DroppedCount);
        Assert.Equal(files, got.Count);
        Assert.Equal(files, got.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, files).Select(i => $"f{i:D4}"), got.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, files).Select(i => (long)i), got.Select(e => e.Sequence).Order());
    }

    [Fact]
    public void DisposeReleasesABlockedTryReadWithObjectDisposedPromptly()
    {
        using var dir = new TempDir();
        var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        Exception? caught = null;
        long returnedAt = 0;
        var waiter = new Thread(() =>
        {
            try
            {
                w.TryRead(out _, Timeout.InfiniteTimeSpan);
            }
            catch (Exception e)
            {
                caught = e;
            }

            returnedAt = Stopwatch.GetTimestamp();
        });
        waiter.Start();
        // Inside its wait: a Monitor wait (WaitSleepJoin), or poll() on the queue's doorbell, which the runtime cannot see.
        Assert.True(SpinWait.SpinUntil(() => w.BlockedReaders > 0, Timeouts.ExpectedEvent));
        Thread.Sleep(20); // let it settle into the wait

        long disposedAt = Stopwatch.GetTimestamp();
        w.Dispose();
        TimeSpan disposeTook = Stopwatch.GetElapsedTime(disposedAt);
        Assert.True(waiter.Join(Timeouts.DisposeRelease), "the blocked TryRead did not return after Dispose");
        TimeSpan released = Stopwatch.GetElapsedTime(disposedAt, returnedAt);
        output.WriteLine($"Dispose took {disposeTook.TotalMilliseconds:F2} ms; the blocked TryRead returned {released.TotalMilliseconds:F2} ms after Dispose began (requirement: 100 ms)");
        Assert.IsType<ObjectDisposedException>(caught);
        Assert.True(released < Timeouts.DisposeRelease);
    }

    [Fact]
    public async Task DisposeEndsAPendingReadAsyncWithObjectDisposedAndEndsAwaitForeach()
    {
        using var dir = new TempDir();
        var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create);
        ValueTask<InotifyEvent> pending = w.ReadAsync();
        var seen = new List<InotifyEvent>();
        Task loop = Task.Run(async () =>
        {
            await foreach (InotifyEvent e in w.ReadAllAsync())
            {
                seen.Add(e);
            }
        });

        await Task.Delay(50);
        var sw = Stopwatch.StartNew();
        w.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending.AsTask().WaitAsync(Timeouts.DisposeRelease));
        await loop.WaitAsync(Timeouts.DisposeRelease);
        output.WriteLine($"ReadAsync and await foreach ended {sw.Elapsed.TotalMilliseconds:F2} ms after Dispose began");
        Assert.Empty(seen);
    }

    [Fact]
    public async Task AfterDisposeEveryCallSaysObjectDisposedAndDisposeAgainIsHarmless()
    {
        using var dir = new TempDir();
        var w = new InotifyWatcher();
        InotifyWatch watch = w.Add(dir.Path, InotifyEventMask.Create);
        dir.CreateFile("queued");
        SpinWait.SpinUntil(() => w.QueuedCount > 0, Timeouts.ExpectedEvent);
        w.Dispose();
        w.Dispose();
        Assert.True(w.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => w.TryRead(out _));
        Assert.Throws<ObjectDisposedException>(() => w.TryRead(out _, TimeSpan.FromSeconds(1)));
        Assert.Throws<ObjectDisposedException>(() => w.ReadAvailable([]));
        Assert.Throws<ObjectDisposedException>(() => w.Add(dir.Path));
        Assert.Throws<ObjectDisposedException>(() => w.Remove(watch));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await w.ReadAsync());
        await foreach (InotifyEvent e in w.ReadAllAsync())
        {
            Assert.Fail($"a disposed watcher yielded {e}");
        }
    }

    [Fact]
    public async Task DisposeWhileEventsPourInStopsCleanly()
    {
        using var dir = new TempDir();
        TimeSpan worst = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (int round = 0; round < 20; round++)
        {
            var w = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 100 });
            w.Add(dir.Path, InotifyEventMask.All);
            using var stop = new CancellationTokenSource();
            // Own threads, not the pool's: a spinning producer and a blocked consumer would starve it.
            Task producer = Task.Factory.StartNew(() =>
            {
                int i = 0;
                while (!stop.IsCancellationRequested)
                {
                    File.Delete(dir.CreateFile($"r{round}-{i++}"));
                }
            }, TaskCreationOptions.LongRunning);
            Task consumer = Task.Factory.StartNew(() =>
            {
                try
                {
                    while (true)
                    {
                        w.TryRead(out _, Timeout.InfiniteTimeSpan);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            }, TaskCreationOptions.LongRunning);
            await Task.Delay(5);
            var sw = Stopwatch.StartNew();
            w.Dispose();
            TimeSpan disposeTook = sw.Elapsed;
            await consumer.WaitAsync(Timeouts.DisposeRelease);
            worst = TimeSpan.FromTicks(Math.Max(worst.Ticks, disposeTook.Ticks));
            await stop.CancelAsync();
            await producer.WaitAsync(Timeouts.ExpectedEvent);
        }

        output.WriteLine($"20 rounds in {total.Elapsed.TotalMilliseconds:F0} ms; the slowest Dispose under load took {worst.TotalMilliseconds:F2} ms");
        Assert.True(worst < Timeouts.DisposeRelease);
    }
}
