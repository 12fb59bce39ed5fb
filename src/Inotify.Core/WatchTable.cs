using Inotify.Interop;

namespace Inotify;

/// <summary>
/// The watch table: wd, path and inode to watch, and the kernel calls that change it. Its lock
/// (<see cref="Sync"/>) is the engine lock (see InotifyWatcher): inotify_add_watch is called under it so the
/// reader never sees a wd before it is in the table.
/// </summary>
internal sealed class WatchTable(InotifyWatcher owner, SafeInotifyHandle handle)
{
    private readonly Dictionary<int, InotifyWatch> byWd = [];
    private readonly Dictionary<string, InotifyWatch> byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<(ulong Device, ulong Inode), InotifyWatch> byInode = [];
    private readonly List<RecursiveWatch> trees = [];

    // Watches of directories that left a recursive watch: the events still queued for them describe paths outside it.
    private readonly HashSet<InotifyWatch> movedOut = [];

    /// <summary>The engine lock.</summary>
    internal object Sync { get; } = new();

    internal int Count
    {
        get
        {
            lock (Sync)
            {
                return byPath.Count;
            }
        }
    }

    internal InotifyWatch[] Snapshot()
    {
        lock (Sync)
        {
            return [.. byPath.Values];
        }
    }

    internal RecursiveWatch[] Trees()
    {
        lock (Sync)
        {
            return [.. trees];
        }
    }

    internal void AddTree(RecursiveWatch tree)
    {
        lock (Sync)
        {
            trees.Add(tree);
        }
    }

    internal bool TryGet(int wd, out InotifyWatch? watch) => byWd.TryGetValue(wd, out watch);

    /// <summary>True for the watch of a directory that left its recursive watch: its queued events are not reported.</summary>
    internal bool IsMovedOut(InotifyWatch watch) => movedOut.Count > 0 && movedOut.Contains(watch);

    internal bool IsWatched(string path) => byPath.ContainsKey(path);

    internal bool TryGetByInode(ulong device, ulong inode, out InotifyWatch? watch) => byInode.TryGetValue((device, inode), out watch);

    internal bool TryGetByPath(string path, out InotifyWatch? watch) => byPath.TryGetValue(path, out watch);

    /// <summary>Adds or changes a kernel watch. Throws the kernel's refusal as an InotifyException.</summary>
    /// <remarks>The identity (device, inode), when given, comes from a directory walk's readdir and saves a stat.</remarks>
    /// <param name="path">The full path.</param>
    /// <param name="userMask">The events the consumer asked for.</param>
    /// <param name="kernelMask">The events the kernel is asked for (what recursion and readiness need besides).</param>
    /// <param name="flags">How the watch is added.</param>
    /// <param name="tree">The recursive watch it belongs to, or null.</param>
    /// <param name="identity">Device and inode, when already known (saves a stat).</param>
    /// <param name="repath">A repair: when the kernel gives a known watch, that watch's directory is now at <paramref name="path"/> (the caller re-paths it), not another path to it.</param>
    internal unsafe InotifyWatch Add(string path, InotifyEventMask userMask, InotifyEventMask kernelMask, WatchFlags flags, RecursiveWatch? tree,
        (ulong Device, ulong Inode)? identity = null, bool repath = false)
    {
        NativeFileStatus status = default;
        bool known = identity is not null || NativeFile.TryStat(path, (flags & WatchFlags.NoFollow) == 0, out status, out _);
        if (identity is { } id)
        {
            status = new NativeFileStatus(id.Inode, id.Device, 0x4000, 0, default);
        }

        byte[] bytes = NativeName.EncodeNullTerminated(path);
        lock (Sync)
        {
            // Ready and IncludeExisting are the engine's: the kernel gets the events readiness needs instead.
            uint mask = (uint)ReadyReporter.ToKernel(kernelMask) | (uint)(flags & ~WatchFlags.IncludeExisting);
            InotifyWatch? sameInode = null;
            if (known && byInode.TryGetValue((status.Device, status.Inode), out sameInode) && sameInode.Path != path
                && (flags & WatchFlags.Exclusive) == 0)
            {
                // Another path to an object already watched: replacing the mask would silently change
                // the first watch, so the new events are added to it instead.
                mask |= (uint)WatchFlags.Merge;
            }

            int wd;
            fixed (byte* p = bytes)
            {
                wd = Libc.InotifyAddWatch(handle, p, mask);
            }

            if (wd < 0)
            {
                throw Errno.ToException(Errno.Last, path, "watch");
            }

            if (byWd.TryGetValue(wd, out InotifyWatch? existing) && existing.IsActive)
            {
                if (existing.Path == path || repath)
                {
                    existing.Mask = (flags & WatchFlags.Merge) != 0 ? existing.Mask | userMask : userMask;
                }
                else
                {
                    existing.Mask |= userMask;
                    existing.AddAlias(path);
                }

                return existing;
            }

            var watch = new InotifyWatch(owner, wd, path, userMask, flags, known ? status.IsDirectory : tree is not null, tree)
            {
                Inode = status.Inode,
                Device = status.Device,
            };

            // A wd whose IGNORED is still unread may be handed out again: the new watch takes over.
            byWd[wd] = watch;
            byPath[path] = watch;
            if (known)
            {
                byInode[(status.Device, status.Inode)] = watch;
            }

            tree?.OnWatchAdded(watch);

            return watch;
        }
    }

    /// <summary>Asks the kernel to end a watch. The entry stays resolvable until its IN_IGNORED is read.</summary>
    internal bool Remove(InotifyWatch watch)
    {
        lock (Sync)
        {
            if (!watch.IsActive)
            {
                return false;
            }

            Deactivate(watch);

            // EINVAL: the kernel already ended the watch (deleted, unmounted, one-shot); that is fine.
            _ = Libc.InotifyRmWatch(handle, watch.Descriptor);
            return true;
        }
    }

    internal bool Remove(RecursiveWatch tree)
    {
        lock (Sync)
        {
            if (!trees.Remove(tree))
            {
                return false;
            }

            foreach (InotifyWatch w in tree.WatchList())
            {
                Remove(w);
            }

            tree.State = RecursiveWatchState.Removed;
            return true;
        }
    }

    /// <summary>The kernel ended the watch (IN_IGNORED): forget the wd.</summary>
    internal void OnIgnored(InotifyWatch watch)
    {
        if (watch.IsActive)
        {
            Deactivate(watch);
        }

        if (byWd.TryGetValue(watch.Descriptor, out InotifyWatch? current) && current == watch)
        {
            byWd.Remove(watch.Descriptor);
        }

        movedOut.Remove(watch);
    }

    /// <summary>What the watched object really is, learnt after the watch was added (a mount point's readdir inode is the one underneath).</summary>
    internal void SetIdentity(InotifyWatch watch, ulong device, ulong inode)
    {
        if (byInode.TryGetValue((watch.Device, watch.Inode), out InotifyWatch? i) && i == watch)
        {
            byInode.Remove((watch.Device, watch.Inode));
        }

        watch.Device = device;
        watch.Inode = inode;
        byInode.TryAdd((device, inode), watch);
    }

    /// <summary>A repair found the directory gone: the watch ends, and the events still queued for it are not reported.</summary>
    internal void RemoveGone(InotifyWatch watch)
    {
        movedOut.Add(watch);
        Remove(watch);
    }

    /// <summary>A repair found the watch's directory at <paramref name="path"/>: it takes that path (only it; the repair sets each directory's).</summary>
    internal void SetPath(InotifyWatch watch, string path)
    {
        if (byPath.TryGetValue(watch.Path, out InotifyWatch? p) && p == watch)
        {
            byPath.Remove(watch.Path);
        }

        watch.Path = path;
        byPath[path] = watch;
    }

    /// <summary>A directory moved within the watched set: every watch at or below it takes the new path.</summary>
    internal void Rename(string oldPath, string newPath)
    {
        string oldPrefix = oldPath + "/";
        List<InotifyWatch> moved = [];
        foreach ((string path, InotifyWatch w) in byPath)
        {
            if (path == oldPath || path.StartsWith(oldPrefix, StringComparison.Ordinal))
            {
                moved.Add(w);
            }
        }

        foreach (InotifyWatch w in moved)
        {
            byPath.Remove(w.Path);
        }

        foreach (InotifyWatch w in moved)
        {
            w.Path = newPath + w.Path[oldPath.Length..];
            byPath[w.Path] = w;
        }
    }

    /// <summary>A directory left the watched set: end every watch at or below it.</summary>
    internal void RemoveSubtree(string path, bool movedOut = false, bool treeOnly = false)
    {
        string prefix = path + "/";
        foreach (InotifyWatch w in byPath.Values.Where(w => (w.Path == path || w.Path.StartsWith(prefix, StringComparison.Ordinal))
            && (!treeOnly || w.Tree is not null)).ToList())
        {
            // Events already queued from a directory that left the tree describe paths outside it.
            if (movedOut)
            {
                this.movedOut.Add(w);
            }

            Remove(w);
        }
    }

    internal void Clear()
    {
        lock (Sync)
        {
            foreach (InotifyWatch w in byWd.Values)
            {
                w.IsActive = false;
            }

            foreach (RecursiveWatch t in trees)
            {
                t.State = RecursiveWatchState.Removed;
            }

            byWd.Clear();
            byPath.Clear();
            byInode.Clear();
            trees.Clear();
            movedOut.Clear();
        }
    }

    private void Deactivate(InotifyWatch watch)
    {
        watch.IsActive = false;
        if (byPath.TryGetValue(watch.Path, out InotifyWatch? p) && p == watch)
        {
            byPath.Remove(watch.Path);
        }

        if (byInode.TryGetValue((watch.Device, watch.Inode), out InotifyWatch? i) && i == watch)
        {
            byInode.Remove((watch.Device, watch.Inode));
        }

        watch.Tree?.OnWatchEnded(watch);
    }
}
