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
