using Inotify;

namespace InotifyPS;

/// <summary>
/// The session-side facts about a watcher, shown as its SourceIdentifier, ForwardedCount, ForwardingPending and
/// ForwardingError properties (InotifyPS.types.ps1xml), and ForwardingLostCount (InotifyPS.Action.types.ps1xml).
/// They live here because the engine knows nothing of sessions.
/// </summary>
public static class InotifyWatcherInfo
{
    /// <summary>The engine-event source identifier the watcher forwards under, or null.</summary>
    public static string? GetSourceIdentifier(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.SourceIdentifier;

    /// <summary>Events forwarded into the engine event queue so far.</summary>
    public static long GetForwardedCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.DeliveredCount ?? 0;

    /// <summary>Forwarded events whose handler has not yet run (bounded; beyond the bound the watcher drops).</summary>
    public static long GetForwardingPending(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.PendingCount ?? 0;

    /// <summary>Why forwarding stopped or paused, if it did so on its own.</summary>
    public static string? GetForwardingError(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.Fault?.Message;

    /// <summary>Forwarded events that were never handled because the Register-EngineEvent -Action had failed before them.</summary>
    public static long GetForwardingLostCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.LostCount ?? 0;
}
