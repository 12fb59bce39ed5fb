using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>Get-InotifyEvent: takes the events a watcher has queued now, without waiting.</summary>
[Cmdlet(VerbsCommon.Get, "InotifyEvent")]
[OutputType(typeof(InotifyEvent))]
public sealed class GetInotifyEventCommand : InotifyCmdlet
{
    /// <summary>The watcher to read from.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public InotifyWatcher Watcher { get; set; } = null!;

    /// <summary>Take at most this many events; the rest stay queued.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxCount { get; set; } = int.MaxValue;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (!IsUsable(Watcher) || !IsReadable(Watcher))
        {
            return;
        }

        var events = new List<InotifyEvent>();
        try
        {
            Watcher.ReadAvailable(events, MaxCount);
        }
        catch (ObjectDisposedException e)
        {
            WriteError(Errors.FromException(e, Watcher));
        }

        WriteObject(events, enumerateCollection: true);
    }
}
