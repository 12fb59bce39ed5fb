using System.Globalization;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// The ErrorRecord ids the cmdlets use themselves. The engine's ids (WatchPathNotFound, WatchLimitReached,
/// PermissionDenied, ...) are <see cref="InotifyErrorIds"/>. All are PascalCase and stable: scripts catch them by id.
/// </summary>
internal static class ErrorIds
{
    public const string WatchPathNotFound = InotifyErrorIds.WatchPathNotFound;
    public const string PermissionDenied = InotifyErrorIds.PermissionDenied;
    public const string InvalidArgument = InotifyErrorIds.InvalidArgument;
    public const string InotifyError = InotifyErrorIds.InotifyError;
    public const string InvalidPath = "InvalidPath";
    public const string NotFileSystemPath = "NotFileSystemPath";
    public const string WatcherDisposed = "WatcherDisposed";
    public const string WatcherNotFound = "WatcherNotFound";
    public const string WatchNotFound = "WatchNotFound";
    public const string WatcherForwardsEvents = "WatcherForwardsEvents";
    public const string SourceIdentifierInUse = "SourceIdentifierInUse";
    public const string ParameterConflict = "ParameterConflict";
    public const string InvalidWildcardPattern = "InvalidWildcardPattern";
    public const string DirectoriesNotWatched = "DirectoriesNotWatched";
    public const string NothingLeftToWatch = "NothingLeftToWatch";
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
            InotifyException e => WithAction(new ErrorRecord(e, e.ErrorId, CategoryOf(e.ErrorId), e.Path ?? target ?? LimitSetting(e)), e.Message, e.RecommendedAction),
            ObjectDisposedException => new ErrorRecord(Disposed, ErrorIds.WatcherDisposed, ErrorCategory.ResourceUnavailable, target),
            ArgumentException e => new ErrorRecord(e, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target),
            UnauthorizedAccessException e => new ErrorRecord(e, ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied, target),
            WildcardPatternException e => new ErrorRecord(e, ErrorIds.InvalidWildcardPattern, ErrorCategory.InvalidArgument, target),
            _ => new ErrorRecord(exception, ErrorIds.InotifyError, ErrorCategory.NotSpecified, target),
        };
    }

    /// <summary>A directory a recursive watch could not watch, against that directory.</summary>
    public static ErrorRecord FromUnwatched(UnwatchedDirectory directory, InotifyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(limits);
        var record = Create(directory.ErrorId, CategoryOf(directory.ErrorId), directory.Path, directory.Reason);
        return WithAction(record, directory.Reason, RecommendedAction(directory.ErrorId, limits));
    }

    /// <summary>
    /// What could be done about an error id, or null. The limits are read when the error is reported: the remedy
    /// names the setting that applies now (the host's sysctl, or the user namespace's).
    /// </summary>
    public static string? RecommendedAction(string errorId, InotifyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return errorId switch
        {
            InotifyErrorIds.WatchLimitReached => limits.RaiseWatchLimit + ". Or watch fewer directories (-Exclude).",
            InotifyErrorIds.InstanceLimitReached => "Dispose watchers you no longer need. " + limits.RaiseInstanceLimit + ".",
            InotifyErrorIds.PermissionDenied => "inotify needs read permission on each directory: run as a user who may read it, or -Exclude it.",
            _ => null,
        };
    }

    /// <summary>The category of one of <see cref="InotifyErrorIds"/>.</summary>
    public static ErrorCategory CategoryOf(string errorId) => errorId switch
    {
        InotifyErrorIds.WatchPathNotFound => ErrorCategory.ObjectNotFound,
        InotifyErrorIds.PermissionDenied => ErrorCategory.PermissionDenied,
        InotifyErrorIds.WatchLimitReached or InotifyErrorIds.InstanceLimitReached => ErrorCategory.LimitsExceeded,
        InotifyErrorIds.NotADirectory or InotifyErrorIds.PathTooLong or InotifyErrorIds.SymbolicLinkLoop or InotifyErrorIds.InvalidArgument => ErrorCategory.InvalidArgument,
        InotifyErrorIds.AlreadyWatched => ErrorCategory.ResourceExists,
        _ => ErrorCategory.NotSpecified,
    };

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static ErrorRecord WithAction(ErrorRecord record, string message, string? action)
    {
        if (action is not null)
        {
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = action };
        }

        return record;
    }

    // InstanceLimitReached is about no path: its target is the setting that ran out.
    private static string? LimitSetting(InotifyException e) => (e as InstanceLimitException)?.LimitSetting;

    private static ObjectDisposedException Disposed =>
        new(nameof(InotifyWatcher), "The inotify watcher has been disposed (Remove-InotifyWatcher, Remove-Module, or the end of its session).");
}
