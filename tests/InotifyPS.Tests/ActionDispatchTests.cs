using System.Collections.Concurrent;
using Inotify;
using Xunit;

namespace InotifyPS.Tests;

/// <summary>The lanes that feed -Action handler runspaces, consumed here by plain threads as the pipelines would.</summary>
public sealed class ActionDispatchTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_single_lane_hands_out_every_event_in_order_and_counts_it_handled_when_the_next_is_asked_for()
    {
        const int Files = 5000;
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var dispatch = new ActionDispatch(watcher, 1);
        ActionLane lane = Assert.Single(dispatch.Lanes);
        var seen = new List<long>();
        var consumer = new Thread(() =>
        {
            foreach (InotifyEvent e in lane)
            {
                seen.Add(e.Sequence);
                if (seen.Count == Files)
                {
                    break;
                }
            }
        });
        dispatch.Start();
        consumer.Start();

        dir.CreateFiles(Files);

        Assert.True(consumer.Join(Wait.Patience));
        Assert.Equal(Enumerable.Range(1, Files).Select(i => (long)i), seen);

        // The last one was not asked past, so it is still "under way" until the pipeline ends.
        Assert.Equal(Files - 1, lane.HandledCount);
        Assert.Equal(0, watcher.DroppedCount);
    }

    [Fact]
    public void An_event_the_handler_failed_on_counts_as_failed_not_handled()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var dispatch = new ActionDispatch(watcher, 1);
        ActionLane lane = dispatch.Lanes[0];
        var consumer = new Thread(() =>
        {
            foreach (InotifyEvent e in lane)
            {
                if (e.Sequence % 10 == 0)
                {
                    lane.MarkFailed();
                }
            }
        });
        consumer.Start();

        // An event is settled when the next one is asked for, as a pipeline asks once its process block returns.
        dir.CreateFiles(100);

        Assert.True(Wait.Until(() => lane.HandledCount == 90 && lane.FailedCount == 10 && lane.InHand == 0));
        dispatch.Stop();
        Assert.True(consumer.Join(Wait.Patience));
    }

    [Fact]
    public void Stop_ends_a_lane_that_waits_for_events_and_the_watchers_disposal_ends_it_too()
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create);
        var dispatch = new ActionDispatch(watcher, 1);
        var ended = new ManualResetEventSlim();
        var consumer = new Thread(() =>
        {
            foreach (InotifyEvent _ in dispatch.Lanes[0])
            {
            }

            ended.Set();
        });
        consumer.Start();
        Thread.Sleep(50);
        Assert.False(ended.IsSet);

        dispatch.Dispose();
        Assert.True(ended.Wait(TimeSpan.FromSeconds(2)));

        using var other = new InotifyWatcher();
        using var second = new ActionDispatch(other, 1);
        var ended2 = new ManualResetEventSlim();
        var consumer2 = new Thread(() =>
        {
            foreach (InotifyEvent _ in second.Lanes[0])
            {
            }

            ended2.Set();
        });
        consumer2.Start();
        other.Dispose();
        Assert.True(ended2.Wait(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Several_lanes_get_every_event_of_one_path_in_order_and_share_the_work()
    {
        const int Files = 200, Writes = 5, Lanes = 3;
        using var watcher = new InotifyWatcher();
        watcher.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Modify);
        using var dispatch = new ActionDispatch(watcher, Lanes);
        var seen = new ConcurrentQueue<(int Lane, string Path, long Sequence, InotifyEvent Event)>();
        Thread[] consumers = [.. dispatch.Lanes.Select((lane, i) => new Thread(() =>
        {
            foreach (InotifyEvent e in lane)
            {
                seen.Enqueue((i, e.Path, e.Sequence, e));
            }
        }))];
        dispatch.Start();
        foreach (Thread t in consumers)
        {
            t.Start();
        }

        for (int f = 0; f < Files; f++)
        {
            string path = dir.Combine("f" + f);
            for (int w = 0; w < Writes; w++)
            {
                File.AppendAllText(path, "x");
            }
        }

        File.WriteAllBytes(dir.Combine("end"), []);
        Assert.True(Wait.Until(() => seen.Any(s => s.Path == dir.Combine("end"))));
        Assert.True(Wait.Until(() => dispatch.PendingCount == 0));
        dispatch.Stop();
        Assert.All(consumers, t => Assert.True(t.Join(Wait.Patience)));

        Assert.All(seen, s => Assert.Equal(ActionDispatch.LaneOf(s.Event, Lanes), s.Lane));
        foreach (var byPath in seen.GroupBy(s => s.Path))
        {
            Assert.Single(byPath.Select(s => s.Lane).Distinct());
            long[] order = [.. byPath.Select(s => s.Sequence)];
            Assert.Equal(order.Order(), order);
        }

        Assert.Equal(Lanes, seen.Select(s => s.Lane).Distinct().Count());
        Assert.Equal(watcher.EventCount, seen.Count);
    }

    [Fact]
    public void A_lane_nobody_reads_holds_at_most_its_capacity_and_the_watcher_drops_the_rest_with_a_marker()
    {
        using var watcher = new InotifyWatcher(new InotifyWatcherOptions { QueueCapacity = 100 });
        watcher.Add(dir.Path, InotifyEventMask.Create);
        using var dispatch = new ActionDispatch(watcher, 2, laneCapacity: 50);
        dispatch.Start();

        dir.CreateFiles(2000);

        Assert.True(Wait.Until(() => watcher.DroppedCount > 0));
        Assert.All(dispatch.Lanes, l => Assert.InRange(l.InHand, 0, 50));
        Assert.InRange(dispatch.PendingCount, 1, 100 + (2 * 50) + 1);

        // Reading now gets what was kept, then the marker that says where the gap is and how big.
        var events = new List<InotifyEvent>();
        var consumers = dispatch.Lanes.Select(lane => new Thread(() =>
        {
            foreach (InotifyEvent e in lane)
            {
                lock (events)
                {
                    events.Add(e);
                }
            }
        })).ToList();
        consumers.ForEach(t => t.Start());
        long Accounted()
        {
            lock (events)
            {
                return events.Count(e => e.Kind == InotifyEventKind.Create) + events.Where(e => e.Kind == InotifyEventKind.EventsDropped).Sum(e => e.DroppedCount);
            }
        }

        Assert.True(Wait.Until(() => Accounted() == 2000), $"{Accounted()} of 2000 events accounted for");
        dispatch.Stop();
        consumers.ForEach(t => Assert.True(t.Join(Wait.Patience)));
        long dropped;
        lock (events)
        {
            dropped = events.Where(e => e.Kind == InotifyEventKind.EventsDropped).Sum(e => e.DroppedCount);
        }

        Assert.Equal(watcher.DroppedCount, dropped);
    }

    [Fact]
    public void A_lane_is_enumerated_once()
    {
        using var watcher = new InotifyWatcher();
        using var dispatch = new ActionDispatch(watcher, 1);
        _ = dispatch.Lanes[0].GetEnumerator();
        Assert.Throws<InvalidOperationException>(() => dispatch.Lanes[0].GetEnumerator());
    }
}
