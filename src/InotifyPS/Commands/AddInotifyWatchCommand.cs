using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Add-InotifyWatch: adds files or directories (or, with -Recurse, directory trees) to a watcher.</summary>
[Cmdlet(VerbsCommon.Add, "InotifyWatch", DefaultParameterSetName = "Path")]
[OutputType(typeof(InotifyWatch), typeof(RecursiveWatch))]
public sealed class AddInotifyWatchCommand : InotifyCmdlet
{
    /// <summary>The watcher to add to.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public InotifyWatcher Watcher { get; set; } = null!;

    /// <summary>Paths to watch; wildcards are expanded.</summary>
    [Parameter(ParameterSetName = "Path", Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Paths to watch, taken literally.</summary>
    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The events to report.</summary>
    [Parameter]
    [ValidateEventMask]
    public InotifyEventMask Event { get; set; } = InotifyEventMask.All;

    /// <summary>Watch whole directory trees, including directories created later.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Fail with NotADirectory unless the path is a directory (IN_ONLYDIR).</summary>
    [Parameter]
    public SwitchParameter OnlyDirectory { get; set; }

    /// <summary>Watch a symbolic link itself, not its target (IN_DONT_FOLLOW).</summary>
    [Parameter]
    public SwitchParameter NoFollow { get; set; }

    /// <summary>Report one event, then end the watch (IN_ONESHOT).</summary>
    [Parameter]
    public SwitchParameter OneShot { get; set; }

    /// <summary>Add the events to an existing watch of the same object instead of replacing its mask (IN_MASK_ADD).</summary>
    [Parameter]
    public SwitchParameter Merge { get; set; }

    /// <summary>Fail with AlreadyWatched if the object is already watched (IN_MASK_CREATE).</summary>
    [Parameter]
    public SwitchParameter Exclusive { get; set; }

    /// <summary>Report only entries matching these wildcards (PowerShell's, case-insensitive).</summary>
    [Parameter]
    public string[]? Include { get; set; }

    /// <summary>Ignore entries matching these wildcards (with -Recurse, excluded directories are not watched).</summary>
    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>With Ready in -Event: report the files already there (Source Scan) once they are ready, then the new ones.</summary>
    [Parameter]
    public SwitchParameter IncludeExisting { get; set; }

    /// <summary>Write the new watches to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        WatchSpec spec = NewSpec(Event, WatchSpec.FlagsFrom(OnlyDirectory, NoFollow, OneShot, Merge, Exclusive), Recurse, Include, Exclude, IncludeExisting);
        if (!IsUsable(Watcher))
        {
            return;
        }

        bool literal = ParameterSetName == "LiteralPath";
        foreach (string path in ResolvePaths(literal ? LiteralPath : Path, literal))
        {
            if (AddWatch(Watcher, path, spec) is { } watch && PassThru)
            {
                WriteObject(watch);
            }
        }
    }
}
