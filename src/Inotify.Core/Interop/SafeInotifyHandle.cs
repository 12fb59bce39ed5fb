using System.Runtime.InteropServices;

namespace Inotify.Interop;

/// <summary>Owns a file descriptor: the inotify instance or the eventfd that wakes its reader.</summary>
internal class SafeFdHandle : SafeHandle
{
    public SafeFdHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    // A descriptor is a C int: a function declared to return int leaves the upper half of the register undefined, so
    // -1 may arrive as 0xFFFFFFFF. Only the low 32 bits count.
    public override bool IsInvalid => (int)handle.ToInt64() < 0;

    internal int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Libc.Close(Fd) == 0;
}

/// <summary>The inotify instance's descriptor.</summary>
internal sealed class SafeInotifyHandle : SafeFdHandle
{
}
