namespace Inotify;

/// <summary>
/// A request the kernel refused. <see cref="ErrorId"/> is a stable PascalCase identifier that the
/// cmdlets use as the ErrorRecord id; <see cref="Errno"/> is the kernel's error number.
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

    /// <summary>A stable identifier such as WatchPathNotFound or WatchLimitReached.</summary>
    public string ErrorId { get; }
}

/// <summary>ENOENT: the path does not exist.</summary>
public sealed class WatchPathNotFoundException(string? path, string message)
    : InotifyException(Interop.Errno.ENOENT, path, "WatchPathNotFound", message);

/// <summary>EACCES: inotify needs read permission on the object.</summary>
public sealed class InotifyPermissionDeniedException(int errno, string? path, string message)
    : InotifyException(errno, path, "PermissionDenied", message);

/// <summary>ENOTDIR: OnlyDirectory was asked for and the path is not a directory.</summary>
public sealed class InotifyNotADirectoryException(string? path, string message)
    : InotifyException(Interop.Errno.ENOTDIR, path, "NotADirectory", message);

/// <summary>EEXIST: MaskCreate was asked for and the inode is already watched by this instance.</summary>
public sealed class AlreadyWatchedException(string? path, string message)
    : InotifyException(Interop.Errno.EEXIST, path, "AlreadyWatched", message);

/// <summary>ENOSPC: the user's max_user_watches budget is spent.</summary>
public sealed class WatchLimitException : InotifyException
{
    private WatchLimitException(string? path, long limit, string message)
        : base(Interop.Errno.ENOSPC, path, "WatchLimitReached", message)
    {
        Limit = limit;
    }

    /// <summary>max_user_watches when the request failed, or -1 if it could not be read.</summary>
    public long Limit { get; }

    internal static WatchLimitException Create(string? path, string operation)
    {
        long limit = InotifyLimits.ReadLimit(InotifyLimits.MaxUserWatchesFile);
        string subject = path is null ? string.Empty : $" '{path}'";
        return new WatchLimitException(path, limit,
            $"Cannot {operation}{subject}: the kernel's limit of {limit} inotify watches per user " +
            $"({InotifyLimits.MaxUserWatchesFile}) is reached. Raise it as root with " +
            $"'sysctl fs.inotify.max_user_watches={Math.Max(limit * 2, 524288)}' (persist it in /etc/sysctl.d/), " +
            "or watch fewer directories. Each watch costs about 1 KiB of kernel memory.");
    }
}

/// <summary>EMFILE/ENFILE: no more inotify instances (max_user_instances) or file descriptors.</summary>
public sealed class InstanceLimitException : InotifyException
{
    private InstanceLimitException(int errno, long limit, string message)
        : base(errno, null, "InstanceLimitReached", message)
    {
        Limit = limit;
    }

    /// <summary>max_user_instances when the request failed, or -1 if it could not be read.</summary>
    public long Limit { get; }

    internal static InstanceLimitException Create(int errno, string operation)
    {
        long limit = InotifyLimits.ReadLimit(InotifyLimits.MaxUserInstancesFile);

        // At the descriptor limit the limit file cannot be read (-1), and a negative number is formatted with the
        // culture's minus sign: a process that has not loaded its culture data yet would have to open files for it,
        // and the runtime ends it when it cannot. A non-negative number needs no culture.
        string count = limit >= 0 ? $"{limit} " : string.Empty;
        return new InstanceLimitException(errno, limit,
            $"Cannot {operation}: the limit of {count}inotify instances per user ({InotifyLimits.MaxUserInstancesFile}) " +
            "or the process's file-descriptor limit is reached. Dispose watchers you no longer need, or raise it as root with " +
            $"'sysctl fs.inotify.max_user_instances={Math.Max(limit * 2, 512)}'.");
    }
}
