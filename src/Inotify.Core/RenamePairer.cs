namespace Inotify;

/// <summary>
/// A MovedFrom waiting for the MovedTo with its cookie. The name is decoded: the read buffer it came from is reused.
/// </summary>
/// <param name="Watch">The watch of the directory the entry left.</param>
/// <param name="WatchPath">That directory's path when the MovedFrom was read (the watch may move later).</param>
/// <param name="Mask">The kernel's mask of the MovedFrom.</param>
/// <param name="Cookie">The cookie both halves carry.</param>
/// <param name="Name">The entry's name in that directory.</param>
/// <param name="Path">The entry's full path then.</param>
/// <param name="IsDirectory">Whether the entry is a directory.</param>
/// <param name="Excluded">Whether a recursive watch's filter excludes it.</param>
/// <param name="Time">When the MovedFrom was read.</param>
/// <param name="Deadline">When, in milliseconds of the pairer's clock, it counts as moved out.</param>
internal sealed record PendingMove(InotifyWatch Watch, string WatchPath, uint Mask, uint Cookie, string Name, string Path, bool IsDirectory,
    bool Excluded, DateTime Time, long Deadline);

/// <summary>
/// Pairs the two halves of renames. The kernel queues a rename's MovedFrom and MovedTo with one cookie, usually
/// together but not always (other events can come between them, and a read can end between them), and a move out
/// of the watched set gives only the MovedFrom. A MovedFrom whose partner has not come by its deadline moved out.
/// </summary>
/// <remarks>Pure bookkeeping: the caller reads the clock and decides what an expiry means. Under the engine lock.</remarks>
internal sealed class RenamePairer
{
    private readonly Dictionary<uint, PendingMove> byCookie = [];
    private int directories;

    /// <summary>MovedFroms waiting.</summary>
    internal int Count => byCookie.Count;

    /// <summary>True while a directory's MovedFrom waits: events from inside it then tell that it left.</summary>
    internal bool HasDirectoryMoves => directories > 0;

    /// <summary>The earliest deadline, or null when nothing waits.</summary>
    internal long? NextDeadline
    {
        get
        {
            long? next = null;
            foreach (PendingMove m in byCookie.Values)
            {
                next = next is { } n ? Math.Min(n, m.Deadline) : m.Deadline;
            }

            return next;
        }
    }

    /// <summary>
    /// A MovedFrom. A cookie already waiting (cookies wrap after 2^32 renames) is returned, for the caller to expire first.
    /// </summary>
    internal PendingMove? Add(PendingMove move)
    {
        PendingMove? displaced = Take(move.Cookie);
        byCookie[move.Cookie] = move;
        directories += move.IsDirectory ? 1 : 0;
        return displaced;
    }

    /// <summary>The MovedFrom a MovedTo with this cookie completes, if it is still waiting.</summary>
    internal PendingMove? Take(uint cookie)
    {
        if (!byCookie.Remove(cookie, out PendingMove? move))
        {
            return null;
        }

        directories -= move.IsDirectory ? 1 : 0;
        return move;
    }

    /// <summary>Every MovedFrom whose deadline has passed (all of them with <paramref name="all"/>), earliest first.</summary>
    internal List<PendingMove> TakeExpired(long now, bool all = false) =>
        TakeWhere(m => all || m.Deadline <= now);

    /// <summary>
    /// The directories whose MovedFrom waits and that contain <paramref name="path"/>: the kernel queues a rename's
    /// MovedTo before anything that happens after the rename, so an event from inside such a directory means it left.
    /// </summary>
    internal List<PendingMove> TakeDirectoriesContaining(string path) =>
        directories == 0 ? [] : TakeWhere(m => m.IsDirectory && PathIsAtOrBelow(path, m.Path));

    internal static bool PathIsAtOrBelow(string path, string directory) =>
        path.Length >= directory.Length && path.StartsWith(directory, StringComparison.Ordinal)
        && (path.Length == directory.Length || path[directory.Length] == '/');

    private List<PendingMove> TakeWhere(Func<PendingMove, bool> predicate)
    {
        List<PendingMove> taken = [];
        foreach (PendingMove m in byCookie.Values)
        {
            if (predicate(m))
            {
                taken.Add(m);
            }
        }

        taken.Sort(static (a, b) => a.Deadline.CompareTo(b.Deadline));
        foreach (PendingMove m in taken)
        {
            _ = Take(m.Cookie);
        }

        return taken;
    }
}
