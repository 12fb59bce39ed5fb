using Inotify.Interop;

namespace Inotify;

/// <summary>
/// A path as the *at system calls take it: a directory descriptor and a name relative to it. A path shorter than
/// PATH_MAX stays whole, relative to the current directory (no system call). A longer one, which the kernel refuses
/// in one piece (ENAMETOOLONG), is cut at '/' into pieces shorter than PATH_MAX; the directories are opened one
/// piece at a time (O_PATH, each relative to the last), and the last piece is relative to that descriptor.
/// Symbolic links and ".." resolve as they would in the whole path.
/// </summary>
internal readonly struct AtPath : IDisposable
{
    private readonly int ownedFd;

    private AtPath(int directoryFd, byte[] name, int ownedFd)
    {
        DirectoryFd = directoryFd;
        Name = name;
        this.ownedFd = ownedFd;
    }

    /// <summary>AT_FDCWD, or the descriptor of the directory <see cref="Name"/> is relative to.</summary>
    public int DirectoryFd { get; }

    /// <summary>The (rest of the) path's exact bytes, NUL-terminated.</summary>
    public byte[] Name { get; }

    /// <summary>Resolves the path, or throws the errno of the piece that could not be opened, naming the whole path.</summary>
    public static AtPath Resolve(string path, string operation) =>
        TryResolve(path, out AtPath at, out int errno) ? at : throw Errno.ToException(errno, path, operation);

    public static unsafe bool TryResolve(string path, out AtPath at, out int errno)
    {
        byte[] bytes = NativeName.EncodeNullTerminated(path);
        errno = 0;
        int dirFd = Libc.AT_FDCWD;
        int start = 0;
        int end = bytes.Length - 1; // the NUL
        while (end - start >= Libc.PATH_MAX)
        {
            // The longest piece that fits, ending at a '/'; a piece of "/" alone is the root.
            int cut = Array.LastIndexOf(bytes, (byte)'/', start + Libc.PATH_MAX - 2, Libc.PATH_MAX - 1);
            if (cut < start || (cut == start && start > 0))
            {
                Close(dirFd);
                at = default;
                errno = Errno.ENAMETOOLONG;
                return false;
            }

            byte[] piece = new byte[Math.Max(cut - start, 1) + 1];
            Array.Copy(bytes, start, piece, 0, piece.Length - 1);
            int fd;
            fixed (byte* p = piece)
            {
                fd = Libc.OpenAt(dirFd, p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            }

            errno = fd < 0 ? Errno.Last : 0;
            Close(dirFd);
            if (fd < 0)
            {
                at = default;
                return false;
            }

            dirFd = fd;
            start = cut + 1;
        }

        // A trailing '/' leaves an empty name: the directory itself.
        byte[] name = start == 0 ? bytes : end == start ? [(byte)'.', 0] : bytes[start..];
        at = new AtPath(dirFd, name, dirFd == Libc.AT_FDCWD ? -1 : dirFd);
        return true;
    }

    public void Dispose() => Close(ownedFd);

    private static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }
}
