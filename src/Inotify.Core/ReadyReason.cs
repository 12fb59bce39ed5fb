namespace Inotify;

/// <summary>Why a file was reported Ready: which checks it passed, or why it was reported without passing them.</summary>
[Flags]
public enum ReadyReason
{
    /// <summary>Not a Ready event.</summary>
    None = 0,

    /// <summary>The kernel said nobody had the file open for writing (a read lease was granted).</summary>
    NoWriters = 0x1,

    /// <summary>No write, and the same size and modification time, for the settle window.</summary>
    Quiet = 0x2,

    /// <summary>
    /// The file was still not complete after <see cref="ReadinessOptions.MaxWait"/> (a writer kept it open, or it kept
    /// changing): reported once so it is not hidden for ever. It is NOT complete; once it is, it is reported again.
    /// </summary>
    MaxWaitExceeded = 0x4,

    /// <summary>The writer probe could not answer: only the file's owner (or CAP_LEASE) may take a lease. Ready by the quiet rule alone.</summary>
    NotOwner = 0x10,

    /// <summary>The writer probe could not answer: the file system has no leases (FUSE, some network file systems). Ready by the quiet rule alone.</summary>
    LeasesUnsupported = 0x20,

    /// <summary>The writer probe could not answer: another program holds a lease on the file. Ready by the quiet rule alone.</summary>
    LeaseHeld = 0x40,

    /// <summary>The writer probe could not answer: the file cannot be opened for reading. Ready by the quiet rule alone.</summary>
    NotReadable = 0x80,

    /// <summary>The writer probe could not answer for another reason. Ready by the quiet rule alone.</summary>
    ProbeFailed = 0x100,
}
