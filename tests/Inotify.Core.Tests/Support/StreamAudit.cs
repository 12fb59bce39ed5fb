using System.Globalization;
using System.Text;

namespace Inotify.Core.Tests;

/// <summary>
/// Checks the promise "nothing is lost silently" on a stream of events read from one watcher: sequence
/// numbers strictly increase; each gap in them is exactly the DroppedCount of the EventsDropped marker
/// that stands where the gap is; the counters agree with the markers.
/// </summary>
internal static class StreamAudit
{
    /// <summary>Reads until a sentinel file created in <paramref name="dir"/> after the consumer started reading is reported, then until quiet.</summary>
    public static List<InotifyEvent> ReadAllWithSentinel(InotifyWatcher watcher, string dir, List<InotifyEvent>? into = null)
    {
        var events = into ?? [];
        DateTime deadline = DateTime.UtcNow + Timeouts.Bulk;
        string? sentinel = null;
        int k = 0;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sentinel never arrived; {events.Count} events read");
            if (!watcher.TryRead(out InotifyEvent? e, Timeouts.Quiet))
            {
                // Quiet: the backlog is read. A sentinel made now is reported after everything before it
                // (unless it was dropped because the queue was still full; then another one is made).
                sentinel = $"sentinel-{k++}";
                File.Create(Path.Combine(dir, sentinel)).Dispose();
                continue;
            }

            events.Add(e);
            if (sentinel is not null && e.Kind == InotifyEventKind.Create && e.Name == sentinel)
            {
                // The sentinel's own later events (and their fate) are part of the stream too.
                events.AddRange(watcher.DrainUntilQuiet(Timeouts.UnexpectedEvent));
                return events;
            }
        }
    }

    /// <summary>The sum of the drop markers equals the number of missing sequence numbers, and the watcher's counters agree.</summary>
    public static void CountsAgree(InotifyWatcher watcher, IReadOnlyList<InotifyEvent> events)
    {
        long last = events.Max(e => e.Sequence);
        long distinct = events.Select(e => e.Sequence).Distinct().Count();
        Assert.Equal(events.Count, distinct);
        long missing = last - distinct;
        long marked = events.Where(e => e.Kind == InotifyEventKind.EventsDropped).Sum(e => e.DroppedCount);
        Assert.True(missing == marked, $"{missing} sequence numbers are missing below #{last}, but the EventsDropped markers account for {marked}");
        Assert.Equal(marked, watcher.DroppedCount);
        Assert.Equal(events.Count(e => e.Kind == InotifyEventKind.QueueOverflow), watcher.OverflowCount);
        Assert.All(events.Where(e => e.Kind == InotifyEventKind.EventsDropped), e => Assert.True(e.DroppedCount > 0));
    }

    /// <summary>In stream order: sequence numbers strictly increase, and every gap is closed by the marker standing in it.</summary>
    public static void OrderIsRight(IReadOnlyList<InotifyEvent> events)
    {
        var problems = new StringBuilder();
        for (int i = 1; i < events.Count; i++)
        {
            InotifyEvent prev = events[i - 1], e = events[i];
            long gap = e.Sequence - prev.Sequence - 1;
            if (gap < 0)
            {
                problems.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  #{e.Sequence} {e.Kind} comes after #{prev.Sequence} {prev.Kind} (dropped={prev.DroppedCount})");
            }
            else if (e.Kind == InotifyEventKind.EventsDropped ? gap != e.DroppedCount : gap != 0)
            {
                problems.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {gap} numbers missing between #{prev.Sequence} {prev.Kind} and #{e.Sequence} {e.Kind} (dropped={e.DroppedCount})");
            }

            if (problems.Length > 2000)
            {
                break;
            }
        }

        Assert.True(problems.Length == 0, "The stream's sequence numbers are not in order or have an unmarked gap:" + problems);
    }

    public static string Summary(InotifyWatcher w, IReadOnlyList<InotifyEvent> events) => string.Create(CultureInfo.InvariantCulture,
        $"{events.Count} events read, last #{events.Max(e => e.Sequence)}, {events.Count(e => e.Kind == InotifyEventKind.EventsDropped)} drop markers, " +
        $"DroppedCount {w.DroppedCount}, {events.Count(e => e.Kind == InotifyEventKind.QueueOverflow)} QueueOverflow, OverflowCount {w.OverflowCount}");
}
