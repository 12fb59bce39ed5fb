using System.Globalization;

namespace Inotify;

/// <summary>
/// One file-system event. Immutable. Derives from EventArgs so that PowerShell's engine events
/// expose it as <c>$Event.SourceEventArgs</c>.
/// </summary>
public sealed partial class InotifyEvent : EventArgs
{
    // The name stays as bytes (a slice of the read buffer's copy) until someone asks for it: a
    // consumer that only counts events never pays for decoding.
    private readonly byte[]? nameBuffer;
    private readonly int nameOffset;
    private readonly int nameLength;
    private string? name;
    private string? path;
    private bool nameIsValidUtf8 = true;

    internal InotifyEvent(
        InotifyEventKind kind,
        InotifyEventMask mask,
        string watchPath,
        byte[]? nameBuffer,
        int nameOffset,
        int nameLength,
        string? name,
        bool isDirectory,
        uint cookie,
        long sequence,
        DateTime timeStamp,
        EventSource source = EventSource.Kernel,
        string? oldPath = null,
        long droppedCount = 0,
        int watchDescriptor = -1,
        string? message = null)
    {
        Kind = kind;
        Mask = mask;
        WatchPath = watchPath;
        this.nameBuffer = nameBuffer;
        this.nameOffset = nameOffset;
        this.nameLength = nameLength;
        this.name = name ?? (nameLength == 0 ? string.Empty : null);
        IsDirectory = isDirectory;
        Cookie = cookie;
        Sequence = sequence;
        TimeStamp = timeStamp;
        Source = source;
        OldPath = oldPath;
        DroppedCount = droppedCount;
        WatchDescriptor = watchDescriptor;
        Message = message;
        if (name is not null)
        {
            nameIsValidUtf8 = !NativeName.HasEscapedBytes(name);
        }
    }

    /// <summary>What happened.</summary>
    public InotifyEventKind Kind { get; }

    /// <summary>The kernel's mask for this event (for a Renamed event: MovedFrom | MovedTo; for an engine event: QueueOverflow when events were lost).</summary>
    public InotifyEventMask Mask { get; }

    /// <summary>The full path of the subject: the watched directory joined with <see cref="Name"/>, or the watched object itself.</summary>
    public string Path => path ??= Name.Length == 0 ? WatchPath : Join(WatchPath, Name);

    /// <summary>The entry's name within the watched directory; empty when the event is about the watched object itself.</summary>
    public string Name
    {
        get
        {
            if (name is null)
            {
                name = NativeName.Decode(nameBuffer.AsSpan(nameOffset, nameLength), out bool valid);
                nameIsValidUtf8 = valid;
            }

            return name;
        }
    }

    /// <summary>The path of the watch that reported the event, as it was when the event was read.</summary>
    public string WatchPath { get; }

    /// <summary>For a Renamed event, where the entry was before.</summary>
    public string? OldPath { get; }

    /// <summary>True when the subject is a directory (for DeleteSelf and MoveSelf too, taken from the watch).</summary>
    public bool IsDirectory { get; }

    /// <summary>Links the two halves of a rename (0 for other events).</summary>
    public uint Cookie { get; }

    /// <summary>Increases by one for every event this watcher produced, dropped ones included: a gap shows a drop.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When the engine read the event from the kernel (UTC). The kernel gives no time of its own.</summary>
    public DateTime TimeStamp { get; }

    /// <summary>Kernel, Scan, Rescan or Engine.</summary>
    public EventSource Source { get; }

    /// <summary>For EventsDropped: how many events the engine had to drop because the consumer did not keep up.</summary>
    public long DroppedCount { get; }

    /// <summary>The kernel's watch descriptor, or -1.</summary>
    public int WatchDescriptor { get; }

    /// <summary>For engine reports (WatchFailed, EventsDropped, rescans): what happened, in words.</summary>
    public string? Message { get; }

    /// <summary>For a Ready event: which checks the file passed (NoWriters, Quiet), why the writer probe could not answer, or MaxWaitExceeded.</summary>
    public ReadyReason ReadyReason { get; private init; }

    /// <summary>For a Ready event: how long the engine followed the file, from the first event of the write (or the scan that found it) to the report.</summary>
    public TimeSpan WaitTime { get; private init; }

    /// <summary>False when the name is not valid UTF-8: <see cref="Path"/> then holds escaped bytes (see <see cref="NativeName"/>) and must be opened with <see cref="NativeFile"/>.</summary>
    public bool NameIsValidUtf8
    {
        get
        {
            _ = Name;
            return nameIsValidUtf8;
        }
    }

    /// <summary>The name exactly as the kernel gave it.</summary>
    public byte[] GetRawName() => nameBuffer is null ? NativeName.Encode(Name) : nameBuffer.AsSpan(nameOffset, nameLength).ToArray();

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} {(OldPath is null ? string.Empty : OldPath + " -> ")}{Path}");

    internal static string Join(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : string.Concat(directory, "/", name);
}
