using Inotify;

namespace InotifyPS;

/// <summary>
/// What Get-InotifyLimit shows: the kernel's limits and how much of them is in use, so a user who hit
/// WatchLimitReached or InstanceLimitReached can see who holds the watches.
/// </summary>
public sealed class InotifyLimitInfo
{
    private InotifyLimitInfo(InotifyLimits limits, InotifyUsage? self, IReadOnlyList<InotifyUsage> processes)
    {
        MaxUserWatches = limits.MaxUserWatches;
        MaxUserInstances = limits.MaxUserInstances;
        MaxQueuedEvents = limits.MaxQueuedEvents;
        ProcessWatches = self?.Watches ?? 0;
        ProcessInstances = self?.Instances ?? 0;
        Processes = processes;
        VisibleWatches = processes.Sum(p => (long)p.Watches);
        VisibleInstances = processes.Sum(p => (long)p.Instances);
    }

    /// <summary>fs.inotify.max_user_watches: watches per user over all processes (-1 if unreadable).</summary>
    public long MaxUserWatches { get; }

    /// <summary>fs.inotify.max_user_instances: inotify instances per user (-1 if unreadable).</summary>
    public long MaxUserInstances { get; }

    /// <summary>fs.inotify.max_queued_events: the kernel queue of each new instance (-1 if unreadable).</summary>
    public long MaxQueuedEvents { get; }

    /// <summary>Watches held by this PowerShell process.</summary>
    public int ProcessWatches { get; }

    /// <summary>Inotify instances held by this PowerShell process.</summary>
    public int ProcessInstances { get; }

    /// <summary>Watches held by every process whose descriptors this user can read.</summary>
    public long VisibleWatches { get; }

    /// <summary>Instances held by every process whose descriptors this user can read.</summary>
    public long VisibleInstances { get; }

    /// <summary>Those processes, most watches first.</summary>
    public IReadOnlyList<InotifyUsage> Processes { get; }

    /// <summary>Reads the limits and scans /proc now.</summary>
    public static InotifyLimitInfo Collect()
    {
        InotifyUsage[] all = [.. InotifyUsage.ForAllProcesses().OrderByDescending(u => u.Watches).ThenBy(u => u.ProcessId)];
        int self = Environment.ProcessId;
        return new InotifyLimitInfo(InotifyLimits.Read(), all.FirstOrDefault(u => u.ProcessId == self) ?? InotifyUsage.ForProcess(self), all);
    }
}
