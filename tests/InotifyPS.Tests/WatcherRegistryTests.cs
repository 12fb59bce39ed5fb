using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class WatcherRegistryTests
{
    [Fact]
    public void Registered_watchers_are_listed_in_order_and_found_by_watcher_and_source_identifier()
    {
        using var registry = new WatcherRegistry();
        using var a = new InotifyWatcher();
        using var b = new InotifyWatcher();
        registry.Add(new WatcherRegistration(a));
        registry.Add(new WatcherRegistration(b, "Files"));

        Assert.Equal([a, b], registry.Snapshot().Select(r => r.Watcher));
        Assert.Equal("Files", WatcherRegistry.Find(b)?.SourceIdentifier);
        Assert.Null(WatcherRegistry.Find(a)?.SourceIdentifier);
        Assert.Same(b, registry.FindBySourceIdentifier("FILES")?.Watcher);
    }

    [Fact]
    public void A_source_identifier_is_used_once_per_session_ignoring_case()
    {
        using var registry = new WatcherRegistry();
        using var a = new InotifyWatcher();
        using var b = new InotifyWatcher();
        registry.Add(new WatcherRegistration(a, "Files"));

        Assert.Throws<InvalidOperationException>(() => registry.Add(new WatcherRegistration(b, "files")));
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void Remove_stops_forwarding_disposes_the_watcher_and_forgets_it()
    {
        using var registry = new WatcherRegistry();
        var watcher = new InotifyWatcher();
        var forwarder = new EventForwarder(watcher, _ => { });
        var cleanup = new Flag();
        registry.Add(new WatcherRegistration(watcher, "X", forwarder, cleanup));
        forwarder.Start();

        Assert.True(registry.Remove(watcher));

        Assert.True(watcher.IsDisposed);
        Assert.True(cleanup.Disposed);
        Assert.True(forwarder.WaitForExit(Wait.Patience));
        Assert.Empty(registry.Snapshot());
        Assert.Null(WatcherRegistry.Find(watcher));
        Assert.Null(registry.FindBySourceIdentifier("X"));
    }

    [Fact]
    public void Removing_a_watcher_the_session_did_not_make_disposes_it_and_says_so()
    {
        using var registry = new WatcherRegistry();
        var stranger = new InotifyWatcher();

        Assert.False(registry.Remove(stranger));
        Assert.True(stranger.IsDisposed);
    }

    [Fact]
    public void A_watcher_disposed_elsewhere_drops_out_of_the_list_and_its_forwarding_is_cleaned_up()
    {
        using var registry = new WatcherRegistry();
        var watcher = new InotifyWatcher();
        var cleanup = new Flag();
        registry.Add(new WatcherRegistration(watcher, "Gone", null, cleanup));

        watcher.Dispose();

        Assert.Empty(registry.Snapshot());
        Assert.True(cleanup.Disposed);
        Assert.Null(registry.FindBySourceIdentifier("Gone"));
    }

    [Fact]
    public void Disposing_the_registry_disposes_every_watcher_and_refuses_new_ones()
    {
        var registry = new WatcherRegistry();
        var a = new InotifyWatcher();
        var b = new InotifyWatcher();
        registry.Add(new WatcherRegistration(a));
        registry.Add(new WatcherRegistration(b));

        registry.Dispose();

        Assert.True(a.IsDisposed && b.IsDisposed);
        Assert.True(registry.IsDisposed);
        using var c = new InotifyWatcher();
        Assert.Throws<ObjectDisposedException>(() => registry.Add(new WatcherRegistration(c)));
    }

    [Fact]
    public void Each_session_has_its_own_registry_until_it_is_closed()
    {
        object session = new();
        object other = new();
        int created = 0;

        WatcherRegistry first = SessionRegistries.GetOrAdd(session, _ => created++);
        Assert.Same(first, SessionRegistries.GetOrAdd(session, _ => created++));
        Assert.NotSame(first, SessionRegistries.GetOrAdd(other));
        Assert.Equal(1, created);

        var watcher = new InotifyWatcher();
        first.Add(new WatcherRegistration(watcher));
        SessionRegistries.Close(session);

        Assert.True(watcher.IsDisposed);
        Assert.True(first.IsDisposed);
        WatcherRegistry second = SessionRegistries.GetOrAdd(session, _ => created++);
        Assert.NotSame(first, second);
        Assert.Equal(2, created);
        SessionRegistries.Close(other);
        SessionRegistries.Close(session);
    }

    private sealed class Flag : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
