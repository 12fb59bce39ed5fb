using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Wait-InotifyEvent: writes events to the pipeline as they arrive, from a watcher or from paths it watches itself
/// (that watcher is disposed when the command ends, however it ends).
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "InotifyEvent", DefaultParameterSetName = "Path")]
[OutputType(typeof(InotifyEvent))]
public sealed class WaitInotifyEventCommand : InotifyCmdlet
{
    private InotifyWatcher? own;
    private WatchSpec? spec;
    private EventSelection? selection;
    private int written;

    /// <summary>The watcher to read from.</summary>
    [Parameter(ParameterSetName = "Watcher", Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public InotifyWatcher Watcher { get; set; } = null!;

    /// <summary>Paths to watch for the duration of the command; wildcards are expanded.</summary>
    [Parameter(ParameterSetName = "Path", Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Paths to watch for the duration of the command, taken literally.</summary>
    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The events to report; with -Watcher, the kinds to write (others are read and passed over).</summary>
    [Parameter]
    [ValidateEventMask]
    public InotifyEventMask Event { get; set; } = InotifyEventMask.All;

    /// <summary>Watch whole directory trees, including directories created later.</summary>
    [Parameter(ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "LiteralPath")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Report only entries matching these wildcards (PowerShell's, case-insensitive).</summary>
    [Parameter]
    public string[]? Include { get; set; }

    /// <summary>Ignore entries matching these wildcards (with -Recurse, excluded directories are not watched).</summary>
    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>With -Event Ready: report the files already there (Source Scan) once they are ready, then the new ones.</summary>
    [Parameter(ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "LiteralPath")]
    public SwitchParameter IncludeExisting { get; set; }

    /// <summary>With -Event Ready: how long, in seconds (fractions allowed), a written file must stay quiet before it is Ready.</summary>
    [Parameter(ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "LiteralPath")]
    [ValidateRange(0.0, 3600.0)]
    public double Settle { get; set; } = ReadinessSettings.DefaultSettleSeconds;

    /// <summary>With -Event Ready: after this many seconds a file still not complete is reported once (ReadyReason MaxWaitExceeded); -1 never.</summary>
    [Parameter(ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "LiteralPath")]
    [ValidateRange(-1.0, double.MaxValue)]
    public double MaxWait { get; set; } = ReadinessSettings.DefaultMaxWaitSeconds;

    /// <summary>With -Event Ready: names (wildcards) that are never Ready; their rename to a final name is. Replaces the default list.</summary>
    [Parameter(ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "LiteralPath")]
    public string[]? TemporaryName { get; set; }

    /// <summary>Stop after this many events.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>Stop after this many seconds (fractions allowed); -1 waits for ever. A timeout writes nothing.</summary>
    [Parameter]
    [ValidateTimeout]
    public double Timeout { get; set; } = -1;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        spec = NewSpec(Event, WatchFlags.None, Recurse, Include, Exclude, IncludeExisting);
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Watcher")
        {
            if (IsUsable(Watcher) && IsReadable(Watcher))
            {
                // A watcher's events pass the -Event, -Include and -Exclude given here (or in $PSDefaultParameterValues).
                bool filtered = MyInvocation.BoundParameters.ContainsKey(nameof(Event)) || spec!.HasFilter;
                Drain(Watcher, new EventSelection(filtered ? Event : null, spec!.Filter ?? PathFilter.None, ownWatcher: false));
            }

            return;
        }

        bool literal = ParameterSetName == "LiteralPath";
        foreach (string path in ResolvePaths(literal ? LiteralPath : Path, literal))
        {
            if (OwnWatcher(path) is { } watcher && AddWatch(watcher, path, spec!) is RecursiveWatch tree)
            {
                // These were just written as errors; the engine's WatchFailed events for them are not written again.
                selection!.AlreadyReported.UnionWith(tree.UnwatchedDirectories.Select(u => u.Path));
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        // Nothing to wait for when every path failed: the errors are already written.
        if (own is not null && (own.WatchCount > 0 || own.QueuedCount > 0))
        {
            Drain(own, selection!);
        }
    }

    /// <summary>Releases the command's own watcher, also after Ctrl+C or a satisfied Select-Object -First.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            own?.Dispose();
        }

        base.Dispose(disposing);
    }

    private InotifyWatcher? OwnWatcher(string path)
    {
        try
        {
            selection ??= new EventSelection(Event, PathFilter.None, ownWatcher: true);
            return own ??= new InotifyWatcher(new InotifyWatcherOptions { Readiness = ReadinessSettings.From(Settle, MaxWait, TemporaryName) });
        }
        catch (InotifyException e)
        {
            ThrowTerminatingError(Errors.FromException(e, path));
            return null;
        }
    }

    private void Drain(InotifyWatcher watcher, EventSelection select)
    {
        if (Count > 0 && written >= Count)
        {
            return;
        }

        try
        {
            foreach (InotifyEvent e in EventReader.Read(watcher, 0, EventReader.TimeoutFromSeconds(Timeout), StopToken))
            {
                EventDecision decision = select.Decide(e);
                if (decision == EventDecision.Write)
                {
                    WriteObject(e);
                    written++;
                    if (Count > 0 && written >= Count)
                    {
                        return;
                    }
                }

                // Everything the command watched has ended (deleted, unmounted) and every event of it is read.
                if (select.OwnWatcher && watcher.WatchCount == 0 && watcher.QueuedCount == 0)
                {
                    WriteError(Errors.Create(ErrorIds.NothingLeftToWatch, ErrorCategory.ResourceUnavailable, e.Path,
                        EventSelection.Explain(e) + " Nothing is left to watch, so Wait-InotifyEvent ends."));
                    return;
                }

                if (decision == EventDecision.Explain)
                {
                    WriteWarning(EventSelection.Explain(e));
                }
            }
        }
        catch (ObjectDisposedException e) when (!StopToken.IsCancellationRequested)
        {
            WriteError(Errors.FromException(e, watcher));
        }
    }
}
