using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>Every refusal of the kernel becomes a typed exception with the errno, the path and a message a person can act on.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void AMissingPathIsWatchPathNotFound()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        string missing = dir["missing"];
        var ex = Assert.Throws<WatchPathNotFoundException>(() => w.Add(missing));
        Assert.Equal(2, ex.Errno);
        Assert.Equal("WatchPathNotFound", ex.ErrorId);
        Assert.Equal(missing, ex.Path);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal(0, w.WatchCount);
    }

    [Fact]
    public void ADanglingSymbolicLinkIsWatchPathNotFound()
    {
        using var dir = new TempDir();
        string link = dir["dangling"];
        File.CreateSymbolicLink(link, dir["nowhere"]);
        using var w = new InotifyWatcher();
        var ex = Assert.Throws<WatchPathNotFoundException>(() => w.Add(link));
        Assert.Equal(link, ex.Path);

        // With NoFollow the link itself exists and can be watched.
        Assert.False(w.Add(link, InotifyEventMask.All, WatchFlags.NoFollow).IsDirectory);
    }

    [Fact]
    public void ASymbolicLinkLoopIsReportedAsSuch()
    {
        using var dir = new TempDir();
        File.CreateSymbolicLink(dir["a"], dir["b"]);
        File.CreateSymbolicLink(dir["b"], dir["a"]);
        using var w = new InotifyWatcher();
        var ex = Assert.Throws<InotifyException>(() => w.Add(dir["a"]));
        Assert.Equal(40, ex.Errno);
        Assert.Equal("SymbolicLinkLoop", ex.ErrorId);
        Assert.Equal(dir["a"], ex.Path);
    }

    [Fact]
    public void AnUnreadableDirectoryIsPermissionDenied()
    {
        using var dir = new TempDir();
        string locked = dir.CreateDirectory("locked");
        string open = dir.CreateDirectory("open");
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Sysctl.IsRoot)
        {
            // Root is never refused, so the same engine runs as nobody (setpriv) in the probe process.
            File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1ED); // 0755: nobody may look up the names in it

            ProbeResult control = Probe.Run(Probe.AsNobody, "add", open);
            Assert.True(control.Ok, $"nobody must be able to watch a readable directory: {control}");

            ProbeResult r = Probe.Run(Probe.AsNobody, "add", locked);
            Assert.True(r.Failed, r.ToString());
            Assert.Equal("InotifyPermissionDeniedException", r.ExceptionType);
            Assert.Equal("PermissionDenied", r.ErrorId);
            Assert.Equal(13, r.Errno);
            Assert.Contains(locked, r.Message, StringComparison.Ordinal);
            Assert.Contains("permission denied", r.Message, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            File.SetUnixFileMode(locked, UnixFileMode.None);
            try
            {
                using var w = new InotifyWatcher();
                var ex = Assert.Throws<InotifyPermissionDeniedException>(() => w.Add(locked));
                Assert.Equal(13, ex.Errno);
                Assert.Equal("PermissionDenied", ex.ErrorId);
                Assert.Equal(locked, ex.Path);
            }
            finally
            {
                File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    [Fact]
    public void ANameLongerThan255BytesIsPathTooLong()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        string longName = dir[new string('n', 256)];
        var ex = Assert.Throws<InotifyException>(() => w.Add(longName));
        Assert.Equal(36, ex.Errno);
        Assert.Equal("PathTooLong", ex.ErrorId);
        Assert.Equal(longName, ex.Path);

        string longPath = dir.Path + string.Concat(Enumerable.Repeat("/" + new string('p', 200), 25));
        Assert.True(longPath.Length > 4096);
        var ex2 = Assert.Throws<InotifyException>(() => w.Add(longPath));
        Assert.Equal(36, ex2.Errno);
        Assert.Equal("PathTooLong", ex2.ErrorId);
    }

    [Fact]
    public void AnEmptyMaskIsInvalidArgument()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        var ex = Assert.Throws<InotifyException>(() => w.Add(dir.Path, InotifyEventMask.None));
        Assert.Equal(22, ex.Errno);
        Assert.Equal("InvalidArgument", ex.ErrorId);
        Assert.Equal(dir.Path, ex.Path);
        Assert.Contains("mask", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, w.WatchCount);
    }

    [Fact]
    public void MergeTogetherWithExclusiveIsInvalidArgument()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        var ex = Assert.Throws<InotifyException>(() => w.Add(dir.Path, InotifyEventMask.Create, WatchFlags.Merge | WatchFlags.Exclusive));
        Assert.Equal(22, ex.Errno);
        Assert.Equal("InvalidArgument", ex.ErrorId);
    }

    [Fact]
    public void NullOrEmptyPathsAreArgumentErrorsNotKernelCalls()
    {
        using var w = new InotifyWatcher();
        Assert.Throws<ArgumentNullException>(() => w.Add(null!));
        Assert.Throws<ArgumentException>(() => w.Add(string.Empty));
    }
}

/// <summary>The limits that need root to lower: run alone, restored in finally.</summary>
[Collection(SerialCollection.Name)]
public sealed class LimitErrorTests
{
    [Fact]
    public void AtTheDescriptorLimitCreatingAWatcherIsInstanceLimitReachedNeverAnotherFailure()
    {
        // The probe creates watchers until the engine refuses, under several descriptor limits, so the
        // refusal falls on each of the descriptors a watcher needs (inotify, eventfd, the reader thread).
        // Run alone (in the serial collection): near a descriptor limit the runtime of the probe must not be
        // starved by parallel tests. Run as nobody when root so that root's max_user_instances, shared with other processes, is not hit first.
        foreach (int limit in new[] { 80, 81, 82, 83 })
        {
            string[] wrapper = ["prlimit", $"--nofile={limit}", .. Sysctl.IsRoot ? Probe.AsNobody : []];
            ProbeResult r = Probe.Run(wrapper, "instances");
            Assert.True(r.Failed, $"with {limit} descriptors: {r}");
            Assert.Equal("InstanceLimitException", r.ExceptionType);
            Assert.Equal("InstanceLimitReached", r.ErrorId);
            Assert.Equal(24, r.Errno);
            Assert.True(r.Count > 0, r.ToString());
            Assert.Contains("file-descriptor limit", r.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheWatchLimitIsWatchLimitReachedQuotingTheLimitAndHowToRaiseIt()
    {
        using var dir = new TempDir();
        string[] dirs = [.. Enumerable.Range(0, 3).Select(i => dir.CreateDirectory($"d{i}"))];
        using var w = new InotifyWatcher();
        WatchLimitException ex;
        int added = 0;
        using (Sysctl.Set("max_user_watches", 1))
        {
            // At most one more watch fits, whatever this user already holds elsewhere.
            ex = Assert.Throws<WatchLimitException>(() =>
            {
                foreach (string d in dirs)
                {
                    w.Add(d, InotifyEventMask.Create);
                    added++;
                }
            });
        }

        Assert.InRange(added, 0, 1);
        Assert.Equal(28, ex.Errno);
        Assert.Equal("WatchLimitReached", ex.ErrorId);
        Assert.Equal(1, ex.Limit);
        Assert.Equal(dirs[added], ex.Path);
        Assert.Contains(dirs[added], ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 1 ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/sys/fs/inotify/max_user_watches", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sysctl fs.inotify.max_user_watches=", ex.Message, StringComparison.Ordinal);
        Assert.Equal(added, w.WatchCount);

        // With the limit restored the same directory can be watched.
        w.Add(dirs[added], InotifyEventMask.Create);
        Assert.Equal(added + 1, w.WatchCount);
    }

    [Fact]
    public void TheInstanceLimitIsInstanceLimitReachedQuotingTheLimit()
    {
        int fdsBefore = Directory.GetFiles("/proc/self/fd").Length;
        InstanceLimitException ex;
        using (Sysctl.Set("max_user_instances", 0))
        {
            ex = Assert.Throws<InstanceLimitException>(() => new InotifyWatcher());
        }

        Assert.Equal(24, ex.Errno);
        Assert.Equal("InstanceLimitReached", ex.ErrorId);
        Assert.Equal(0, ex.Limit);
        Assert.Null(ex.Path);
        Assert.Contains("limit of 0 ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/sys/fs/inotify/max_user_instances", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sysctl fs.inotify.max_user_instances=", ex.Message, StringComparison.Ordinal);
        Assert.Equal(fdsBefore, Directory.GetFiles("/proc/self/fd").Length);

        using var w = new InotifyWatcher();
        Assert.False(w.IsDisposed);
    }
}
