namespace Inotify;

/// <summary>Where an event came from.</summary>
public enum EventSource
{
    /// <summary>Read from the kernel.</summary>
    Kernel,

    /// <summary>Found by scanning a directory that was just watched (it was created before its watch existed).</summary>
    Scan,

    /// <summary>Found by comparing a rescan with the engine's snapshot after a gap (overflow or drop).</summary>
    Rescan,

    /// <summary>Made by the engine itself: a drop marker or a report.</summary>
    Engine,
}
