using Xunit;
using Inotify;

namespace Inotify.Core.Tests;

/// <summary>A temp directory tree for one test, removed afterwards.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Directory.CreateTempSubdirectory("inotify-rec-").FullName;
    }

    public string Root { get; }

    public string P(string relative) => Path.Combine(Root, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Reads events until the stream has been quiet for a while, or a deadline passes.</summary>
internal static class Drain
{
    /// <summary>Long enough for any expected event on a loaded 2-core machine.</summary>
    public static readonly TimeSpan ExpectedEvent = TimeSpan.FromSeconds(10);

    /// <summary>How long silence must last before the stream is taken as finished.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    public static List<InotifyEvent> UntilQuiet(InotifyWatcher w, TimeSpan? quiet = null)
    {
        var events = new List<InotifyEvent>();
        DateTime hardStop = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < hardStop && w.TryRead(out InotifyEvent? e, quiet ?? Quiet))
        {
            events.Add(e);
        }

        return events;
    }

    public static List<InotifyEvent> Until(InotifyWatcher w, Func<InotifyEvent, bool> last)
    {
        var events = new List<InotifyEvent>();
        DateTime deadline = DateTime.UtcNow + ExpectedEvent;
        while (DateTime.UtcNow < deadline && w.TryRead(out InotifyEvent? e, deadline - DateTime.UtcNow))
        {
            events.Add(e);
            if (last(e))
            {
                break;
            }
        }

        return events;
    }
}

/// <summary>What a consumer believes the tree holds, built only from the events it received.</summary>
internal sealed class ConsumerView
{
    private readonly string root;

    public ConsumerView(string root, bool fromDisk)
    {
        this.root = root;
        if (fromDisk)
        {
            Entries.UnionWith(Walk(root));
        }
    }

    public SortedSet<string> Entries { get; } = new(StringComparer.Ordinal);

    public static SortedSet<string> Walk(string root) =>
        new(Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }), StringComparer.Ordinal);

    public void Apply(InotifyEvent e)
    {
        switch (e.Kind)
        {
            case InotifyEventKind.Create or InotifyEventKind.MovedTo:
                Entries.Add(e.Path);
                break;
            case InotifyEventKind.Delete or InotifyEventKind.MovedFrom:
                RemoveWithChildren(e.Path);
                break;
            case InotifyEventKind.Renamed:
                var moved = Entries.Where(p => p.StartsWith(e.OldPath! + "/", StringComparison.Ordinal)).ToList();
                RemoveWithChildren(e.OldPath!);
                Entries.Add(e.Path);
                foreach (string p in moved)
                {
                    Entries.Add(e.Path + p[e.OldPath!.Length..]);
                }

                break;
        }
    }

    private void RemoveWithChildren(string path)
    {
        Entries.Remove(path);
        Entries.RemoveWhere(p => p.StartsWith(path + "/", StringComparison.Ordinal));
    }

    public override string ToString() => root;
}

/// <summary>Changes a /proc/sys/fs/inotify limit for the length of a test (CI runs as root), and restores it.</summary>
internal sealed class SysctlOverride : IDisposable
{
    private readonly string file;
    private readonly string original;

    public SysctlOverride(string name, long value)
    {
        file = "/proc/sys/fs/inotify/" + name;
        original = File.ReadAllText(file).Trim();
        File.WriteAllText(file, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => File.WriteAllText(file, original);
}

/// <summary>Tests that change a system-wide inotify limit must not run beside other inotify tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SystemLimitsCollection
{
    public const string Name = "System-wide inotify limits";
}
