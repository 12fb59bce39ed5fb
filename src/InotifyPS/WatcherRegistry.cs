using System.Runtime.CompilerServices;
using Inotify;

namespace InotifyPS;

/// <summary>A watcher a session made, with its event forwarding (if any).</summary>
internal sealed class WatcherRegistration : IDisposable
{
    private readonly IDisposable? forwardingCleanup;
    private int disposed;

    public WatcherRegistration(InotifyWatcher watcher, string? sourceIdentifier = null, EventForwarder? forwarder = null, IDisposable? forwardingCleanup = null)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        Watcher = watcher;
        SourceIdentifier = string.IsNullOrEmpty(sourceIdentifier) ? null : sourceIdentifier;
        Forwarder = forwarder;
        this.forwardingCleanup = forwardingCleanup;
    }

    public InotifyWatcher Watcher { get; }

    /// <summary>The engine-event source identifier its events are forwarded under, or null.</summary>
    public string? SourceIdentifier { get; }

    public EventForwarder? Forwarder { get; }

    /// <summary>The -Action handler that takes the watcher's events (New-InotifyWatcher -Action), or null.</summary>
    public IWatcherHandler? Handler { get; init; }

    /// <summary>Stops forwarding first (so nothing is delivered from a closed watcher), then closes the watcher.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Forwarder?.Dispose();
        Handler?.Dispose();
        forwardingCleanup?.Dispose();
        Watcher.Dispose();
    }
}

/// <summary>
/// The watchers of one PowerShell session. Removing the module or closing the runspace disposes all of them,
/// so a forgotten watcher does not keep an inotify instance (max_user_instances is only 128 per user) or a thread.
/// </summary>
internal sealed class WatcherRegistry : IDisposable
{
    // Any watcher to its registration, whichever session made it: the cmdlets and the type data ask by watcher.
    private static readonly ConditionalWeakTable<InotifyWatcher, WatcherRegistration> ByWatcher = [];

    private readonly List<WatcherRegistration> registrations = [];
    private bool disposed;

    public int Count
    {
        get
        {
            lock (registrations)
            {
                return registrations.Count;
            }
        }
    }

    public bool IsDisposed
    {
        get
        {
            lock (registrations)
            {
                return disposed;
            }
        }
    }

    /// <summary>The registration of a watcher made by New-InotifyWatcher in any session, or null.</summary>
    public static WatcherRegistration? Find(InotifyWatcher watcher) =>
        watcher is not null && ByWatcher.TryGetValue(watcher, out WatcherRegistration? r) ? r : null;

    /// <summary>Registers a watcher.</summary>
    /// <exception cref="InvalidOperationException">Another watcher of this session forwards under the same source identifier.</exception>
    /// <exception cref="ObjectDisposedException">The session is closing.</exception>
    public void Add(WatcherRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        lock (registrations)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (registration.SourceIdentifier is { } id && FindBySourceIdentifier(id) is not null)
            {
                throw new InvalidOperationException($"An inotify watcher of this session already forwards its events as '{id}'.");
            }

            registrations.Add(registration);
            ByWatcher.AddOrUpdate(registration.Watcher, registration);
        }
    }

    /// <summary>
    /// The registrations in the order they were made. Watchers disposed directly ($w.Dispose()) are dropped
    /// first, and their forwarding is cleaned up: call it on the session's pipeline thread.
    /// </summary>
    public IReadOnlyList<WatcherRegistration> Snapshot()
    {
        List<WatcherRegistration> gone;
        WatcherRegistration[] live;
        lock (registrations)
        {
            gone = registrations.FindAll(r => r.Watcher.IsDisposed);
            registrations.RemoveAll(r => r.Watcher.IsDisposed && Forget(r));
            live = [.. registrations];
        }

        foreach (WatcherRegistration r in gone)
        {
            r.Dispose();
        }

        return live;
    }

    public WatcherRegistration? FindBySourceIdentifier(string sourceIdentifier)
    {
        lock (registrations)
        {
            return registrations.Find(r => !r.Watcher.IsDisposed && string.Equals(r.SourceIdentifier, sourceIdentifier, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Unregisters and disposes a watcher; a watcher this session did not make is disposed all the same.</summary>
    /// <returns>True if it was registered here.</returns>
    public bool Remove(InotifyWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        WatcherRegistration? found;
        lock (registrations)
        {
            found = registrations.Find(r => ReferenceEquals(r.Watcher, watcher));
            if (found is not null)
            {
                registrations.Remove(found);
                Forget(found);
            }
        }

        if (found is not null)
        {
            found.Dispose();
        }
        else
        {
            (Find(watcher) as IDisposable ?? watcher).Dispose();
        }

        return found is not null;
    }

    /// <summary>Disposes every watcher of the session; later Adds fail.</summary>
    public void Dispose()
    {
        WatcherRegistration[] all;
        lock (registrations)
        {
            disposed = true;
            all = [.. registrations];
            registrations.Clear();
            foreach (WatcherRegistration r in all)
            {
                Forget(r);
            }
        }

        foreach (WatcherRegistration r in all)
        {
            r.Dispose();
        }
    }

    private static bool Forget(WatcherRegistration r)
    {
        ByWatcher.Remove(r.Watcher);
        return true;
    }
}

/// <summary>One <see cref="WatcherRegistry"/> per session key (the runspace); the key is held weakly.</summary>
internal static class SessionRegistries
{
    private static readonly ConditionalWeakTable<object, WatcherRegistry> Table = [];

    /// <summary>The session's registry; <paramref name="created"/> runs once, when a new one is made.</summary>
    public static WatcherRegistry GetOrAdd(object session, Action<WatcherRegistry>? created = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (Table)
        {
            if (Table.TryGetValue(session, out WatcherRegistry? existing) && !existing.IsDisposed)
            {
                return existing;
            }

            var registry = new WatcherRegistry();
            Table.AddOrUpdate(session, registry);
            created?.Invoke(registry);
            return registry;
        }
    }

    /// <summary>Disposes the session's watchers and forgets the session.</summary>
    public static void Close(object session)
    {
        ArgumentNullException.ThrowIfNull(session);
        WatcherRegistry? registry;
        lock (Table)
        {
            if (!Table.TryGetValue(session, out registry))
            {
                return;
            }

            Table.Remove(session);
        }

        registry.Dispose();
    }
}
