using System.Globalization;

namespace Inotify;

/// <summary>
/// The error ids of <see cref="InotifyException.ErrorId"/> and <see cref="UnwatchedDirectory.ErrorId"/>: stable
/// PascalCase identifiers that the cmdlets use as ErrorRecord ids, so scripts can catch them by id.
/// </summary>
public static class InotifyErrorIds
{
    /// <summary>ENOENT: the path does not exist (or is a symbolic link to nothing).</summary>
    public const string WatchPathNotFound = nameof(WatchPathNotFound);

    /// <summary>EACCES or EPERM: inotify needs read permission on the object.</summary>
    public const string PermissionDenied = nameof(PermissionDenied);

    /// <summary>ENOTDIR: OnlyDirectory was asked for and the path is not a directory.</summary>
    public const string NotADirectory = nameof(NotADirectory);

    /// <summary>EEXIST: Exclusive was asked for and the object is already watched.</summary>
    public const string AlreadyWatched = nameof(AlreadyWatched);

    /// <summary>ENOSPC: the watches per user are spent.</summary>
    public const string WatchLimitReached = nameof(WatchLimitReached);

    /// <summary>EMFILE or ENFILE: no more inotify instances per user, or no more file descriptors.</summary>
    public const string InstanceLimitReached = nameof(InstanceLimitReached);

    /// <summary>ENAMETOOLONG: a name longer than NAME_MAX, or a path longer than PATH_MAX where the kernel takes only one.</summary>
    public const string PathTooLong = nameof(PathTooLong);

    /// <summary>ELOOP: too many levels of symbolic links.</summary>
    public const string SymbolicLinkLoop = nameof(SymbolicLinkLoop);

    /// <summary>EINVAL: the kernel rejected the request.</summary>
    public const string InvalidArgument = nameof(InvalidArgument);

    /// <summary>Any other errno.</summary>
    public const string InotifyError = nameof(InotifyError);
}

/// <summary>
/// A request the kernel refused. <see cref="ErrorId"/> is one of <see cref="InotifyErrorIds"/>;
/// <see cref="Errno"/> is the kernel's error number.
/// </summary>
public class InotifyException : IOException
{
    /// <summary>Creates an exception for a refused request.</summary>
    public InotifyException(int errno, string? path, string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        Errno = errno;
        Path = path;
        ErrorId = errorId;
        HResult = errno;
    }

    /// <summary>The errno the kernel returned, or 0 when the engine itself refused.</summary>
    public int Errno { get; }

    /// <summary>The path the request was about, if any.</summary>
    public string? Path { get; }

    /// <summary>A stable identifier from <see cref="InotifyErrorIds"/>.</summary>
    public string ErrorId { get; }

    /// <summary>What a person can do about it, when there is something (the limits say which setting to raise, and how).</summary>
    public string? RecommendedAction { get; private protected init; }
}

/// <summary>ENOENT: the path does not exist.</summary>
public sealed class WatchPathNotFoundException(string? path, string message)
    : InotifyException(Interop.Errno.ENOENT, path, InotifyErrorIds.WatchPathNotFound, message);

/// <summary>EACCES: inotify needs read permission on the object.</summary>
public sealed class InotifyPermissionDeniedException(int errno, string? path, string message)
    : InotifyException(errno, path, InotifyErrorIds.PermissionDenied, message);

/// <summary>ENOTDIR: OnlyDirectory was asked for and the path is not a directory.</summary>
public sealed class InotifyNotADirectoryException(string? path, string message)
    : InotifyException(Interop.Errno.ENOTDIR, path, InotifyErrorIds.NotADirectory, message);

/// <summary>EEXIST: MaskCreate was asked for and the inode is already watched by this instance.</summary>
public sealed class AlreadyWatchedException(string? path, string message)
    : InotifyException(Interop.Errno.EEXIST, path, InotifyErrorIds.AlreadyWatched, message);

/// <summary>ENOSPC: the user's watch budget (max_user_watches, or its user namespace's max_inotify_watches) is spent.</summary>
public sealed class WatchLimitException : InotifyException
{
    private WatchLimitException(string? path, long limit, string setting, string message, string action)
        : base(Interop.Errno.ENOSPC, path, InotifyErrorIds.WatchLimitReached, message + " " + action)
    {
        Limit = limit;
        LimitSetting = setting;
        RecommendedAction = action;
    }

    /// <summary>The limit that applied when the request failed (see <see cref="InotifyLimits.EffectiveMaxUserWatches"/>), or -1 if it could not be read.</summary>
    public long Limit { get; }

    /// <summary>The sysctl that holds that limit: fs.inotify.max_user_watches, or user.max_inotify_watches of this user namespace.</summary>
    public string LimitSetting { get; }

    internal static WatchLimitException Create(string? path, string operation)
    {
        InotifyLimits limits = InotifyLimits.Read();
        long limit = limits.EffectiveMaxUserWatches;
        string subject = path is null ? string.Empty : $" '{path}'";
        string which = limits.WatchLimitSetting == InotifyLimits.NamespaceMaxWatchesSetting
            ? $"the limit of {limit} inotify watches per user of this user namespace ({InotifyLimits.NamespaceMaxWatchesFile})"
            : $"the kernel's limit of {limit} inotify watches per user ({InotifyLimits.MaxUserWatchesFile})";
        return new WatchLimitException(path, limit, limits.WatchLimitSetting, Invariant($"Cannot {operation}{subject}: {which} is reached."),
            limits.RaiseWatchLimit + ". Or watch fewer directories: each watch costs about 1 KiB of kernel memory.");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>EMFILE/ENFILE: no more inotify instances (max_user_instances, or its user namespace's max_inotify_instances) or file descriptors.</summary>
public sealed class InstanceLimitException : InotifyException
{
    private InstanceLimitException(int errno, long limit, string setting, string message, string action)
        : base(errno, null, InotifyErrorIds.InstanceLimitReached, message + " " + action)
    {
        Limit = limit;
        LimitSetting = setting;
        RecommendedAction = action;
    }

    /// <summary>The limit that applied when the request failed (see <see cref="InotifyLimits.EffectiveMaxUserInstances"/>), or -1 if it could not be read.</summary>
    public long Limit { get; }

    /// <summary>The sysctl that holds that limit: fs.inotify.max_user_instances, or user.max_inotify_instances of this user namespace.</summary>
    public string LimitSetting { get; }

    internal static InstanceLimitException Create(int errno, string operation)
    {
        InotifyLimits limits = InotifyLimits.Read();
        long limit = limits.EffectiveMaxUserInstances;

        // At the descriptor limit the limit file cannot be read (-1), and a negative number is formatted with the
        // culture's minus sign: a process that has not loaded its culture data yet would have to open files for it,
        // and the runtime ends it when it cannot. A non-negative number needs no culture.
        string count = limit >= 0 ? $"{limit} " : string.Empty;
        string which = limits.InstanceLimitSetting == InotifyLimits.NamespaceMaxInstancesSetting
            ? $"the limit of {count}inotify instances per user of this user namespace ({InotifyLimits.NamespaceMaxInstancesFile})"
            : $"the limit of {count}inotify instances per user ({InotifyLimits.MaxUserInstancesFile})";
        return new InstanceLimitException(errno, limit, limits.InstanceLimitSetting,
            string.Create(CultureInfo.InvariantCulture, $"Cannot {operation}: {which} or the process's file-descriptor limit is reached."),
            $"Dispose watchers you no longer need. {limits.RaiseInstanceLimit}.");
    }
}
