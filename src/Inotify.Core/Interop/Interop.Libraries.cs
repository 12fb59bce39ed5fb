namespace Inotify.Interop;

internal static partial class Libc
{
    // glibc exports every function used here; "libc" resolves to libc.so.6 through the runtime's probing.
    internal const string Name = "libc";
}
