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
    public int[] Id { get; set; } = [];

    /// <summary>Only the watchers forwarding under these source identifiers (wildcards allowed).</summary>
    [Parameter(ParameterSetName = "SourceIdentifier", Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] SourceIdentifier { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<WatcherRegistration> all = SessionWatchers.Snapshot();
        switch (ParameterSetName)
        {
            case "Id":
                WriteObject(Select(all, Id.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), r => r.Watcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), enumerateCollection: true);
                break;
            case "SourceIdentifier":
                WriteObject(Select(all, SourceIdentifier, r => r.SourceIdentifier), enumerateCollection: true);
                break;
            default:
                WriteObject(all.Select(r => r.Watcher), enumerateCollection: true);
                break;
        }
    }

    // Like Get-Process: a wildcard that matches nothing is quiet, a plain name that matches nothing is an error.
    private List<InotifyWatcher> Select(IReadOnlyList<WatcherRegistration> all, IEnumerable<string> names, Func<WatcherRegistration, string?> key)
    {
        var found = new List<InotifyWatcher>();
        foreach (string name in names)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            List<InotifyWatcher> matches = [.. all.Where(r => key(r) is { } k && pattern.IsMatch(k)).Select(r => r.Watcher)];
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(Errors.Create(ErrorIds.WatcherNotFound, ErrorCategory.ObjectNotFound, name, $"This session has no inotify watcher '{name}'."));
            }

            found.AddRange(matches.Where(m => !found.Contains(m)));
        }

        return found;
    }
}
