using System.Runtime.InteropServices;

namespace Inotify.Core.Tests;

/// <summary>
/// The test's own syscalls, independent of the engine: files named by raw bytes, and a bare inotify
/// descriptor for checking the parser against what the kernel really writes.
/// </summary>
internal static unsafe partial class RawLibc
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000;
    public const int IN_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000;
    public const int ENOENT = 2;

    /// <summary>Creates a file whose name is exactly these bytes (the directory part must be plain text).</summary>
    public static void CreateFile(byte[] path)
    {
        int fd = Open(Z(path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0x1A4);
        Assert.True(fd >= 0, $"open(O_CREAT) failed: errno {Marshal.GetLastPInvokeError()}");
        Assert.Equal(0, Close(fd));
    }

    /// <summary>True when the exact bytes name an existing file (open succeeds).</summary>
    public static bool Exists(byte[] path)
    {
        int fd = Open(Z(path), O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Assert.True(errno == ENOENT, $"open failed with errno {errno}");
            return false;
        }

        Close(fd);
        return true;
    }

    public static byte[] Z(byte[] bytes)
    {
        var z = new byte[bytes.Length + 1];
        bytes.CopyTo(z, 0);
        return z;
    }

    public static int Open(byte[] pathZ, int flags, int mode)
    {
        fixed (byte* p = pathZ)
        {
            return OpenRaw(p, flags, mode);
        }
    }

    public static int AddWatch(int fd, string path, uint mask)
    {
        byte[] z = Z(System.Text.Encoding.UTF8.GetBytes(path));
        fixed (byte* p = z)
        {
            return InotifyAddWatch(fd, p, mask);
        }
    }

    public static int ReadInto(int fd, byte[] buffer)
    {
        fixed (byte* p = buffer)
        {
            return (int)Read(fd, p, (nuint)buffer.Length);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int OpenRaw(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    private static partial int InotifyAddWatch(int fd, byte* path, uint mask);
}
