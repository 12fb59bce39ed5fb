namespace Inotify;

/// <summary>Whether a followed file is being written or waits out its settle window.</summary>
internal enum TrackedState
{
    Writing,
    Settling,
}

/// <summary>
/// One file <see cref="ReadinessTracker"/> follows: when it was first and last active, when it is next looked at,
/// and what the last look found. Only the tracker reads or changes it, on the reader thread.
/// </summary>
internal sealed class TrackedFile(string path)
{
    public string Path { get; set; } = path;

    public TrackedState State { get; set; }

    public long FirstSeen { get; init; }

    public long LastActivity { get; set; }

    public long Deadline { get; set; } = long.MaxValue;

    public FileStamp? Stamp { get; set; }

    // Created, written or arrived since it was last reported (a bare close is not a change).
    public bool Changed { get; set; }

    public bool FromScan { get; set; }

    // After the probe saw a writer: how long until it asks again (0: it did not see one).
    public long Reprobe { get; set; }

    public ReadyReason Unprobed { get; set; }

    public bool MaxWaitReported { get; set; }
}
