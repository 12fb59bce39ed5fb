namespace Inotify;

/// <summary>
/// What the snapshot remembers of a directory entry: enough to tell a rename from a delete and create (the inode),
/// and a change from none (size and modification time, once a repair has looked; 0 until then).
/// </summary>
internal readonly record struct SnapshotEntry(ulong Inode, bool IsDirectory, long Size = 0, long ModifiedTicks = 0)
{
    internal bool HasStatus => ModifiedTicks != 0;
}

/// <summary>
/// A recursive watch's picture of its tree as the consumer was told it: for every watched directory, its entries.
/// An entry goes in when the consumer has been told of it (or it existed before the watch began) and out when the
/// consumer has been told it went. After a gap (overflow or drop) the repair compares the disk with this picture
/// and reports the difference, so the consumer's picture ends up right.
/// </summary>
/// <remarks>Keyed by watch, not path: a directory that moves keeps its entries. Under the engine lock.</remarks>
internal sealed class TreeSnapshot
{
    private readonly Dictionary<InotifyWatch, Dictionary<string, SnapshotEntry>> directories = [];

    /// <summary>The entries of a watched directory, or null when it has none recorded.</summary>
    internal Dictionary<string, SnapshotEntry>? Of(InotifyWatch directory) =>
        directories.TryGetValue(directory, out Dictionary<string, SnapshotEntry>? entries) ? entries : null;

    /// <summary>The entries of a watched directory, made empty if it had none.</summary>
    internal Dictionary<string, SnapshotEntry> For(InotifyWatch directory)
    {
        if (!directories.TryGetValue(directory, out Dictionary<string, SnapshotEntry>? entries))
        {
            entries = new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
            directories[directory] = entries;
        }

        return entries;
    }

    /// <summary>The consumer now knows of this entry.</summary>
    internal void Set(InotifyWatch directory, string name, SnapshotEntry entry) => For(directory)[name] = entry;

    /// <summary>The consumer now knows of this entry, unless it already did.</summary>
    internal void TryAdd(InotifyWatch directory, string name, SnapshotEntry entry) => For(directory).TryAdd(name, entry);

    /// <summary>The consumer has been told the entry went.</summary>
    internal void Remove(InotifyWatch directory, string name)
    {
        if (directories.TryGetValue(directory, out Dictionary<string, SnapshotEntry>? entries))
        {
            entries.Remove(name);
        }
    }

    /// <summary>The directory is no longer watched: its entries go with its watch.</summary>
    internal Dictionary<string, SnapshotEntry>? Forget(InotifyWatch directory) =>
        directories.Remove(directory, out Dictionary<string, SnapshotEntry>? entries) ? entries : null;
}
