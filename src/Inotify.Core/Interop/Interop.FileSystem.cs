using System.Runtime.InteropServices;

namespace Inotify.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;

    // The longest path the kernel takes in one call, terminating NUL included.
    internal const int PATH_MAX = 4096;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const byte DT_UNKNOWN = 0;
    internal const byte DT_DIR = 4;
    internal const byte DT_LNK = 10;

    // statx has the same layout on every architecture, unlike struct stat; that is why it is used here.
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int reserved;
    }

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    internal struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
    }

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int StatX(int dirfd, byte* pathname, int flags, uint mask, out Statx statxbuf);

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int Open(byte* pathname, int flags, int mode);

    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true)]
    internal static unsafe partial int OpenAt(int dirfd, byte* pathname, int flags, int mode);

    // Straight to the kernel: fdopendir would fstat and fcntl the descriptor twice more for every directory.
    [LibraryImport(Name, EntryPoint = "getdents64", SetLastError = true)]
    internal static unsafe partial nint GetDents64(int fd, byte* buffer, nuint count);

    // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[].
    internal const int DirentRecordLengthOffset = 16;

    [LibraryImport(Name, EntryPoint = "unlinkat", SetLastError = true)]
    internal static unsafe partial int UnlinkAt(int dirfd, byte* pathname, int flags);

    [LibraryImport(Name, EntryPoint = "opendir", SetLastError = true)]
    internal static unsafe partial nint OpenDir(byte* name);

    internal const int DirentInodeOffset = 0;
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;
}
