using Inotify;

namespace InotifyPS;

/// <summary>
/// The session-side facts about a watcher, shown as its SourceIdentifier, ForwardedCount, ForwardingPending and
/// ForwardingError properties (InotifyPS.types.ps1xml), and Action, ActionHandledCount, ActionPendingCount and
/// ActionFailedCount (InotifyPS.Action.types.ps1xml). They live here because the engine knows nothing of sessions.
/// </summary>
public static class InotifyWatcherInfo
{
    /// <summary>The engine-event source identifier the watcher forwards under, or null.</summary>
    public static string? GetSourceIdentifier(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.SourceIdentifier;

    /// <summary>Events forwarded into the engine event queue so far.</summary>
    public static long GetForwardedCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.DeliveredCount ?? 0;

    /// <summary>Forwarded events whose handler has not yet run (bounded; beyond the bound the watcher drops).</summary>
    public static long GetForwardingPending(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.PendingCount ?? 0;

    /// <summary>Why forwarding (or the -Action handler) stopped, if it stopped on its own.</summary>
    public static string? GetForwardingError(InotifyWatcher watcher) =>
        WatcherRegistry.Find(watcher) is { } r ? (r.Forwarder?.Fault ?? r.Handler?.Fault)?.Message : null;

    /// <summary>Forwarded events that were never handled because the Register-EngineEvent -Action had failed before them.</summary>
    public static long GetForwardingLostCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Forwarder?.LostCount ?? 0;

    /// <summary>The job of the watcher's -Action handler (an InotifyActionJob), or null.</summary>
    public static object? GetAction(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Handler?.Job;

    /// <summary>Events the -Action handler finished.</summary>
    public static long GetActionHandledCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Handler?.HandledCount ?? 0;

    /// <summary>Events waiting for the -Action handler (bounded by the watcher's queue; beyond it the watcher drops).</summary>
    public static long GetActionPendingCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Handler?.PendingCount ?? 0;

    /// <summary>Events on which the -Action handler threw.</summary>
    public static long GetActionFailedCount(InotifyWatcher watcher) => WatcherRegistry.Find(watcher)?.Handler?.FailedCount ?? 0;
}
