using System.Globalization;
using System.Text;

namespace Inotify.Core.Tests;

/// <summary>Reading helpers: wait for an expected event, prove an absence, drain.</summary>
internal static class EventReading
{
    /// <summary>Reads until an event matches; returns every event read, the match last. Fails after the timeout, listing what came.</summary>
    public static List<InotifyEvent> ReadUntil(this InotifyWatcher watcher, Func<InotifyEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        var seen = new List<InotifyEvent>();
        DateTime deadline = DateTime.UtcNow + (timeout ?? Timeouts.ExpectedEvent);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !watcher.TryRead(out InotifyEvent? e, left))
            {
                Assert.Fail($"Expected {what} within {(timeout ?? Timeouts.ExpectedEvent).TotalSeconds} s; read instead:{Describe(seen)}");
                return seen;
            }

            seen.Add(e);
            if (match(e))
            {
                return seen;
            }
        }
    }

    /// <summary>Reads until an event matches and returns it.</summary>
    public static InotifyEvent Expect(this InotifyWatcher watcher, Func<InotifyEvent, bool> match, string what, TimeSpan? timeout = null) =>
        watcher.ReadUntil(match, what, timeout)[^1];

    /// <summary>Reads until an event of that kind for that path arrives and returns it.</summary>
    public static InotifyEvent Expect(this InotifyWatcher watcher, InotifyEventKind kind, string path, TimeSpan? timeout = null) =>
        watcher.Expect(e => e.Kind == kind && e.Path == path, $"{kind} {path}", timeout);

    /// <summary>Reads for <paramref name="within"/> and fails if any event matches.</summary>
    public static List<InotifyEvent> ExpectNone(this InotifyWatcher watcher, Func<InotifyEvent, bool> match, string what, TimeSpan? within = null)
    {
        var seen = new List<InotifyEvent>();
        DateTime deadline = DateTime.UtcNow + (within ?? Timeouts.UnexpectedEvent);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !watcher.TryRead(out InotifyEvent? e, left))
            {
                return seen;
            }

            seen.Add(e);
            Assert.False(match(e), $"Did not expect {what}; read:{Describe(seen)}");
        }
    }

    /// <summary>
    /// Creates a file in <paramref name="controlDir"/> (which the watcher watches for Create) and reads
    /// until its Create arrives. One instance reports in the order things happened, so everything caused
    /// before the barrier is among the events returned (the barrier's own Create is the last one). This
    /// proves an absence without waiting for a timeout.
    /// </summary>
    public static List<InotifyEvent> ReadUntilBarrier(this InotifyWatcher watcher, string controlDir)
    {
        string name = "barrier-" + Guid.NewGuid().ToString("N");
        File.Create(Path.Combine(controlDir, name)).Dispose();
        return watcher.ReadUntil(e => e.Kind == InotifyEventKind.Create && e.Name == name, $"the barrier {name}");
    }

    /// <summary>Reads until nothing arrives for <paramref name="quiet"/>.</summary>
    public static List<InotifyEvent> DrainUntilQuiet(this InotifyWatcher watcher, TimeSpan? quiet = null)
    {
        var seen = new List<InotifyEvent>();
        while (watcher.TryRead(out InotifyEvent? e, quiet ?? Timeouts.Quiet))
        {
            seen.Add(e);
        }

        return seen;
    }

    public static string Describe(IEnumerable<InotifyEvent> events)
    {
        var sb = new StringBuilder();
        int n = 0;
        foreach (InotifyEvent e in events)
        {
            if (++n > 60)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  ...");
                break;
            }

            sb.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  #{e.Sequence} {e.Kind} [{e.Mask}] {e.Path}");
            if (e.OldPath is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $" (from {e.OldPath})");
            }

            if (e.DroppedCount != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" dropped={e.DroppedCount}");
            }
        }

        return n == 0 ? " (nothing)" : sb.ToString();
    }
}
