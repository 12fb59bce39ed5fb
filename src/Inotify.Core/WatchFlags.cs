namespace Inotify;

/// <summary>How a watch is added: the kernel's IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_ONESHOT, IN_MASK_ADD and IN_MASK_CREATE.</summary>
[Flags]
#pragma warning disable CA1028 // Kernel bits.
public enum WatchFlags : uint
#pragma warning restore CA1028
{
    /// <summary>Plain watch: replaces the mask if the object is already watched through the same path.</summary>
    None = 0,

    /// <summary>IN_ONLYDIR: fail with NotADirectory unless the path is a directory.</summary>
    OnlyDirectory = 0x01000000,

    /// <summary>IN_DONT_FOLLOW: watch a symbolic link itself rather than its target.</summary>
    NoFollow = 0x02000000,

    /// <summary>
    /// Not a kernel flag: with <see cref="InotifyEventMask.Ready"/> in the mask, the files already in the directory
    /// (or the file itself) are reported as Ready, with Source Scan, once they pass the same checks.
    /// </summary>
    IncludeExisting = 0x00400000,

    /// <summary>IN_EXCL_UNLINK: stop reporting events for children after they are unlinked.</summary>
    ExcludeUnlinked = 0x04000000,

    /// <summary>IN_MASK_CREATE: fail with AlreadyWatched if the object is already watched.</summary>
    Exclusive = 0x10000000,

    /// <summary>IN_MASK_ADD: add the events to an existing watch instead of replacing its mask.</summary>
    Merge = 0x20000000,

    /// <summary>IN_ONESHOT: report one event, then end the watch.</summary>
    OneShot = 0x80000000,
}
