using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// The ErrorRecord ids the cmdlets use themselves. The engine's ids (WatchPathNotFound, WatchLimitReached,
/// PermissionDenied, ...) come from <see cref="InotifyException.ErrorId"/>. All are PascalCase and stable:
/// scripts catch them by id.
/// </summary>
internal static class ErrorIds
{
    public const string WatchPathNotFound = "WatchPathNotFound";
    public const string PermissionDenied = "PermissionDenied";
    public const string InvalidPath = "InvalidPath";
    public const string NotFileSystemPath = "NotFileSystemPath";
    public const string WatcherDisposed = "WatcherDisposed";
    public const string WatcherNotFound = "WatcherNotFound";
    public const string WatchNotFound = "WatchNotFound";
    public const string WatcherForwardsEvents = "WatcherForwardsEvents";
    public const string SourceIdentifierInUse = "SourceIdentifierInUse";
    public const string ParameterConflict = "ParameterConflict";
    public const string InvalidArgument = "InvalidArgument";
    public const string InotifyError = "InotifyError";
    public const string ActionFailed = "ActionFailed";
}

/// <summary>Builds the cmdlets' ErrorRecords; the only place that does.</summary>
internal static class Errors
{
    public static ErrorRecord Create(string errorId, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        new(new InvalidOperationException(message, inner), errorId, category, target);

    /// <summary>An engine or .NET exception as an ErrorRecord; <paramref name="target"/> is the path or object the user gave.</summary>
    public static ErrorRecord FromException(Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            InotifyException e => new ErrorRecord(e, e.ErrorId, CategoryOf(e.ErrorId), e.Path ?? target),
            ObjectDisposedException => new ErrorRecord(Disposed, ErrorIds.WatcherDisposed, ErrorCategory.ResourceUnavailable, target),
            ArgumentException e => new ErrorRecord(e, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target),
            UnauthorizedAccessException e => new ErrorRecord(e, ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied, target),
            _ => new ErrorRecord(exception, ErrorIds.InotifyError, ErrorCategory.NotSpecified, target),
        };
    }

    private static ObjectDisposedException Disposed =>
        new(nameof(InotifyWatcher), "The inotify watcher has been disposed (Remove-InotifyWatcher, Remove-Module, or the end of its session).");

    private static ErrorCategory CategoryOf(string errorId) => errorId switch
    {
        "WatchPathNotFound" => ErrorCategory.ObjectNotFound,
        "PermissionDenied" => ErrorCategory.PermissionDenied,
        "WatchLimitReached" or "InstanceLimitReached" => ErrorCategory.LimitsExceeded,
        "NotADirectory" or "PathTooLong" or "SymbolicLinkLoop" or "InvalidArgument" => ErrorCategory.InvalidArgument,
        "AlreadyWatched" => ErrorCategory.ResourceExists,
        _ => ErrorCategory.NotSpecified,
    };
}
