namespace Inotify.Core.Tests.Units;

/// <summary>A consumer queue the test drains by hand.</summary>
internal sealed class FakeSink(int capacity) : IEventSink
{
    public List<InotifyEvent> Items { get; } = [];

    public int HandOvers { get; private set; }

    public int Capacity => capacity;

    public int FreeSpace => Math.Max(0, capacity - Items.Count);

    public void EnqueueRange(List<InotifyEvent> events)
    {
        HandOvers++;
        Items.AddRange(events);
    }

    /// <summary>The consumer takes up to <paramref name="n"/> events.</summary>
    public List<InotifyEvent> Take(int n)
    {
        List<InotifyEvent> taken = Items.Take(n).ToList();
        Items.RemoveRange(0, taken.Count);
        return taken;
    }
}

/// <summary>A clock in milliseconds that moves only when told.</summary>
internal sealed class FakeClock(long start = 1_000)
{
    public long Now { get; set; } = start;

    public long Read() => Now;
}

internal static class Synthetic
{
    public static InotifyEvent Create(string name) =>
        InotifyEvent.Scanned(EventSource.Scan, InotifyEventKind.Create, "/synthetic", 1, name, false, DateTime.UtcNow);
}
