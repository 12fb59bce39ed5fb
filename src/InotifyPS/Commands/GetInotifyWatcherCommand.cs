using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Get-InotifyWatcher: the watchers New-InotifyWatcher made in this session.</summary>
[Cmdlet(VerbsCommon.Get, "InotifyWatcher", DefaultParameterSetName = "All")]
[OutputType(typeof(InotifyWatcher))]
public sealed class GetInotifyWatcherCommand : InotifyCmdlet
{
    /// <summary>Only the watchers with these ids.</summary>
    [Parameter(ParameterSetName = "Id", Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(WatcherIdCompleter))]
    public int[] Id { get; set; } = [];

    /// <summary>Only the watchers forwarding under these source identifiers (an exact name wins, else wildcards).</summary>
    [Parameter(ParameterSetName = "SourceIdentifier", Mandatory = true)]
    [ArgumentCompleter(typeof(SourceIdentifierCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] SourceIdentifier { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IEnumerable<InotifyWatcher> watchers = ParameterSetName switch
        {
            "Id" => SelectWatchers(Id, []),
            "SourceIdentifier" => SelectWatchers([], SourceIdentifier),
            _ => SessionWatchers.Snapshot().Select(r => r.Watcher),
        };
        WriteObject(watchers, enumerateCollection: true);
    }
}
