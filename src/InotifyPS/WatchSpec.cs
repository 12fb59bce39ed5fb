using System.Globalization;
using Inotify;

namespace InotifyPS;

/// <summary>What New-InotifyWatcher, Add-InotifyWatch and Wait-InotifyEvent were asked to watch, for each path.</summary>
/// <param name="Mask">The events to report.</param>
/// <param name="Flags">The single-watch switches.</param>
/// <param name="Recurse">Watch directory trees.</param>
/// <param name="Filter">-Include/-Exclude, compiled by the cmdlet (see Wildcards); null: none.</param>
/// <param name="IncludeExisting">With Ready in the mask: report the files already there once they are ready.</param>
internal sealed record WatchSpec(
    InotifyEventMask Mask,
    WatchFlags Flags = WatchFlags.None,
    bool Recurse = false,
    PathFilter? Filter = null,
    bool IncludeExisting = false)
{
    /// <summary>True when -Include or -Exclude was given.</summary>
    public bool HasFilter => Filter is { IsEmpty: false };

    /// <summary>Why these settings cannot be used together, or null when they can.</summary>
    public string? Conflict =>
        Recurse && (Flags & ~WatchFlags.OnlyDirectory) != WatchFlags.None ? "-NoFollow, -OneShot, -Merge and -Exclusive apply to single watches, not to -Recurse."
        : IncludeExisting && (Mask & InotifyEventMask.Ready) == 0 ? "-IncludeExisting reports the files already there once they are ready: add Ready to -Event (for example -Event Ready)."
        : null;

    /// <summary>The flags the switch parameters stand for.</summary>
    public static WatchFlags FlagsFrom(bool onlyDirectory = false, bool noFollow = false, bool oneShot = false, bool merge = false, bool exclusive = false) =>
        (onlyDirectory ? WatchFlags.OnlyDirectory : WatchFlags.None)
        | (noFollow ? WatchFlags.NoFollow : WatchFlags.None)
        | (oneShot ? WatchFlags.OneShot : WatchFlags.None)
        | (merge ? WatchFlags.Merge : WatchFlags.None)
        | (exclusive ? WatchFlags.Exclusive : WatchFlags.None);

    /// <summary>
    /// Adds one path to <paramref name="watcher"/>: an <see cref="InotifyWatch"/> or, with Recurse, a
    /// <see cref="RecursiveWatch"/>. The engine's exceptions pass through for the caller to report against the path.
    /// </summary>
    /// <exception cref="InvalidOperationException">The settings conflict (see <see cref="Conflict"/>).</exception>
    /// <exception cref="OperationCanceledException">The walk of a tree was cancelled; nothing of it is left.</exception>
    public object AddTo(InotifyWatcher watcher, string fullPath, Action<RecursiveWatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        if (Conflict is { } conflict)
        {
            throw new InvalidOperationException(conflict);
        }

        PathFilter filter = Filter ?? PathFilter.None;
        if (!Recurse)
        {
            return watcher.Add(fullPath, Mask, Flags | (IncludeExisting ? WatchFlags.IncludeExisting : WatchFlags.None), filter);
        }

        var options = new RecursiveWatchOptions { Filter = filter, Progress = progress, IncludeExisting = IncludeExisting };
        return watcher.AddRecursive(fullPath, Mask, options, cancellationToken);
    }

    /// <summary>What -Verbose says about a watch just added: the path, how many directories, the mask and the filter.</summary>
    public string Describe(string path, object watch) => watch switch
    {
        RecursiveWatch tree => string.Create(CultureInfo.InvariantCulture,
            $"Watching '{path}' recursively: {tree.DirectoryCount} directories{Unwatched(tree)}; events {Mask}; {(Filter ?? PathFilter.None)}."),
        InotifyWatch w => string.Create(CultureInfo.InvariantCulture,
            $"Watching '{path}'{(w.Path == Path.TrimEndingDirectorySeparator(path) ? string.Empty : $" (as '{w.Path}')")} with watch descriptor {w.Descriptor}: events {Mask}; {(Filter ?? PathFilter.None)}."),
        _ => $"Watching '{path}'.",
    };

    private static string Unwatched(RecursiveWatch tree) =>
        tree.UnwatchedDirectories.Count is var n and > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({n} could not be watched)") : string.Empty;
}
