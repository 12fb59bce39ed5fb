using Inotify.Interop;

namespace Inotify;

/// <summary>What the writer probe found out about a file.</summary>
internal enum WriterProbeResult
{
    /// <summary>Nobody has the file open for writing.</summary>
    NoWriters,

    /// <summary>Someone has it open for writing (or is opening it: a lease break is pending).</summary>
    WriterOpen,

    /// <summary>The file is not there any more.</summary>
    Gone,

    /// <summary>Cannot tell: only the file's owner (or a process with CAP_LEASE) may take a lease.</summary>
    NotOwner,

    /// <summary>Cannot tell: the file system has no leases (or it is not a regular file).</summary>
    Unsupported,

    /// <summary>Cannot tell: another program holds a lease on the file.</summary>
    LeaseHeld,

    /// <summary>Cannot tell: the file cannot be opened for reading.</summary>
    NotReadable,

    /// <summary>Cannot tell: the kernel refused for another reason.</summary>
    Failed,
}

/// <summary>What an answer means for a Ready event.</summary>
internal static class WriterProbeResults
{
    /// <summary>Why the probe could not answer, as the ReadyReason that says so.</summary>
    internal static ReadyReason AsReadyReason(this WriterProbeResult result) => result switch
    {
        WriterProbeResult.NotOwner => ReadyReason.NotOwner,
        WriterProbeResult.Unsupported => ReadyReason.LeasesUnsupported,
        WriterProbeResult.LeaseHeld => ReadyReason.LeaseHeld,
        WriterProbeResult.NotReadable => ReadyReason.NotReadable,
        _ => ReadyReason.ProbeFailed,
    };
}

/// <summary>Asks whether anyone has a file open for writing. Never blocks.</summary>
internal interface IWriterProbe
{
    WriterProbeResult Probe(string path);
}

/// <summary>
/// The kernel's answer to "does anyone have this file open for writing": a read lease (F_SETLEASE F_RDLCK) on a
/// read-only descriptor is refused with EAGAIN while any process has the inode open for writing
/// (fs/locks.c, check_conflicting_open), and granted when none has.
/// </summary>
/// <remarks>
/// The lease is held for the two fcntl calls only: released at once with F_UNLCK, and by the close in any case.
/// The descriptor is opened O_NONBLOCK (an open that would have to break someone else's lease fails instead of
/// waiting for it), O_NOATIME where the kernel allows it (the file's owner; others get EPERM, and the open is tried
/// again without it), O_NOFOLLOW and O_CLOEXEC. A writer that opens the file during those microseconds makes the
/// kernel signal the lease holder: SIGIO by default, which would end the process, so the descriptor is told to use
/// SIGURG (F_SETSIG) before the lease is taken; SIGURG is ignored unless someone installs a handler for it.
/// </remarks>
internal sealed class LeaseWriterProbe : IWriterProbe
{
    private const int OpenFlags = Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;

    public unsafe WriterProbeResult Probe(string path)
    {
        byte[] bytes = NativeName.EncodeNullTerminated(path);
        SafeFdHandle fd;
        int errno = 0;
        fixed (byte* p = bytes)
        {
            fd = Libc.OpenHandle(p, OpenFlags | Libc.O_NOATIME, 0);
            if (fd.IsInvalid && (errno = Errno.Last) == Errno.EPERM)
            {
                fd.Dispose();
                fd = Libc.OpenHandle(p, OpenFlags, 0);
                errno = fd.IsInvalid ? Errno.Last : 0;
            }
        }

        using (fd)
        {
            if (fd.IsInvalid)
            {
                return errno switch
                {
                    Errno.ENOENT or Errno.ENOTDIR => WriterProbeResult.Gone,
                    Errno.EAGAIN => WriterProbeResult.LeaseHeld,
                    Errno.EACCES or Errno.EPERM => WriterProbeResult.NotReadable,
                    Errno.ELOOP => WriterProbeResult.Unsupported, // a symbolic link (O_NOFOLLOW)
                    _ => WriterProbeResult.Failed,
                };
            }

            if (Libc.Fcntl(fd, Libc.F_SETSIG, Libc.SIGURG) != 0)
            {
                // Without it a lease break would be SIGIO: better no answer than a dead process.
                return WriterProbeResult.Failed;
            }

            if (Libc.Fcntl(fd, Libc.F_SETLEASE, Libc.F_RDLCK) != 0)
            {
                return Errno.Last switch
                {
                    Errno.EAGAIN => WriterProbeResult.WriterOpen,
                    Errno.EACCES or Errno.EPERM => WriterProbeResult.NotOwner,
                    Errno.EINVAL => WriterProbeResult.Unsupported,
                    _ => WriterProbeResult.Failed,
                };
            }

            _ = Libc.Fcntl(fd, Libc.F_SETLEASE, Libc.F_UNLCK);
            return WriterProbeResult.NoWriters;
        }
    }
}
