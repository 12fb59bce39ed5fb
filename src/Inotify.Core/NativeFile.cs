using System.Runtime.InteropServices;
using Inotify.Interop;
using Microsoft.Win32.SafeHandles;

namespace Inotify;

/// <summary>What statx says of a file.</summary>
/// <param name="Inode">The inode number.</param>
/// <param name="Device">The device, as major &lt;&lt; 32 | minor.</param>
/// <param name="Mode">st_mode: type and permission bits.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="LastWriteTimeUtc">mtime.</param>
public readonly record struct NativeFileStatus(ulong Inode, ulong Device, uint Mode, long Size, DateTime LastWriteTimeUtc)
{
    /// <summary>A directory.</summary>
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    /// <summary>A symbolic link (only seen when links are not followed).</summary>
    public bool IsSymbolicLink => (Mode & 0xF000) == 0xA000;
}

/// <summary>A directory entry read with readdir: its decoded name, whether it is a directory (null when the file system does not say), and its inode.</summary>
internal readonly record struct NativeDirectoryEntry(string Name, bool? IsDirectory, ulong Inode);

/// <summary>
/// Open, stat, delete and list paths given as strings from <see cref="NativeName"/>, which may hold
/// escaped bytes: each call turns the string back into the exact bytes. This is how a file whose name is
/// not valid UTF-8 is used from .NET, e.g. <c>NativeFile.Open(evt.Path, FileMode.Open, FileAccess.Read)</c>.
/// For ordinary names it behaves like File.Open, File.Delete and a stat. Paths longer than PATH_MAX (4096
/// bytes), which a deep tree can produce, work too: their directory part is opened a piece at a time.
/// </summary>
public static class NativeFile
{
    /// <summary>Opens a file by its exact bytes and wraps the descriptor in a FileStream.</summary>
    public static unsafe FileStream Open(string path, FileMode mode, FileAccess access)
    {
        int flags = access switch
        {
            FileAccess.Read => Libc.O_RDONLY,
            FileAccess.Write => Libc.O_WRONLY,
            _ => Libc.O_RDWR,
        } | Libc.O_CLOEXEC;
        flags |= mode switch
        {
            FileMode.CreateNew => Libc.O_CREAT | Libc.O_EXCL,
            FileMode.Create => Libc.O_CREAT | Libc.O_TRUNC,
            FileMode.OpenOrCreate => Libc.O_CREAT,
            FileMode.Truncate => Libc.O_TRUNC,
            FileMode.Append => Libc.O_CREAT | Libc.O_APPEND,
            _ => 0,
        };
        int fd, errno;
        using (AtPath at = AtPath.Resolve(path, "open"))
        {
            fixed (byte* p = at.Name)
            {
                fd = Libc.OpenAt(at.DirectoryFd, p, flags, 0x1B6); // 0666, narrowed by the umask
            }

            errno = Errno.Last;
        }

        if (fd < 0)
        {
            throw Errno.ToException(errno, path, "open");
        }

        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
    }

    /// <summary>statx of a path; follows a final symbolic link unless <paramref name="followLinks"/> is false.</summary>
    public static NativeFileStatus Stat(string path, bool followLinks = true)
    {
        return TryStat(path, followLinks, out NativeFileStatus status, out int errno)
            ? status
            : throw Errno.ToException(errno, path, "stat");
    }

    /// <summary>True if the path names something (without following a final symbolic link).</summary>
    public static bool Exists(string path) => TryStat(path, followLinks: false, out _, out _);

    /// <summary>Deletes a file, or an empty directory.</summary>
    public static unsafe void Delete(string path)
    {
        using AtPath at = AtPath.Resolve(path, "delete");
        fixed (byte* p = at.Name)
        {
            if (Libc.UnlinkAt(at.DirectoryFd, p, 0) == 0)
            {
                return;
            }

            int errno = Errno.Last;
            if (errno == Errno.EISDIR && Libc.UnlinkAt(at.DirectoryFd, p, Libc.AT_REMOVEDIR) == 0)
            {
                return;
            }

            throw Errno.ToException(errno == Errno.EISDIR ? Errno.Last : errno, path, "delete");
        }
    }

    internal static unsafe bool TryStat(string path, bool followLinks, out NativeFileStatus status, out int errno)
    {
        Libc.Statx sx;
        int rc;
        status = default;
        if (!AtPath.TryResolve(path, out AtPath at, out errno))
        {
            return false;
        }

        using (at)
        {
            fixed (byte* p = at.Name)
            {
                rc = Libc.StatX(at.DirectoryFd, p, followLinks ? 0 : Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out sx);
            }

            // Read before the descriptor is closed: close() sets the error number too.
            errno = rc == 0 ? 0 : Errno.Last;
        }

        if (rc != 0)
        {
            return false;
        }

        status = ToStatus(sx);
        return true;
    }

    private static NativeFileStatus ToStatus(in Libc.Statx sx)
    {
        DateTime mtime = DateTime.UnixEpoch.AddTicks((sx.ModifyTime.Seconds * TimeSpan.TicksPerSecond) + (sx.ModifyTime.Nanoseconds / 100));
        return new NativeFileStatus(sx.Inode, ((ulong)sx.DevMajor << 32) | sx.DevMinor, sx.Mode, (long)sx.Size, mtime);
    }

    /// <summary>Lists a directory with readdir, names decoded losslessly. Throws the errno as an InotifyException.</summary>
    // One buffer per thread for getdents64: directories are read by the reader thread and by threads adding watches.
    [ThreadStatic]
    private static byte[]? DirectoryBuffer;

    internal static List<NativeDirectoryEntry> ReadDirectory(string path) => ReadDirectory(path, out _);

    /// <summary>
    /// Lists a directory and says what it is: the identity of the directory read, from the open descriptor. (An
    /// entry's inode from readdir is that of the directory underneath when something is mounted on it.)
    /// </summary>
    internal static unsafe List<NativeDirectoryEntry> ReadDirectory(string path, out NativeFileStatus self)
    {
        int fd, errno;
        using (AtPath at = AtPath.Resolve(path, "read directory"))
        {
            fixed (byte* p = at.Name)
            {
                fd = Libc.OpenAt(at.DirectoryFd, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            }

            errno = Errno.Last;
        }

        if (fd < 0)
        {
            throw Errno.ToException(errno, path, "read directory");
        }

        var entries = new List<NativeDirectoryEntry>();
        byte[] buffer = DirectoryBuffer ??= new byte[32 * 1024];
        try
        {
            byte empty = 0;
            self = Libc.StatX(fd, &empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.Statx sx) == 0 ? ToStatus(sx) : default;
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint n = Libc.GetDents64(fd, start, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        errno = Errno.Last;
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }

                        throw Errno.ToException(errno, path, "read directory");
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    for (nint offset = 0; offset < n; offset += *(ushort*)(start + offset + Libc.DirentRecordLengthOffset))
                    {
                        byte* ent = start + offset;
                        var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(ent + Libc.DirentNameOffset);
                        if ((name.Length == 1 && name[0] == (byte)'.') || (name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.'))
                        {
                            continue;
                        }

                        byte type = ent[Libc.DirentTypeOffset];
                        ulong inode = *(ulong*)(ent + Libc.DirentInodeOffset);
                        bool? isDir = type == Libc.DT_UNKNOWN ? null : type == Libc.DT_DIR;
                        entries.Add(new NativeDirectoryEntry(NativeName.Decode(name), isDir, inode));
                    }
                }
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }

        return entries;
    }
}
