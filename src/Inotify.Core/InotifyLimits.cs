using System.Globalization;

namespace Inotify;

/// <summary>
/// The kernel's inotify limits, read when the object is made: the fs.inotify.* sysctls (the host's, the same
/// in every user namespace) and the caller's user namespace's own user.max_inotify_* (a container may set them
/// lower). A request is refused when either is reached, so the one that applies is the lower:
/// <see cref="EffectiveMaxUserWatches"/> and <see cref="EffectiveMaxUserInstances"/>.
/// </summary>
/// <param name="MaxUserWatches">fs.inotify.max_user_watches: watches per real user id, over all instances.</param>
/// <param name="MaxUserInstances">fs.inotify.max_user_instances: inotify instances per real user id.</param>
/// <param name="MaxQueuedEvents">fs.inotify.max_queued_events: the kernel queue of an instance created from now on.</param>
public sealed record InotifyLimits(long MaxUserWatches, long MaxUserInstances, long MaxQueuedEvents)
{
    internal const string MaxUserWatchesFile = "/proc/sys/fs/inotify/max_user_watches";
    internal const string MaxUserInstancesFile = "/proc/sys/fs/inotify/max_user_instances";
    internal const string MaxQueuedEventsFile = "/proc/sys/fs/inotify/max_queued_events";
    internal const string NamespaceMaxWatchesFile = "/proc/sys/user/max_inotify_watches";
    internal const string NamespaceMaxInstancesFile = "/proc/sys/user/max_inotify_instances";
    internal const string MaxUserWatchesSetting = "fs.inotify.max_user_watches";
    internal const string MaxUserInstancesSetting = "fs.inotify.max_user_instances";
    internal const string NamespaceMaxWatchesSetting = "user.max_inotify_watches";
    internal const string NamespaceMaxInstancesSetting = "user.max_inotify_instances";

    /// <summary>
    /// user.max_inotify_watches of the caller's user namespace (-1 if unreadable). In the initial namespace it is
    /// fs.inotify.max_user_watches itself; a new namespace starts unlimited, and its owner may lower it.
    /// </summary>
    public long NamespaceMaxUserWatches { get; init; } = -1;

    /// <summary>user.max_inotify_instances of the caller's user namespace (-1 if unreadable); see <see cref="NamespaceMaxUserWatches"/>.</summary>
    public long NamespaceMaxUserInstances { get; init; } = -1;

    /// <summary>The watch limit that applies to the caller: the lower of the host's and the namespace's.</summary>
    public long EffectiveMaxUserWatches => Lower(MaxUserWatches, NamespaceMaxUserWatches);

    /// <summary>The instance limit that applies to the caller: the lower of the host's and the namespace's.</summary>
    public long EffectiveMaxUserInstances => Lower(MaxUserInstances, NamespaceMaxUserInstances);

    /// <summary>Where to raise the watch limit: fs.inotify.max_user_watches, or user.max_inotify_watches when the namespace's is the lower.</summary>
    public string WatchLimitSetting => IsLower(NamespaceMaxUserWatches, MaxUserWatches) ? NamespaceMaxWatchesSetting : MaxUserWatchesSetting;

    /// <summary>Where to raise the instance limit: fs.inotify.max_user_instances, or user.max_inotify_instances when the namespace's is the lower.</summary>
    public string InstanceLimitSetting => IsLower(NamespaceMaxUserInstances, MaxUserInstances) ? NamespaceMaxInstancesSetting : MaxUserInstancesSetting;

    /// <summary>
    /// How to raise the watch limit that applies, for a person: which setting, where, and a value, e.g.
    /// "Raise it as root with 'sysctl fs.inotify.max_user_watches=524288' (persist it in /etc/sysctl.d/)".
    /// </summary>
    public string RaiseWatchLimit
    {
        get
        {
            long limit = EffectiveMaxUserWatches;
            if (WatchLimitSetting == NamespaceMaxWatchesSetting)
            {
                long value = Math.Min(Math.Max(limit * 2, 8192), MaxUserWatches < 0 ? long.MaxValue : MaxUserWatches);
                return Invariant($"Raise it as root of the user namespace (or where the container is made) with 'echo {value} > {NamespaceMaxWatchesFile}'; it cannot exceed the host's fs.inotify.max_user_watches ({MaxUserWatches})");
            }

            return Invariant($"Raise it as root{OnTheHost} with 'sysctl {MaxUserWatchesSetting}={Math.Max(limit * 2, 524288)}' (persist it in /etc/sysctl.d/)");
        }
    }

    /// <summary>How to raise the instance limit that applies, for a person (see <see cref="RaiseWatchLimit"/>).</summary>
    public string RaiseInstanceLimit
    {
        get
        {
            long limit = EffectiveMaxUserInstances;
            return InstanceLimitSetting == NamespaceMaxInstancesSetting
                ? Invariant($"Raise it as root of the user namespace with 'echo {Math.Max(limit * 2, 128)} > {NamespaceMaxInstancesFile}'; it cannot exceed the host's fs.inotify.max_user_instances ({MaxUserInstances})")
                : Invariant($"Raise it as root{OnTheHost} with 'sysctl {MaxUserInstancesSetting}={Math.Max(limit * 2, 512)}' (persist it in /etc/sysctl.d/)");
        }
    }

    private static string OnTheHost => IsInitialUserNamespace() ? string.Empty : " on the host";

    /// <summary>Reads the current limits; a value that cannot be read is -1.</summary>
    public static InotifyLimits Read() =>
        new(ReadLimit(MaxUserWatchesFile), ReadLimit(MaxUserInstancesFile), ReadLimit(MaxQueuedEventsFile))
        {
            NamespaceMaxUserWatches = ReadLimit(NamespaceMaxWatchesFile),
            NamespaceMaxUserInstances = ReadLimit(NamespaceMaxInstancesFile),
        };

    internal static long ReadLimit(string file)
    {
        try
        {
            return long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    /// <summary>True unless this process runs in a user namespace other than the host's (its uid_map is not the identity over all ids).</summary>
    internal static bool IsInitialUserNamespace()
    {
        try
        {
            string[] map = File.ReadAllText("/proc/self/uid_map").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return map is ["0", "0", "4294967295"];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static bool IsLower(long candidate, long other) => candidate >= 0 && (other < 0 || candidate < other);

    private static long Lower(long a, long b) => IsLower(b, a) ? b : a;
}

/// <summary>How many inotify instances and watches a process holds, from /proc/PID/fdinfo.</summary>
/// <param name="ProcessId">The process.</param>
/// <param name="ProcessName">Its command name (/proc/PID/comm).</param>
/// <param name="Instances">Open inotify descriptors.</param>
/// <param name="Watches">Watches over all of them.</param>
public sealed record InotifyUsage(int ProcessId, string ProcessName, int Instances, int Watches)
{
    /// <summary>The usage of one process, or null if it has no inotify descriptor or cannot be read.</summary>
    public static InotifyUsage? ForProcess(int processId)
    {
        string fdinfo = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/fdinfo";
        int instances = 0, watches = 0;
        try
        {
            foreach (string file in Directory.EnumerateFiles(fdinfo))
            {
                int count = CountWatches(file);
                if (count >= 0)
                {
                    instances++;
                    watches += count;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (instances == 0)
        {
            return null;
        }

        string name;
        try
        {
            name = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            name = string.Empty;
        }

        return new InotifyUsage(processId, name, instances, watches);
    }

    /// <summary>Every process whose fdinfo this user can read that holds an inotify descriptor.</summary>
    public static IReadOnlyList<InotifyUsage> ForAllProcesses()
    {
        var result = new List<InotifyUsage>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && ForProcess(pid) is { } usage)
            {
                result.Add(usage);
            }
        }

        return result;
    }

    /// <summary>The number of watches of one descriptor, or -1 if it is not an inotify descriptor.</summary>
    internal static int CountWatches(string fdinfoFile)
    {
        try
        {
            bool isInotify = false;
            int count = 0;
            foreach (string line in File.ReadLines(fdinfoFile))
            {
                if (line.StartsWith("inotify wd:", StringComparison.Ordinal))
                {
                    count++;
                    isInotify = true;
                }
            }

            // An inotify fd without watches shows no "inotify" line; its link target says what it is.
            if (!isInotify)
            {
                string fdLink = fdinfoFile.Replace("/fdinfo/", "/fd/", StringComparison.Ordinal);
                isInotify = new FileInfo(fdLink).LinkTarget == "anon_inode:inotify";
            }

            return isInotify ? count : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
