namespace Inotify;

/// <summary>Settings of an <see cref="InotifyWatcher"/>.</summary>
public sealed class InotifyWatcherOptions
{
    /// <summary>The default capacity of the queue between the reader thread and the consumer.</summary>
    public const int DefaultQueueCapacity = 65536;

    /// <summary>
    /// How many events may wait for the consumer. When the queue is full the reader does not block: it
    /// drops events, counts them, and puts one EventsDropped marker into the stream where the gap is.
    /// </summary>
    public int QueueCapacity { get; init; } = DefaultQueueCapacity;

    /// <summary>Bytes per read(); at least 4 KiB. 64 KiB holds over 2,000 typical records.</summary>
    public int ReadBufferSize { get; init; } = 64 * 1024;

    /// <summary>Pair MovedFrom and MovedTo halves with the same cookie into one Renamed event (default on).</summary>
    public bool PairRenames { get; init; } = true;

    /// <summary>How long a MovedFrom waits for its MovedTo before it is reported alone (moved out).</summary>
    public TimeSpan RenamePairingWindow { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How watches that ask for <see cref="InotifyEventMask.Ready"/> decide that a file is complete.</summary>
    public ReadinessOptions Readiness { get; init; } = new();

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Readiness, nameof(Readiness));
        Readiness.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBufferSize, 4096, nameof(ReadBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(RenamePairingWindow, TimeSpan.Zero, nameof(RenamePairingWindow));
    }
}
