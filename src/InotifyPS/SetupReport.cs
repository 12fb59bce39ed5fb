using System.Globalization;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// What a cmdlet reports once a path is added, as PowerShell reports partial failures: every directory a recursive
/// watch could not watch (one error each, capped, then one summary with the count, the limit and what to raise),
/// and a path that turned out to be a second path of an object already watched (a warning naming both).
/// </summary>
internal static class SetupReport
{
    /// <summary>How many unwatched directories get an error record of their own; the rest are one summary.</summary>
    public const int MaxListed = 10;

    /// <summary>The errors for the directories of <paramref name="tree"/> that are not watched.</summary>
    public static List<ErrorRecord> Unwatched(RecursiveWatch tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        IReadOnlyList<UnwatchedDirectory> unwatched = tree.UnwatchedDirectories;
        if (unwatched.Count == 0)
        {
            return [];
        }

        InotifyLimits limits = InotifyLimits.Read();
        List<ErrorRecord> records = [.. unwatched.Take(MaxListed).Select(u => Errors.FromUnwatched(u, limits))];
        if (unwatched.Count > MaxListed)
        {
            records.Add(Summary(tree.RootPath, unwatched, limits));
        }

        return records;
    }

    /// <summary>The paths each watch of the watcher is also known by, to compare before and after an add.</summary>
    public static HashSet<(int Descriptor, string Alias)> Aliases(InotifyWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return [.. watcher.Watches.SelectMany(w => w.Aliases.Select(a => (w.Descriptor, a)))];
    }

    /// <summary>A warning for every path that became an alias since <paramref name="before"/> was taken.</summary>
    public static IEnumerable<string> NewAliases(InotifyWatcher watcher, HashSet<(int Descriptor, string Alias)> before)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(before);
        foreach (InotifyWatch w in watcher.Watches)
        {
            foreach (string alias in w.Aliases.Where(a => !before.Contains((w.Descriptor, a))))
            {
                yield return Alias(alias, w.Path);
            }
        }
    }

    /// <summary>The warning for a path that turned out to be another path of a watched object.</summary>
    public static string Alias(string alias, string watched) =>
        $"'{alias}' is the same object as '{watched}', which this watcher already watches (a symbolic link, a bind mount " +
        $"or a hard link). The kernel keeps one watch per object: its events carry the path '{watched}', and the events asked for " +
        "were added to that watch.";

    private static ErrorRecord Summary(string root, IReadOnlyList<UnwatchedDirectory> unwatched, InotifyLimits limits)
    {
        int more = unwatched.Count - MaxListed;
        var byId = unwatched.GroupBy(u => u.ErrorId).OrderByDescending(g => g.Count()).ToList();
        string counts = string.Join(", ", byId.Select(g => Count(g.Count(), g.Key)));
        string message = Count(more, "more directories") + $" under '{root}' could not be watched ({counts}: " +
            Count(unwatched.Count, "in all") + "; the recursive watch lists them in UnwatchedDirectories).";
        string? action = null;
        foreach (var g in byId)
        {
            if (g.Key == InotifyErrorIds.WatchLimitReached)
            {
                message += string.Create(CultureInfo.InvariantCulture,
                    $" The limit is {limits.EffectiveMaxUserWatches} inotify watches per user ({limits.WatchLimitSetting}).");
            }

            action ??= Errors.RecommendedAction(g.Key, limits);
        }

        var record = Errors.Create(ErrorIds.DirectoriesNotWatched, Errors.CategoryOf(byId[0].Key), root, message);
        if (action is not null)
        {
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = action };
        }

        return record;
    }

    private static string Count(int n, string what) => n.ToString("N0", CultureInfo.CurrentCulture) + " " + what;
}
