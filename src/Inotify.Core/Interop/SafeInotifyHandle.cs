using System.Runtime.InteropServices;

namespace Inotify.Interop;

/// <summary>Owns a file descriptor: the inotify instance or the eventfd that wakes its reader.</summary>
internal class SafeFdHandle : SafeHandle
{
    public SafeFdHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    internal int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Libc.Close((int)handle.ToInt64()) == 0;
}

/// <summary>The inotify instance's descriptor.</summary>
internal sealed class SafeInotifyHandle : SafeFdHandle
{
}
