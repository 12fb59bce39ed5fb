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

    /// <summary>Watched paths (or recursive roots) to stop watching; wildcards match the watched paths.</summary>
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
        foreach (string path in ParameterSetName == "Path" ? Path : literal ? LiteralPath : [])
        {
            if (PathMatcher(path, literal) is not { } matches)
            {
                continue;
            }

            int before = targets.Count;
            targets.AddRange(Watcher.Watches.Where(w => w.Tree is null && w.IsActive && matches(w.Path)));
            targets.AddRange(Watcher.RecursiveWatches.Where(t => matches(t.RootPath)));
            if (targets.Count == before)
            {
                WriteError(Errors.Create(ErrorIds.WatchNotFound, ErrorCategory.ObjectNotFound, path, $"The watcher has no watch on '{path}'."));
            }
        }

        foreach (object target in targets.Distinct())
        {
            try
            {
                if (target is InotifyWatch w && ShouldProcess(w.Path, "Remove inotify watch"))
                {
                    w.Watcher.Remove(w);
                }
                else if (target is RecursiveWatch t && ShouldProcess(t.RootPath, "Remove recursive inotify watch"))
                {
                    t.Watcher.Remove(t);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or InotifyException or IOException)
            {
                WriteError(Errors.FromException(e, target));
            }
        }
    }
}
