using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Wires a watcher to the session's engine events: the target, its forwarder and their registration.</summary>
internal static class Forwarding
{
    /// <summary>A registration whose forwarder is not started yet (start it once the registration is accepted).</summary>
    public static WatcherRegistration Create(InotifyWatcher watcher, PSEventManager events, string sourceIdentifier, PSObject? messageData, int batchSize = 1)
    {
        var target = new EngineEventTarget(events, sourceIdentifier, watcher, messageData);
        // With batches, a few engine events in PowerShell's queue are enough to keep every checkpoint busy;
        // the watcher's queue holds the rest, and the next batch is cut from it, full, when one is taken.
        var forwarder = new EventForwarder(watcher, target, new EventForwarderOptions
        {
            BatchSize = batchSize,
            MaxPendingDeliveries = batchSize == 1 ? int.MaxValue : 3,
        });
        target.AttachTo(forwarder);
        return new WatcherRegistration(watcher, sourceIdentifier, forwarder, target);
    }
}
