using System.Runtime.InteropServices;

namespace Inotify.Interop;

internal static partial class Libc
{
    internal const int IN_NONBLOCK = 0x800;   // O_NONBLOCK
    internal const int IN_CLOEXEC = 0x80000;  // O_CLOEXEC

    [LibraryImport(Name, EntryPoint = "inotify_init1", SetLastError = true)]
    internal static partial SafeInotifyHandle InotifyInit1(int flags);

    [LibraryImport(Name, EntryPoint = "inotify_add_watch", SetLastError = true)]
    internal static unsafe partial int InotifyAddWatch(SafeInotifyHandle fd, byte* pathname, uint mask);

    [LibraryImport(Name, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    internal static partial int InotifyRmWatch(SafeInotifyHandle fd, int wd);
}
