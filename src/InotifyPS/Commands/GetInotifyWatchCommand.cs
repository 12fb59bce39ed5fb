using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Get-InotifyWatch: the watches of a watcher (or of every watcher of the session): single watches and recursive watches.</summary>
[Cmdlet(VerbsCommon.Get, "InotifyWatch")]
[OutputType(typeof(InotifyWatch), typeof(RecursiveWatch))]
public sealed class GetInotifyWatchCommand : InotifyCmdlet
{
    /// <summary>The watchers; all of the session's watchers when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public InotifyWatcher[]? Watcher { get; set; }

    /// <summary>Only watches whose path (or recursive root) is this path, or else matches it as a wildcard pattern.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IEnumerable<InotifyWatcher> watchers = Watcher ?? SessionWatchers.Snapshot().Select(r => r.Watcher);

        // The directories of a recursive watch are shown through their RecursiveWatch, not one by one.
        List<object> all = [.. watchers.Where(IsUsable).SelectMany(ListedWatches)];
        if (Path is null)
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }

        var chosen = new HashSet<object>();
        foreach (string path in Path)
        {
            chosen.UnionWith(MatchPaths(all, WatchedPath, path, literal: false) ?? []);
        }

        WriteObject(all.Where(chosen.Contains), enumerateCollection: true);
    }
}
