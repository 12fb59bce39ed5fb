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
        NamespaceMaxUserWatches = limits.NamespaceMaxUserWatches;
        NamespaceMaxUserInstances = limits.NamespaceMaxUserInstances;
        EffectiveMaxUserWatches = limits.EffectiveMaxUserWatches;
        EffectiveMaxUserInstances = limits.EffectiveMaxUserInstances;
        WatchLimitSetting = limits.WatchLimitSetting;
        InstanceLimitSetting = limits.InstanceLimitSetting;
        RaiseWatchLimit = limits.RaiseWatchLimit;
        RaiseInstanceLimit = limits.RaiseInstanceLimit;
        ProcessWatches = self?.Watches ?? 0;
        ProcessInstances = self?.Instances ?? 0;
        Processes = processes;
        VisibleWatches = processes.Sum(p => (long)p.Watches);
        VisibleInstances = processes.Sum(p => (long)p.Instances);
    }

    /// <summary>fs.inotify.max_user_watches: watches per user over all processes, the host's (-1 if unreadable).</summary>
    public long MaxUserWatches { get; }

    /// <summary>fs.inotify.max_user_instances: inotify instances per user, the host's (-1 if unreadable).</summary>
    public long MaxUserInstances { get; }

    /// <summary>fs.inotify.max_queued_events: the kernel queue of each new instance (-1 if unreadable).</summary>
    public long MaxQueuedEvents { get; }

    /// <summary>user.max_inotify_watches of this user namespace (-1 if unreadable); in a container it may be lower than the host's.</summary>
    public long NamespaceMaxUserWatches { get; }

    /// <summary>user.max_inotify_instances of this user namespace (-1 if unreadable).</summary>
    public long NamespaceMaxUserInstances { get; }

    /// <summary>The watch limit that applies here: the lower of MaxUserWatches and NamespaceMaxUserWatches.</summary>
    public long EffectiveMaxUserWatches { get; }

    /// <summary>The instance limit that applies here: the lower of MaxUserInstances and NamespaceMaxUserInstances.</summary>
    public long EffectiveMaxUserInstances { get; }

    /// <summary>The setting that holds the effective watch limit: fs.inotify.max_user_watches or user.max_inotify_watches.</summary>
    public string WatchLimitSetting { get; }

    /// <summary>The setting that holds the effective instance limit: fs.inotify.max_user_instances or user.max_inotify_instances.</summary>
    public string InstanceLimitSetting { get; }

    /// <summary>How to raise the effective watch limit, in words.</summary>
    public string RaiseWatchLimit { get; }

    /// <summary>How to raise the effective instance limit, in words.</summary>
    public string RaiseInstanceLimit { get; }

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
        // An array, which PowerShell can index ($limit.Processes[0]).
        InotifyUsage[] all = InotifyUsage.ForAllProcesses().OrderByDescending(u => u.Watches).ThenBy(u => u.ProcessId).ToArray();
        int self = Environment.ProcessId;
        return new InotifyLimitInfo(InotifyLimits.Read(), all.FirstOrDefault(u => u.ProcessId == self) ?? InotifyUsage.ForProcess(self), all);
    }
}
