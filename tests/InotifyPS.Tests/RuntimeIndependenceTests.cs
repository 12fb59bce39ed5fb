using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class RuntimeIndependenceTests
{
    [Fact]
    public void The_helper_classes_run_without_System_Management_Automation()
    {
        // The test output has no PowerShell assembly at all, so any helper that touched one would fail to load;
        // this says so explicitly, after using each of them.
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "System.Management.Automation.dll")));
        using var dir = new TempDirectory();
        using var registry = new WatcherRegistry();
        var watcher = new InotifyWatcher();
        var forwarder = new EventForwarder(watcher, _ => { });
        registry.Add(new WatcherRegistration(watcher, "x", forwarder));
        forwarder.Start();
        _ = new WatchSpec(InotifyEventMask.All).AddTo(watcher, dir.Path);
        _ = EventReader.Read(new InotifyWatcher(), 1, TimeSpan.Zero, CancellationToken.None).ToList();
        _ = new ProgressThrottle().ShouldReport();
        _ = InotifyLimitInfo.Collect();
        _ = InotifyWatcherInfo.GetSourceIdentifier(watcher);
        _ = InotifyWatcherInfo.GetActionHandledCount(watcher) + InotifyWatcherInfo.GetActionPendingCount(watcher) + InotifyWatcherInfo.GetForwardingLostCount(watcher);
        using (var dispatch = new ActionDispatch(new InotifyWatcher(), 2))
        {
            dispatch.Start();
            _ = dispatch.PendingCount;
        }
        registry.Dispose();

        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "System.Management.Automation");
    }
}
