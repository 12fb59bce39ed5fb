using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class WatchSpecTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Switches_map_to_the_kernel_flags()
    {
        Assert.Equal(WatchFlags.None, WatchSpec.FlagsFrom());
        Assert.Equal(WatchFlags.OnlyDirectory | WatchFlags.NoFollow | WatchFlags.OneShot | WatchFlags.Merge | WatchFlags.Exclusive,
            WatchSpec.FlagsFrom(onlyDirectory: true, noFollow: true, oneShot: true, merge: true, exclusive: true));
        Assert.Equal(WatchFlags.OneShot, WatchSpec.FlagsFrom(oneShot: true));
    }

    [Fact]
    public void Filters_go_with_any_watch_and_single_watch_flags_refuse_Recurse()
    {
        Assert.Null(new WatchSpec(InotifyEventMask.All).Conflict);
        Assert.Null(new WatchSpec(InotifyEventMask.All, Recurse: true, Filter: new PathFilter(["*.txt"], null)).Conflict);
        Assert.Null(new WatchSpec(InotifyEventMask.All, WatchFlags.OnlyDirectory, Recurse: true).Conflict);
        Assert.Null(new WatchSpec(InotifyEventMask.All, Filter: new PathFilter(["*.txt"], null)).Conflict);
        Assert.Null(new WatchSpec(InotifyEventMask.All, Filter: new PathFilter(null, ["obj"])).Conflict);
        Assert.Contains("-Recurse", new WatchSpec(InotifyEventMask.All, WatchFlags.OneShot, Recurse: true).Conflict, StringComparison.Ordinal);
        Assert.False(new WatchSpec(InotifyEventMask.All, Filter: new PathFilter([], [])).HasFilter);
    }

    [Fact]
    public void A_conflict_is_refused_before_anything_is_watched()
    {
        using var watcher = new InotifyWatcher();
        Assert.Throws<InvalidOperationException>(() => new WatchSpec(InotifyEventMask.All, WatchFlags.OneShot, Recurse: true).AddTo(watcher, dir.Path));
        Assert.Equal(0, watcher.WatchCount);
    }

    [Fact]
    public void A_single_watch_reports_only_what_its_filter_lets_through()
    {
        using var watcher = new InotifyWatcher();
        _ = new WatchSpec(InotifyEventMask.CloseWrite, Filter: new PathFilter(["*.csv"], ["skip*"])).AddTo(watcher, dir.Path);

        File.WriteAllText(dir.Combine("a.log"), "no");
        File.WriteAllText(dir.Combine("skip.csv"), "no");
        File.WriteAllText(dir.Combine("take.csv"), "yes");

        Assert.True(watcher.TryRead(out InotifyEvent? e, TimeSpan.FromSeconds(10)));
        Assert.Equal("take.csv", e.Name);
        Assert.False(watcher.TryRead(out _, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void A_single_watch_gets_the_mask_and_flags()
    {
        using var watcher = new InotifyWatcher();

        var watch = Assert.IsType<InotifyWatch>(new WatchSpec(InotifyEventMask.CloseWrite | InotifyEventMask.MovedTo, WatchFlags.OnlyDirectory).AddTo(watcher, dir.Path));

        Assert.Equal(dir.Path, watch.Path);
        Assert.Equal(InotifyEventMask.CloseWrite | InotifyEventMask.MovedTo, watch.Mask & InotifyEventMask.All);
        Assert.Equal(WatchFlags.OnlyDirectory, watch.Flags);
    }

    [Fact]
    public void Recurse_watches_the_tree_reports_progress_on_the_calling_thread_and_filters()
    {
        for (int i = 0; i < 50; i++)
        {
            Directory.CreateDirectory(dir.Combine("d" + i, "sub"));
        }

        Directory.CreateDirectory(dir.Combine("obj", "x"));
        using var watcher = new InotifyWatcher();
        int caller = Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();

        var tree = Assert.IsType<RecursiveWatch>(new WatchSpec(InotifyEventMask.Create, Recurse: true, Filter: new PathFilter(null, ["obj"]))
            .AddTo(watcher, dir.Path, _ => threads.Add(Environment.CurrentManagedThreadId)));

        Assert.Equal(101, tree.DirectoryCount);
        Assert.True(threads.Count == 0 || threads.SetEquals([caller]));
        File.WriteAllBytes(dir.Combine("d3", "sub", "a.txt"), []);
        File.WriteAllBytes(dir.Combine("obj", "x", "b.txt"), []);
        Assert.True(watcher.TryRead(out InotifyEvent? e, Wait.Patience, CancellationToken.None));
        Assert.Equal(dir.Combine("d3", "sub", "a.txt"), e.Path);
        Assert.False(watcher.TryRead(out _, TimeSpan.FromMilliseconds(200), CancellationToken.None));
    }

    [Fact]
    public void The_engines_errors_pass_through_with_their_ids()
    {
        using var watcher = new InotifyWatcher();
        var missing = Assert.ThrowsAny<InotifyException>(() => new WatchSpec(InotifyEventMask.All).AddTo(watcher, dir.Combine("missing")));
        Assert.Equal("WatchPathNotFound", missing.ErrorId);

        File.WriteAllBytes(dir.Combine("file"), []);
        var notDir = Assert.ThrowsAny<InotifyException>(() => new WatchSpec(InotifyEventMask.All, WatchFlags.OnlyDirectory).AddTo(watcher, dir.Combine("file")));
        Assert.Equal("NotADirectory", notDir.ErrorId);
    }
}
