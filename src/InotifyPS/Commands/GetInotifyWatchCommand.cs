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

    /// <summary>Only watches whose path (or recursive root) matches these wildcards.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        List<Func<string, bool>>? filters = Path?.Select(p => PathMatcher(p, literal: false)).OfType<Func<string, bool>>().ToList();
        if (filters is { Count: 0 })
        {
            return;
        }

        IEnumerable<InotifyWatcher> watchers = Watcher ?? SessionWatchers.Snapshot().Select(r => r.Watcher);
        foreach (InotifyWatcher watcher in watchers)
        {
            // The directories of a recursive watch are shown through their RecursiveWatch, not one by one.
            IEnumerable<object> watches = watcher.Watches.Where(w => w.Tree is null && w.IsActive).OrderBy(w => w.Descriptor)
                .Concat<object>(watcher.RecursiveWatches);
            foreach (object watch in watches)
            {
                string path = watch is InotifyWatch w ? w.Path : ((RecursiveWatch)watch).RootPath;
                if (filters is null || filters.Exists(f => f(path)))
                {
                    WriteObject(watch);
                }
            }
        }
    }
}
