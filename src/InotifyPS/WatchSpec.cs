using Inotify;

namespace InotifyPS;

/// <summary>What New-InotifyWatcher, Add-InotifyWatch and Wait-InotifyEvent were asked to watch, for each path.</summary>
internal sealed record WatchSpec(
    InotifyEventMask Mask,
    WatchFlags Flags = WatchFlags.None,
    bool Recurse = false,
    IReadOnlyList<string>? Include = null,
    IReadOnlyList<string>? Exclude = null,
    bool IncludeExisting = false)
{
    /// <summary>True when -Include or -Exclude was given.</summary>
    public bool HasFilter => Include is { Count: > 0 } || Exclude is { Count: > 0 };

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
    public object AddTo(InotifyWatcher watcher, string fullPath, Action<RecursiveWatchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        if (Conflict is { } conflict)
        {
            throw new InvalidOperationException(conflict);
        }

        PathFilter filter = HasFilter ? new PathFilter(Include, Exclude) : PathFilter.None;
        if (!Recurse)
        {
            return watcher.Add(fullPath, Mask, Flags | (IncludeExisting ? WatchFlags.IncludeExisting : WatchFlags.None), filter);
        }

        var options = new RecursiveWatchOptions { Filter = filter, Progress = progress, IncludeExisting = IncludeExisting };
        return watcher.AddRecursive(fullPath, Mask, options);
    }
}
