using System.Globalization;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Decides when a recursive watch's setup is worth a progress record: not for a walk that ends quickly,
/// and then not more often than a terminal can show. The engine calls back on the walking thread, which is
/// the cmdlet's pipeline thread, so the cmdlet may write the record directly.
/// </summary>
internal sealed class ProgressThrottle(TimeSpan firstAfter, TimeSpan interval, Func<long>? clock = null)
{
    private readonly Func<long> clock = clock ?? DefaultClock;
    private readonly long start = (clock ?? DefaultClock)();
    private long last = long.MinValue;

    public ProgressThrottle()
        : this(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100))
    {
    }

    private static long DefaultClock() => Environment.TickCount64;

    /// <summary>True once a record was shown: the caller then owes a Completed record.</summary>
    public bool HasReported { get; private set; }

    public static int PercentComplete(RecursiveWatchProgress p)
    {
        long total = (long)p.DirectoriesWatched + p.DirectoriesPending;
        return total <= 0 ? 0 : (int)Math.Min(99, p.DirectoriesWatched * 100 / total);
    }

    public static string Describe(RecursiveWatchProgress p) =>
        string.Create(CultureInfo.CurrentCulture, $"{p.DirectoriesWatched} directories watched, {p.DirectoriesPending} to go");

    /// <summary>Call for every progress callback; true when this one should be shown.</summary>
    public bool ShouldReport()
    {
        long now = clock();
        if (now - start < (long)firstAfter.TotalMilliseconds || (last != long.MinValue && now - last < (long)interval.TotalMilliseconds))
        {
            return false;
        }

        last = now;
        HasReported = true;
        return true;
    }
}
