namespace Inotify.Core.Tests;

/// <summary>The kernel's limits as the engine reads them.</summary>
public sealed class LimitsTests
{
    [Fact]
    public void ReadGivesTheValuesInProcSysFsInotify()
    {
        InotifyLimits limits = InotifyLimits.Read();
        Assert.Equal(Sysctl.Read("max_user_watches"), limits.MaxUserWatches);
        Assert.Equal(Sysctl.Read("max_user_instances"), limits.MaxUserInstances);
        Assert.Equal(Sysctl.Read("max_queued_events"), limits.MaxQueuedEvents);
        Assert.True(limits.MaxUserWatches > 0 && limits.MaxUserInstances > 0 && limits.MaxQueuedEvents > 0);
    }

    [Fact]
    public void AProcessWithoutInotifyHasNoUsage()
    {
        // pid 1 of this namespace may or may not use inotify; a fresh sleep certainly does not.
        using var sleep = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            Assert.Null(InotifyUsage.ForProcess(sleep.Id));
            Assert.Null(InotifyUsage.ForProcess(int.MaxValue));
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }
}

/// <summary>Counts of this very process, and a changed limit: run alone so no other test sees or disturbs them.</summary>
[Collection(SerialCollection.Name)]
public sealed class UsageTests
{
    [Fact]
    public void ReadSeesAChangedLimitAtOnce()
    {
        long original = Sysctl.Read("max_queued_events");
        using (Sysctl.Set("max_queued_events", original + 1))
        {
            Assert.Equal(original + 1, InotifyLimits.Read().MaxQueuedEvents);
        }

        Assert.Equal(original, InotifyLimits.Read().MaxQueuedEvents);
    }

    [Fact]
    public void ForProcessCountsThisWatchersInstanceAndWatchesExactly()
    {
        using var dir = new TempDir();
        string[] dirs = [.. Enumerable.Range(0, 7).Select(i => dir.CreateDirectory($"d{i}"))];
        InotifyUsage? before = InotifyUsage.ForProcess(Environment.ProcessId);
        int instances = before?.Instances ?? 0, watches = before?.Watches ?? 0;

        using var w = new InotifyWatcher();
        InotifyUsage empty = InotifyUsage.ForProcess(Environment.ProcessId)!;
        Assert.Equal(instances + 1, empty.Instances);
        Assert.Equal(watches, empty.Watches);
        Assert.Equal(Environment.ProcessId, empty.ProcessId);
        Assert.Equal(File.ReadAllText("/proc/self/comm").TrimEnd('\n'), empty.ProcessName);

        var added = dirs.Select(d => w.Add(d, InotifyEventMask.Create)).ToList();
        Assert.Equal(7, w.WatchCount);
        Assert.Equal(watches + 7, InotifyUsage.ForProcess(Environment.ProcessId)!.Watches);

        // An alias is not a second kernel watch.
        File.CreateSymbolicLink(dir["alias"], dirs[0]);
        w.Add(dir["alias"], InotifyEventMask.Delete);
        Assert.Equal(7, w.WatchCount);
        Assert.Equal(watches + 7, InotifyUsage.ForProcess(Environment.ProcessId)!.Watches);

        w.Remove(added[0]);
        w.Remove(added[1]);
        Assert.Equal(5, w.WatchCount);
        Assert.Equal(watches + 5, InotifyUsage.ForProcess(Environment.ProcessId)!.Watches);

        Assert.Contains(InotifyUsage.ForAllProcesses(), u => u.ProcessId == Environment.ProcessId && u.Watches == watches + 5);
    }
}

/// <summary>
/// Inside a user namespace (a container) the limits that apply are the lower of the host's fs.inotify.* and the
/// namespace's own user.max_inotify_*; errors quote the one that was hit and where it can be raised.
/// </summary>
public sealed class NamespaceLimitTests
{
    [Fact]
    public void ReadGivesTheNamespaceLimitsBesideTheHostOnes()
    {
        InotifyLimits limits = InotifyLimits.Read();

        // In the initial namespace user.max_inotify_* and fs.inotify.max_user_* are one value.
        Assert.Equal(long.Parse(File.ReadAllText("/proc/sys/user/max_inotify_watches").Trim(), System.Globalization.CultureInfo.InvariantCulture), limits.NamespaceMaxUserWatches);
        Assert.Equal(Math.Min(limits.MaxUserWatches, limits.NamespaceMaxUserWatches), limits.EffectiveMaxUserWatches);
        Assert.Equal(Math.Min(limits.MaxUserInstances, limits.NamespaceMaxUserInstances), limits.EffectiveMaxUserInstances);
    }

    [Fact]
    public void TheWatchLimitOfAUserNamespaceIsTheOneQuoted()
    {
        using var dir = new TempDir();
        ProbeResult r = Probe.Run(InNamespace("max_inotify_watches", 0), "add", dir.Path);

        Assert.True(r.Failed, r.ToString());
        Assert.Equal("WatchLimitReached", r.ErrorId);
        Assert.Equal("0", r.Limit);
        Assert.Contains("limit of 0 inotify watches", r.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/sys/user/max_inotify_watches", r.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sysctl fs.inotify.max_user_watches=", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInstanceLimitOfAUserNamespaceIsTheOneQuoted()
    {
        ProbeResult r = Probe.Run(InNamespace("max_inotify_instances", 2), "instances");

        Assert.True(r.Failed, r.ToString());
        Assert.Equal("InstanceLimitReached", r.ErrorId);
        Assert.Equal("2", r.Limit);
        Assert.Equal(2, r.Count);
        Assert.Contains("limit of 2 inotify instances", r.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/sys/user/max_inotify_instances", r.Message, StringComparison.Ordinal);
    }

    // A new user namespace (root inside maps to this user) whose own limit is set before the probe starts.
    private static string[] InNamespace(string limit, int value) =>
        ["unshare", "--user", "--map-root-user", "sh", "-c", $"echo {value} > /proc/sys/user/{limit} && exec \"$0\" \"$@\""];
}
