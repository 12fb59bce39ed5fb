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

    /// <summary>
    /// With <see cref="InotifyEventMask.Ready"/> in the mask: the files already in the tree are reported as Ready, with
    /// Source Scan, once they pass the same checks.
    /// </summary>
    public bool IncludeExisting { get; init; }

    /// <summary>Called now and then during the initial walk, on the thread that calls AddRecursive; not kept after it.</summary>
    public Action<RecursiveWatchProgress>? Progress { get; init; }

    // The settings a recursive watch keeps once its walk is over: the callback (often a command object) is let go.
    internal RecursiveWatchOptions WithoutProgress() =>
        Progress is null ? this : new RecursiveWatchOptions { Filter = Filter, RepairAfterOverflow = RepairAfterOverflow, IncludeExisting = IncludeExisting };
}

/// <summary>A directory tree watched as a whole: every directory gets a kernel watch, new ones as they appear.</summary>
public sealed class RecursiveWatch
{
    // One entry per directory (keyed by path), under its own lock: read by any thread, changed under the engine lock.
    private readonly Dictionary<string, UnwatchedDirectory> unwatched = new(StringComparer.Ordinal);
    private readonly HashSet<InotifyWatch> watches = [];
    private volatile RecursiveWatchState state = RecursiveWatchState.Active;

    internal RecursiveWatch(InotifyWatcher watcher, string root, InotifyEventMask mask, RecursiveWatchOptions options)
    {
        Watcher = watcher;
        RootPath = root;
        Mask = mask;
        Options = options;
        Snapshot = options.RepairAfterOverflow ? new TreeSnapshot() : null;
    }

    /// <summary>The <see cref="InotifyWatcher.Id"/> of the watcher this belongs to (an id, not the watcher: see <see cref="InotifyWatch.WatcherId"/>).</summary>
    public int WatcherId => Watcher.Id;

    /// <summary>
    /// The root directory as it was given (full path). If the root itself is moved, the kernel does not say where
    /// to: State becomes RootMoved and events keep reporting paths under this one.
    /// </summary>
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
            lock (watches)
            {
                return watches.Count;
            }
        }
    }

    /// <summary>Directories that could not be watched, and why: one entry per directory, gone once it is watched or gone.</summary>
    public IReadOnlyList<UnwatchedDirectory> UnwatchedDirectories
    {
        get
        {
            lock (unwatched)
            {
                return unwatched.Values.ToArray();
            }
        }
    }

    internal InotifyWatcher Watcher { get; }

    // The consumer's picture of the tree, for repair after a gap; null when RepairAfterOverflow is off.
    internal TreeSnapshot? Snapshot { get; }

    // Directories that appeared but could not be reached yet (their parent, or an ancestor, was renamed and the
    // rename is still queued): visited again when a rename in the tree is read. Under the engine lock.
    internal List<DirectoryToVisit> Unresolved { get; } = [];

    // The kernel mask for every directory: what the user asked for plus what recursion and repair need.
    internal InotifyEventMask KernelMask =>
        Mask | InotifyEventMask.Create | InotifyEventMask.MovedFrom | InotifyEventMask.MovedTo
        | InotifyEventMask.DeleteSelf | InotifyEventMask.MoveSelf
        | (Options.RepairAfterOverflow ? InotifyEventMask.Delete : InotifyEventMask.None);

    internal InotifyWatch[] WatchList()
    {
        lock (watches)
        {
            return [.. watches];
        }
    }

    internal bool Contains(InotifyWatch watch)
    {
        lock (watches)
        {
            return watches.Contains(watch);
        }
    }

    internal void OnWatchAdded(InotifyWatch watch)
    {
        lock (watches)
        {
            watches.Add(watch);
        }
    }

    internal void OnWatchEnded(InotifyWatch watch)
    {
        lock (watches)
        {
            watches.Remove(watch);
        }

        Snapshot?.Forget(watch);
    }

    /// <summary>True when an event with these kernel bits about this entry is reported.</summary>
    internal bool Wants(InotifyEventMask bits, string name, string path) =>
        (Mask & bits) != 0 && (Options.Filter.IsEmpty || Options.Filter.IsIncluded(name, RelativePath(path)));

    /// <summary>A directory of the tree could not be watched: recorded once per directory, and the tree is Degraded.</summary>
    internal void AddUnwatched(UnwatchedDirectory d)
    {
        lock (unwatched)
        {
            unwatched[d.Path] = d;
        }

        if (state == RecursiveWatchState.Active)
        {
            state = RecursiveWatchState.Degraded;
        }
    }

    /// <summary>A directory is watched after all, or gone: when none is left unwatched the tree is Active again.</summary>
    internal void RemoveUnwatched(string path)
    {
        lock (unwatched)
        {
            if (!unwatched.Remove(path) || unwatched.Count > 0)
            {
                return;
            }
        }

        if (state == RecursiveWatchState.Degraded)
        {
            state = RecursiveWatchState.Active;
        }
    }

    internal bool IsUnwatched(string path)
    {
        lock (unwatched)
        {
            return unwatched.Count > 0 && unwatched.ContainsKey(path);
        }
    }

    internal string[] UnwatchedPaths()
    {
        lock (unwatched)
        {
            return [.. unwatched.Keys];
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

/// <summary>
/// A directory a walk still has to visit, named by its parent's watch and its name there rather than by a path: if
/// the parent (or an ancestor) is renamed meanwhile, the parent's watch follows it and so does the path. A directory
/// already watched but not yet read is named by its own watch.
/// </summary>
/// <param name="Parent">The watch of the directory it is in; null for a tree's root.</param>
/// <param name="Name">Its name in the parent; for a root, its full path.</param>
/// <param name="Inode">The inode readdir gave for it, or 0.</param>
/// <param name="Watched">Its own watch, when it is watched but could not be read yet.</param>
internal readonly record struct DirectoryToVisit(InotifyWatch? Parent, string Name, ulong Inode, InotifyWatch? Watched = null)
{
    internal string Path => Watched?.Path ?? (Parent is null ? Name : InotifyEvent.Join(Parent.Path, Name));

    /// <summary>False once the watch it hangs on has ended: nothing is left to visit.</summary>
    internal bool IsLive => (Watched ?? Parent) is not { IsActive: false };
}
