using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>New-InotifyWatcher: a watcher registered in the session, optionally with its first watches and engine-event forwarding.</summary>
[Cmdlet(VerbsCommon.New, "InotifyWatcher", DefaultParameterSetName = "Path")]
[OutputType(typeof(InotifyWatcher))]
public sealed class NewInotifyWatcherCommand : InotifyCmdlet
{
    private InotifyWatcher? watcher;
    private WatchSpec spec = null!;
    private bool completed;
    private bool pathsGiven;
    private ActionScript? actionScript;

    /// <summary>Paths to watch; wildcards are expanded.</summary>
    [Parameter(ParameterSetName = "Path", Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Paths to watch, taken literally.</summary>
    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The events to report.</summary>
    [Parameter]
    [ValidateEventMask]
    public InotifyEventMask Event { get; set; } = InotifyEventMask.All;

    /// <summary>Watch whole directory trees, including directories created later.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Report only entries matching these wildcards (PowerShell's, case-insensitive).</summary>
    [Parameter]
    public string[]? Include { get; set; }

    /// <summary>Ignore entries matching these wildcards (with -Recurse, excluded directories are not watched).</summary>
    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>With Ready in -Event: report the files already there (Source Scan) once they are ready, then the new ones.</summary>
    [Parameter]
    public SwitchParameter IncludeExisting { get; set; }

    /// <summary>With Ready in -Event: how long, in seconds (fractions allowed), a written file must stay quiet before it is Ready.</summary>
    [Parameter]
    [ValidateRange(0.0, 3600.0)]
    public double Settle { get; set; } = ReadinessSettings.DefaultSettleSeconds;

    /// <summary>With Ready in -Event: after this many seconds a file still not complete is reported once (ReadyReason MaxWaitExceeded); -1 never.</summary>
    [Parameter]
    [ValidateRange(-1.0, double.MaxValue)]
    public double MaxWait { get; set; } = ReadinessSettings.DefaultMaxWaitSeconds;

    /// <summary>With Ready in -Event: names (wildcards) that are never Ready; their rename to a final name is. Replaces the default list.</summary>
    [Parameter]
    public string[]? TemporaryName { get; set; }

    /// <summary>Forward every event to the session's engine event queue under this identifier.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceIdentifier { get; set; }

    /// <summary>With -SourceIdentifier: passed as $Event.MessageData.</summary>
    [Parameter]
    public PSObject? MessageData { get; set; }

    /// <summary>With -SourceIdentifier: forward up to this many events as one engine event ($Event.SourceEventArgs.Events).</summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int BatchSize { get; set; } = 1;

    /// <summary>How many events may wait to be read; beyond it they are dropped, counted and marked.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int QueueCapacity { get; set; } = InotifyWatcherOptions.DefaultQueueCapacity;

    /// <summary>Report a rename as MovedFrom and MovedTo rather than one Renamed event.</summary>
    [Parameter]
    public SwitchParameter NoRenamePairing { get; set; }

    /// <summary>Handle every event with this script block ($_ is the event), in runspaces of the watcher's own.</summary>
    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? Action { get; set; }

    /// <summary>With -Action: arguments for the action's param() block.</summary>
    [Parameter]
    [Alias("Args")]
    public object[]? ArgumentList { get; set; }

    /// <summary>With -Action: how many runspaces handle events in parallel (events of one path always in the same one).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        spec = NewSpec(Event, WatchFlags.None, Recurse, Include, Exclude, IncludeExisting);
        bool handled = SourceIdentifier is not null || Action is not null;
        if (!handled && (MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) || MyInvocation.BoundParameters.ContainsKey(nameof(MessageData))))
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null,
                "-BatchSize and -MessageData shape the engine events of -SourceIdentifier (-MessageData also reaches an -Action); without either, read the watcher with Wait-InotifyEvent or Get-InotifyEvent."));
        }

        if (SourceIdentifier is not null && SessionWatchers.FindBySourceIdentifier(SourceIdentifier) is not null)
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.SourceIdentifierInUse, ErrorCategory.ResourceExists, SourceIdentifier,
                $"An inotify watcher of this session already forwards its events as '{SourceIdentifier}'. Remove it first, or choose another identifier."));
        }

        actionScript = PrepareAction();
        try
        {
            watcher = new InotifyWatcher(new InotifyWatcherOptions
            {
                QueueCapacity = QueueCapacity,
                PairRenames = !NoRenamePairing,
                Readiness = ReadinessSettings.From(Settle, MaxWait, TemporaryName),
            });
        }
        catch (InotifyException e)
        {
            ThrowTerminatingError(Errors.FromException(e, null));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == "LiteralPath";
        string[]? paths = literal ? LiteralPath : Path;
        pathsGiven |= paths is { Length: > 0 };
        foreach (string path in ResolvePaths(paths, literal))
        {
            AddWatch(watcher!, path, spec);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        // Paths were given and none could be watched (the errors say why): a watcher watching nothing would only
        // hold an inotify instance, a thread and its source identifier.
        if (pathsGiven && watcher!.WatchCount == 0)
        {
            return;
        }

        WatcherRegistration registration = actionScript is not null
            ? CreateActionRegistration(actionScript)
            : SourceIdentifier is null
            ? new WatcherRegistration(watcher!)
            : Forwarding.Create(watcher!, Events, SourceIdentifier, MessageData, BatchSize);
        try
        {
            SessionWatchers.Add(registration);
        }
        catch (InvalidOperationException e)
        {
            registration.Dispose();
            ThrowTerminatingError(Errors.Create(ErrorIds.SourceIdentifierInUse, ErrorCategory.ResourceExists, SourceIdentifier, e.Message));
        }

        registration.Forwarder?.Start();
        if (registration.Handler is ActionHandler handler)
        {
            JobRepository.Add(handler.Job);
            handler.Start();
        }

        completed = true;
        WriteObject(watcher);
    }

    /// <summary>Disposes the watcher if the command did not finish (an error, Ctrl+C, or no path could be watched).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !completed)
        {
            watcher?.Dispose();
        }

        base.Dispose(disposing);
    }

    // -Action's own parameters need it, and it takes the events instead of engine events, so not with -BatchSize.
    private ActionScript? PrepareAction()
    {
        if (Action is null)
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(ArgumentList)) || MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)))
            {
                ThrowTerminatingError(Errors.Create(ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null,
                    "-ArgumentList and -ThrottleLimit apply to -Action: give an -Action script block, or leave them out."));
            }

            return null;
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)))
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null,
                "-BatchSize applies to engine events; an -Action takes the events one at a time as $_. Leave out one of them."));
        }

        try
        {
            return ActionScript.Create(Action, SessionState);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Action));
            return null;
        }
    }

    private WatcherRegistration CreateActionRegistration(ActionScript script)
    {
        WatcherRegistry registry = SessionWatchers;
        InotifyWatcher w = watcher!;
        var options = new ActionOptions(
            script,
            Action!.ToString(),
            SourceIdentifier ?? $"InotifyWatcher{w.Id}",
            ArgumentList ?? [],
            MessageData,
            SourceIdentifier,
            ThrottleLimit,
            ActionHandler.ModuleManifestPath,
            SessionState.Path.CurrentFileSystemLocation?.ProviderPath,
            SessionState.LanguageMode);
        try
        {
            return new WatcherRegistration(w, SourceIdentifier) { Handler = ActionHandler.Create(w, options, () => registry.Remove(w)) };
        }
        catch (InvalidOperationException e)
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.ActionFailed, ErrorCategory.OpenError, Action, e.Message, e));
            return null!;
        }
    }
}
