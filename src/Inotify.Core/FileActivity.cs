namespace Inotify;

/// <summary>What the readiness tracker is told about an entry.</summary>
internal enum FileActivity
{
    /// <summary>Created (a writer has it open, or it was made by link or mknod).</summary>
    Created,

    /// <summary>Written to.</summary>
    Modified,

    /// <summary>Metadata changed (cp -p sets times and modes after writing).</summary>
    Attrib,

    /// <summary>A descriptor open for writing was closed.</summary>
    ClosedWrite,

    /// <summary>Renamed away (the cookie links it to its arrival).</summary>
    MovedFrom,

    /// <summary>Renamed in (with the cookie of its departure, if it was watched).</summary>
    MovedTo,

    /// <summary>Deleted.</summary>
    Deleted,

    /// <summary>Found by reading a directory (existing files, a new directory's scan, a repair).</summary>
    Found,
}

/// <summary>Size, modification time and inode: what "quiet" compares.</summary>
internal readonly record struct FileStamp(ulong Inode, long Size, DateTime LastWriteTimeUtc);

/// <summary>A file found complete (or given up on: <see cref="ReadyReason.MaxWaitExceeded"/>).</summary>
internal readonly record struct ReadyDecision(string Path, ReadyReason Reason, TimeSpan WaitTime, bool FromScan);
