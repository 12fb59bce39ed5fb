using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Remove-InotifyWatch: ends watches, given as objects (Get-InotifyWatch) or by path. Events already queued are still delivered.</summary>
[Cmdlet(VerbsCommon.Remove, "InotifyWatch", DefaultParameterSetName = "Watch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class RemoveInotifyWatchCommand : InotifyCmdlet
{
    /// <summary>Watches to remove.</summary>
    [Parameter(ParameterSetName = "Watch", Mandatory = true, ValueFromPipeline = true)]
    public InotifyWatch[] Watch { get; set; } = [];

    /// <summary>Recursive watches to remove, with all their directories.</summary>
    [Parameter(ParameterSetName = "RecursiveWatch", Mandatory = true, ValueFromPipeline = true)]
    public RecursiveWatch[] RecursiveWatch { get; set; } = [];

    /// <summary>The watcher whose watches -Path or -LiteralPath name.</summary>
    [Parameter(ParameterSetName = "Path", Mandatory = true, ValueFromPipeline = true)]
    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public InotifyWatcher Watcher { get; set; } = null!;

    /// <summary>Watched paths (or recursive roots) to stop watching; a path watched exactly wins, else it is a wildcard pattern.</summary>
    [Parameter(ParameterSetName = "Path", Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Watched paths (or recursive roots) to stop watching, taken literally.</summary>
    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var targets = new List<object>();
        targets.AddRange(Watch);
        targets.AddRange(RecursiveWatch);
        bool literal = ParameterSetName == "LiteralPath";
        string[] paths = ParameterSetName == "Path" ? Path : literal ? LiteralPath : [];
        if (paths.Length > 0 && !IsUsable(Watcher))
        {
            return;
        }

        List<object> watched = paths.Length > 0 ? ListedWatches(Watcher) : [];
        foreach (string path in paths)
        {
            if (MatchPaths(watched, WatchedPath, path, literal) is not { } matches)
            {
                continue;
            }

            if (matches.Count == 0)
            {
                WriteError(Errors.Create(ErrorIds.WatchNotFound, ErrorCategory.ObjectNotFound, path, $"The watcher has no watch on '{path}'."));
            }

            targets.AddRange(matches);
        }

        foreach (object target in targets.Distinct())
        {
            try
            {
                if (target is InotifyWatch w && ShouldProcess(w.Path, "Remove inotify watch"))
                {
                    w.Remove();
                }
                else if (target is RecursiveWatch t && ShouldProcess(t.RootPath, "Remove recursive inotify watch"))
                {
                    t.Remove();
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or InotifyException or IOException)
            {
                WriteError(Errors.FromException(e, target));
            }
        }
    }
}
