namespace Inotify;

/// <summary>
/// How a watcher decides that a file is Ready (complete): see <see cref="InotifyEventMask.Ready"/>. The settings are
/// the watcher's; every watch that asks for Ready uses them.
/// </summary>
public sealed class ReadinessOptions
{
    /// <summary>
    /// Names that are never Ready (their rename to a final name is): partial downloads and uploads, editor swap and
    /// backup files, and rsync's temporary copies (<c>.name.XXXXXX</c>). Wildcards: * and ?.
    /// </summary>
    public static IReadOnlyList<string> DefaultTemporaryNames { get; } =
        ["*.part", "*.tmp", "*.crdownload", ".*.swp", "~*", "*~", ".?*.??????"];

    /// <summary>
    /// How long a written file must stay quiet (no write, same size and modification time) before the writer probe
    /// is asked. It covers a writer that closes and at once opens the file again. Default 40 ms.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// The quiet window where the writer probe cannot answer (a file of another user without CAP_LEASE, a file
    /// system without leases): silence alone must then tell, so it is longer. The larger of this and
    /// <see cref="Settle"/> applies. Default 1 s.
    /// </summary>
    public TimeSpan UnprobedSettle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After this long without becoming Ready (a writer keeps the file open), a file is reported once with
    /// <see cref="ReadyReason.MaxWaitExceeded"/>. <see cref="Timeout.InfiniteTimeSpan"/>: never. Default 10 minutes.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Temporary names (wildcards * and ?, matched against the file name); default <see cref="DefaultTemporaryNames"/>.</summary>
    public IReadOnlyList<string> TemporaryNames { get; init; } = DefaultTemporaryNames;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Settle, TimeSpan.Zero, nameof(Settle));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnprobedSettle, TimeSpan.Zero, nameof(UnprobedSettle));
        if (MaxWait != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(MaxWait, TimeSpan.Zero, nameof(MaxWait));
        }

        ArgumentNullException.ThrowIfNull(TemporaryNames, nameof(TemporaryNames));
    }
}
