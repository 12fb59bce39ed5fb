using System.Globalization;

namespace Inotify;

/// <summary>The kernel's inotify limits (fs.inotify.* sysctls), read when the object is made.</summary>
/// <param name="MaxUserWatches">max_user_watches: watches per real user id, over all instances.</param>
/// <param name="MaxUserInstances">max_user_instances: inotify instances per real user id.</param>
/// <param name="MaxQueuedEvents">max_queued_events: the kernel queue of an instance created from now on.</param>
public sealed record InotifyLimits(long MaxUserWatches, long MaxUserInstances, long MaxQueuedEvents)
{
    internal const string MaxUserWatchesFile = "/proc/sys/fs/inotify/max_user_watches";
    internal const string MaxUserInstancesFile = "/proc/sys/fs/inotify/max_user_instances";
    internal const string MaxQueuedEventsFile = "/proc/sys/fs/inotify/max_queued_events";

    /// <summary>Reads the current limits; a value that cannot be read is -1.</summary>
    public static InotifyLimits Read() =>
        new(ReadLimit(MaxUserWatchesFile), ReadLimit(MaxUserInstancesFile), ReadLimit(MaxQueuedEventsFile));

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
