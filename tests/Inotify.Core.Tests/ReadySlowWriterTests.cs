using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>
/// A writer that pauses far longer than any quiet timer, closing and reopening the file between chunks: the lease
/// says it is still there, so there is exactly one Ready, after the last close. Its own class: it takes half a
/// minute of mostly waiting, and runs beside the others.
/// </summary>
public sealed class ReadyChunkedWriterTests
{
    [Fact]
    public async Task TwentyMiBInChunksWithLongPausesGiveExactlyOneReadyAfterTheLastClose()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        string f = dir["big.bin"];
        byte[] chunk = new byte[1024 * 1024];
        long lastClose = 0;
        DateTime lastCloseUtc = default;
        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                using (var s = new FileStream(f, FileMode.Append, FileAccess.Write))
                {
                    s.Write(chunk);
                    s.Flush();
                    if (i < 19)
                    {
                        Thread.Sleep(1500); // paused with the file open; the close and the reopen follow at once
                    }
                }

                lastClose = Stopwatch.GetTimestamp();
                lastCloseUtc = DateTime.UtcNow;
            }
        });

        var seen = new List<InotifyEvent>();
        while (!writer.IsCompleted)
        {
            if (w.TryRead(out InotifyEvent? e, TimeSpan.FromMilliseconds(100)))
            {
                seen.Add(e);
            }
        }

        await writer;
        Assert.DoesNotContain(seen, e => e.TimeStamp <= lastCloseUtc);
        InotifyEvent ready = seen.Count > 0 ? seen[0] : w.Expect(ReadyTests.IsReady(f), "Ready after the last close");
        Assert.True(seen.Count <= 1, $"{seen.Count} events");
        Assert.Equal(f, ready.Path);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, ready.ReadyReason);
        Assert.True(Stopwatch.GetElapsedTime(lastClose) >= w.Options.Readiness.Settle, "reported before the settle window after the last close");
        Assert.True(ready.WaitTime > TimeSpan.FromSeconds(28), $"waited {ready.WaitTime}");
        Assert.Equal(20L * chunk.Length, new FileInfo(f).Length);
        w.ExpectNone(_ => true, "a second Ready", ReadyTests.NoMoreReady);
    }
}

/// <summary>A file kept open and written every 100 ms: nothing until MaxWait, then one event that says so.</summary>
public sealed class ReadyMaxWaitTests
{
    [Fact]
    public void AFileKeptOpenIsReportedOnceAtMaxWaitThenReadyWhenClosed()
    {
        using var dir = new TempDir();
        var maxWait = TimeSpan.FromSeconds(2);
        using var w = new InotifyWatcher(new InotifyWatcherOptions { Readiness = new ReadinessOptions { MaxWait = maxWait } });
        w.Add(dir.Path, InotifyEventMask.Ready);
        string f = dir["app.log"];
        var started = Stopwatch.StartNew();
        var seen = new List<(InotifyEvent Event, TimeSpan At)>();
        using (var s = new FileStream(f, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            while (started.Elapsed < maxWait + TimeSpan.FromSeconds(1.5))
            {
                s.Write("line\n"u8);
                s.Flush();
                if (w.TryRead(out InotifyEvent? e, TimeSpan.FromMilliseconds(100)))
                {
                    seen.Add((e, started.Elapsed));
                }
            }
        }

        (InotifyEvent stuck, TimeSpan at) = Assert.Single(seen);
        Assert.Equal(InotifyEventKind.Ready, stuck.Kind);
        Assert.Equal(ReadyReason.MaxWaitExceeded, stuck.ReadyReason);
        // The engine's clock (Environment.TickCount64) ticks in jiffies: a deadline may fall a few milliseconds early.
        Assert.True(at >= maxWait - TimeSpan.FromMilliseconds(10), $"reported after {at}, before MaxWait");
        Assert.True(stuck.WaitTime >= maxWait - TimeSpan.FromMilliseconds(10), $"waited {stuck.WaitTime}");
        Assert.Contains("MaxWait", stuck.Message, StringComparison.Ordinal);

        // Closed at last: now it is complete, and says so.
        InotifyEvent done = w.Expect(ReadyTests.IsReady(f), "Ready once the writer closed");
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, done.ReadyReason);
        w.ExpectNone(_ => true, "anything more", ReadyTests.NoMoreReady);
    }
}
