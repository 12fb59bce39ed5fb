using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class InotifyLimitInfoTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Shows_the_kernels_limits_and_this_processs_instances_and_watches()
    {
        using var a = new InotifyWatcher();
        using var b = new InotifyWatcher();
        Directory.CreateDirectory(dir.Combine("x"));
        a.Add(dir.Path);
        a.Add(dir.Combine("x"));
        b.Add(dir.Path);

        InotifyLimitInfo info = InotifyLimitInfo.Collect();

        Assert.True(info.MaxUserWatches > 0);
        Assert.True(info.MaxUserInstances > 0);
        Assert.True(info.MaxQueuedEvents > 0);
        // Other tests run in parallel in this process, so only a lower bound is certain.
        Assert.True(info.ProcessInstances >= 2);
        Assert.True(info.ProcessWatches >= 3);
        Assert.Contains(info.Processes, p => p.ProcessId == Environment.ProcessId);
        Assert.True(info.VisibleWatches >= info.ProcessWatches);
        Assert.Equal(info.Processes.OrderByDescending(p => p.Watches).Select(p => p.Watches), info.Processes.Select(p => p.Watches));
    }
}
