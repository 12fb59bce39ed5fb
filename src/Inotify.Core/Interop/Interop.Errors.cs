using System.Runtime.InteropServices;

namespace Inotify.Interop;

internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int ENFILE = 23;
    internal const int EMFILE = 24;
    internal const int ENOSPC = 28;
    internal const int ENAMETOOLONG = 36;
    internal const int ELOOP = 40;

    internal static int Last => Marshal.GetLastPInvokeError();

    /// <summary>The one place where an errno becomes an exception.</summary>
    internal static InotifyException ToException(int errno, string? path, string operation)
    {
        string subject = path is null ? string.Empty : $" '{path}'";
        return errno switch
        {
            ENOENT => new WatchPathNotFoundException(path,
                $"Cannot {operation}{subject}: the path does not exist (or is a symbolic link to nothing)."),
            EACCES or EPERM => new InotifyPermissionDeniedException(errno, path,
                $"Cannot {operation}{subject}: permission denied. inotify needs read permission on the watched object."),
            ENOTDIR => new InotifyNotADirectoryException(path,
                $"Cannot {operation}{subject}: it is not a directory, and the watch asked for directories only (OnlyDirectory)."),
            EEXIST => new AlreadyWatchedException(path,
                $"Cannot {operation}{subject}: the object is already watched by this instance and the watch asked to be exclusive (MaskCreate)."),
            ENOSPC => WatchLimitException.Create(path, operation),
            EMFILE or ENFILE => InstanceLimitException.Create(errno, operation),
            ENAMETOOLONG => new InotifyException(errno, path, InotifyErrorIds.PathTooLong,
                $"Cannot {operation}{subject}: the path or one of its names is too long (PATH_MAX 4096, NAME_MAX 255 bytes)."),
            ELOOP => new InotifyException(errno, path, InotifyErrorIds.SymbolicLinkLoop,
                $"Cannot {operation}{subject}: too many levels of symbolic links."),
            EINVAL => new InotifyException(errno, path, InotifyErrorIds.InvalidArgument,
                $"Cannot {operation}{subject}: the kernel rejected the request as invalid (an event mask with no event, or MaskAdd together with MaskCreate)."),
            _ => new InotifyException(errno, path, InotifyErrorIds.InotifyError,
                $"Cannot {operation}{subject}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
        };
    }
}
