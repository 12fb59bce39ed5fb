using System.Runtime.InteropServices;

namespace Inotify.Interop;

/// <summary>File leases (fcntl F_SETLEASE): the kernel's way to ask whether anyone has a file open for writing.</summary>
internal static partial class Libc
{
    internal const int O_NONBLOCK = 0x800;
    internal const int O_NOATIME = 0x40000;

    internal const int F_SETSIG = 10;
    internal const int F_SETLEASE = 1024;
    internal const int F_RDLCK = 0;
    internal const int F_UNLCK = 2;

    // Ignored by default and unused by the .NET runtime and pwsh: a lease break delivered while the probe holds its
    // lease goes nowhere. The default lease-break signal, SIGIO, terminates the process.
    internal const int SIGURG = 23;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial SafeFdHandle OpenHandle(byte* pathname, int flags, int mode);

    // fcntl is variadic; every command used here takes one int, which the Linux ABIs pass like a fixed argument.
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(SafeFdHandle fd, int cmd, int arg);
}
