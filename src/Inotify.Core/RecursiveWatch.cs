namespace Inotify;

/// <summary>The state of a recursive watch.</summary>
public enum RecursiveWatchState
{
    /// <summary>Every directory of the tree is watched.</summary>
    Active,

    /// <summary>Some directories could not be watched; see <see cref="RecursiveWatch.UnwatchedDirectories"/>.</summary>
    Degraded,

    /// <summary>The root was moved away: paths no longer describe where the tree is.</summary>
    RootMoved,

    /// <summary>The root was deleted.</summary>
    RootDeleted,

    /// <summary>The watch was removed.</summary>
    Removed,
}

/// <summary>A directory of a recursive watch that is not watched, and why.</summary>
/// <param name="Path">The directory.</param>
/// <param name="ErrorId">WatchLimitReached, PermissionDenied, WatchPathNotFound, ...</param>
/// <param name="Reason">The message of the error.</param>
public sealed record UnwatchedDirectory(string Path, string ErrorId, string Reason);

/// <summary>Progress of the walk that sets up a recursive watch.</summary>
/// <param name="DirectoriesWatched">Directories watched so far.</param>
/// <param name="DirectoriesPending">Directories found and not yet visited.</param>
/// <param name="CurrentDirectory">The directory being visited.</param>
public readonly record struct RecursiveWatchProgress(int DirectoriesWatched, int DirectoriesPending, string CurrentDirectory);

/// <summary>Settings of a recursive watch.</summary>
public sealed class RecursiveWatchOptions
{
    /// <summary>Include/exclude wildcards.</summary>
    public PathFilter Filter { get; init; } = PathFilter.None;

    /// <summary>Keep a snapshot of the tree and repair the consumer's picture after an overflow or drop (default on).</summary>
    public bool RepairAfterOverflow { get; init; } = true;

    /// <summary>Called now and then during the initial walk, on the thread that calls AddRecursive; not kept after it.</summary>
    public Action<RecursiveWatchProgress>? Progress { get; init; }

    // The settings a recursive watch keeps once its walk is over: the callback (often a command object) is let go.
    internal RecursiveWatchOptions WithoutProgress() =>
        Progress is null ? this : new RecursiveWatchOptions { Filter = Filter, RepairAfterOverflow = RepairAfterOverflow };
}

/// <summary>A directory tree watched as a whole: every directory gets a kernel watch, new ones as they appear.</summary>
public sealed class RecursiveWatch
{
    private readonly List<UnwatchedDirectory> unwatched = [];
    private volatile RecursiveWatchState state = RecursiveWatchState.Active;

    internal RecursiveWatch(InotifyWatcher watcher, string root, InotifyEventMask mask, RecursiveWatchOptions options)
    {
        Watcher = watcher;
        RootPath = root;
        Mask = mask;
        Options = options;
    }

    /// <summary>The <see cref="InotifyWatcher.Id"/> of the watcher this belongs to (an id, not the watcher: see <see cref="InotifyWatch.WatcherId"/>).</summary>
    public int WatcherId => Watcher.Id;

    /// <summary>The root directory as it was given (full path).</summary>
    public string RootPath { get; }

    /// <summary>The events reported.</summary>
    public InotifyEventMask Mask { get; }

    /// <summary>The settings (without the progress callback once the walk is over).</summary>
    public RecursiveWatchOptions Options { get; internal set; }

    /// <summary>Active, Degraded, RootMoved, RootDeleted or Removed.</summary>
    public RecursiveWatchState State
    {
        get => state;
        internal set => state = value;
    }

    /// <summary>The watch of the root directory.</summary>
    public InotifyWatch? Root { get; internal set; }

    /// <summary>How many directories are watched now.</summary>
    public int DirectoryCount
    {
        get
        {
            lock (Watches)
            {
                return Watches.Count;
            }
        }
    }

    /// <summary>Directories that could not be watched, and why.</summary>
    public IReadOnlyList<UnwatchedDirectory> UnwatchedDirectories
    {
        get
        {
            lock (unwatched)
            {
                return unwatched.ToArray();
            }
        }
    }

    internal InotifyWatcher Watcher { get; }

    internal HashSet<InotifyWatch> Watches { get; } = [];

    // The kernel mask for every directory: what the user asked for plus what recursion and repair need.
    internal InotifyEventMask KernelMask =>
        Mask | InotifyEventMask.Create | InotifyEventMask.MovedFrom | InotifyEventMask.MovedTo
        | InotifyEventMask.DeleteSelf | InotifyEventMask.MoveSelf
        | (Options.RepairAfterOverflow ? InotifyEventMask.Delete : InotifyEventMask.None);

    internal void AddUnwatched(UnwatchedDirectory d)
    {
        lock (unwatched)
        {
            unwatched.Add(d);
        }

        if (state == RecursiveWatchState.Active)
        {
            state = RecursiveWatchState.Degraded;
        }
    }

    internal string RelativePath(string fullPath) =>
        fullPath.Length > RootPath.Length && fullPath.StartsWith(RootPath, StringComparison.Ordinal)
            ? fullPath[(RootPath.Length + (RootPath.EndsWith('/') ? 0 : 1))..]
            : fullPath == RootPath ? string.Empty : fullPath;

    /// <summary>Ends every watch of the tree: the same as its watcher's <see cref="InotifyWatcher.Remove(RecursiveWatch)"/>.</summary>
    /// <returns>False when it had already been removed.</returns>
    /// <exception cref="ObjectDisposedException">The watcher was disposed.</exception>
    public bool Remove() => Watcher.Remove(this);

    /// <summary>The root, "recursive", how many directories are watched and the state, e.g. "/src (recursive, 12 directories, Active)".</summary>
    public override string ToString()
    {
        int n = DirectoryCount;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RootPath} (recursive, {n} {(n == 1 ? "directory" : "directories")}, {State})");
    }
}
