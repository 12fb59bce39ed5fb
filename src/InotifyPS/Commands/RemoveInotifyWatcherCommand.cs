using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Remove-InotifyWatcher: stops a watcher's forwarding, disposes it and removes it from the session.</summary>
[Cmdlet(VerbsCommon.Remove, "InotifyWatcher", DefaultParameterSetName = "Watcher", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class RemoveInotifyWatcherCommand : InotifyCmdlet
{
    /// <summary>The watchers to dispose.</summary>
    [Parameter(ParameterSetName = "Watcher", Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public InotifyWatcher[] Watcher { get; set; } = [];

    /// <summary>The ids of the session's watchers to dispose; also from the Id property of piped objects.</summary>
    [Parameter(ParameterSetName = "Id", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(WatcherIdCompleter))]
    public int[] Id { get; set; } = [];

    /// <summary>The source identifiers of the session's watchers to dispose (an exact name wins, else wildcards).</summary>
    [Parameter(ParameterSetName = "SourceIdentifier", Mandatory = true)]
    [ArgumentCompleter(typeof(SourceIdentifierCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] SourceIdentifier { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (InotifyWatcher watcher in Watcher.Concat(SelectWatchers(Id, SourceIdentifier)).Distinct())
        {
            string description = WatcherRegistry.Find(watcher)?.SourceIdentifier is { } s ? $"#{watcher.Id} ({s})" : $"#{watcher.Id}";
            if (ShouldProcess(description, "Dispose inotify watcher"))
            {
                SessionWatchers.Remove(watcher);
            }
        }
    }
}
