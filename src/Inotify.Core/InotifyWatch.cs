namespace Inotify;

/// <summary>
/// One kernel watch (one watch descriptor). It lives from inotify_add_watch until the kernel's
/// IN_IGNORED for it is read, so events queued before a removal still resolve their path.
/// </summary>
public sealed class InotifyWatch
{
    private readonly List<string> aliases = [];
    private volatile string path;

    internal InotifyWatch(InotifyWatcher watcher, int descriptor, string path, InotifyEventMask mask, WatchFlags flags, bool isDirectory, RecursiveWatch? tree)
    {
        Watcher = watcher;
        Descriptor = descriptor;
        this.path = path;
        Mask = mask;
        Flags = flags;
        IsDirectory = isDirectory;
        Tree = tree;
    }

    /// <summary>The <see cref="InotifyWatcher.Id"/> of the watcher this watch belongs to.</summary>
    /// <remarks>An id rather than the watcher: serializers (ConvertTo-Json, remoting) would follow a back-reference into every watch again.</remarks>
    public int WatcherId => Watcher.Id;

    /// <summary>The kernel's watch descriptor (wd).</summary>
    public int Descriptor { get; }

    /// <summary>The watched path; follows moves of a directory inside a recursive watch.</summary>
    public string Path
    {
        get => path;
        internal set => path = value;
    }

    /// <summary>The events asked for.</summary>
    public InotifyEventMask Mask { get; internal set; }

    /// <summary>How the watch was added.</summary>
    public WatchFlags Flags { get; }

    /// <summary>Whether the watched object is a directory (remembered, because DeleteSelf and MoveSelf do not say).</summary>
    public bool IsDirectory { get; }

    /// <summary>False once removal was asked for or the kernel ended the watch.</summary>
    public bool IsActive { get; internal set; } = true;

    /// <summary>For a plain watch of a directory: which entries' events are reported (a recursive watch has its own).</summary>
    public PathFilter Filter { get; internal set; } = PathFilter.None;

    /// <summary>The root of the recursive watch this directory belongs to, or null for a plain watch.</summary>
    public string? RecursiveRoot => Tree?.RootPath;

    /// <summary>
    /// Other paths that were added and turned out to be the same object (a symbolic link, a bind mount,
    /// a hard link): the kernel keeps one watch per inode, so their events carry <see cref="Path"/>.
    /// </summary>
    public IReadOnlyList<string> Aliases
    {
        get
        {
            lock (aliases)
            {
                return aliases.ToArray();
            }
        }
    }

    internal InotifyWatcher Watcher { get; }

    internal RecursiveWatch? Tree { get; }

    // The object's identity (from stat or readdir), to recognise another path to it and a directory replaced by a new one.
    internal ulong Inode { get; set; }

    internal ulong Device { get; set; }

    internal void AddAlias(string alias)
    {
        lock (aliases)
        {
            if (!aliases.Contains(alias))
            {
                aliases.Add(alias);
            }
        }
    }

    /// <summary>Ends this watch: the same as its watcher's <see cref="InotifyWatcher.Remove(InotifyWatch)"/>.</summary>
    /// <returns>False when it had already ended.</returns>
    /// <exception cref="ObjectDisposedException">The watcher was disposed.</exception>
    public bool Remove() => Watcher.Remove(this);

    /// <inheritdoc/>
    public override string ToString() => Path;
}
