using Inotify;

namespace InotifyPS;

/// <summary>The readiness parameters of New-InotifyWatcher and Wait-InotifyEvent (-Settle, -MaxWait, -TemporaryName), as the engine's options.</summary>
internal static class ReadinessSettings
{
    /// <summary>The engine's defaults, in the seconds the parameters take.</summary>
    public static readonly double DefaultSettleSeconds = new ReadinessOptions().Settle.TotalSeconds;

    public static readonly double DefaultMaxWaitSeconds = new ReadinessOptions().MaxWait.TotalSeconds;

    /// <summary>Seconds (fractions allowed) as the engine's options; a MaxWait of -1 waits for ever; no temporary names given keeps the defaults.</summary>
    public static ReadinessOptions From(double settleSeconds, double maxWaitSeconds, string[]? temporaryNames) => new()
    {
        Settle = TimeSpan.FromSeconds(settleSeconds),
        MaxWait = maxWaitSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(maxWaitSeconds),
        TemporaryNames = temporaryNames ?? ReadinessOptions.DefaultTemporaryNames,
    };
}
