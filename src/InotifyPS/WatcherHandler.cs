namespace InotifyPS;

/// <summary>
/// What the session needs to know of a watcher's -Action handler, without touching PowerShell's types (the
/// registry is used where no PowerShell is loaded).
/// </summary>
internal interface IWatcherHandler : IDisposable
{
    /// <summary>Events the handler finished.</summary>
    long HandledCount { get; }

    /// <summary>Events on which the handler threw.</summary>
    long FailedCount { get; }

    /// <summary>Events waiting for the handler.</summary>
    long PendingCount { get; }

    /// <summary>Why the handler ended on its own, or null.</summary>
    Exception? Fault { get; }

    /// <summary>The handler's job (an InotifyActionJob), as object so this interface stays free of PowerShell.</summary>
    object Job { get; }
}
