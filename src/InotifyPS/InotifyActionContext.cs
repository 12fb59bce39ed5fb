using System.ComponentModel;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// <c>$Event</c> inside a New-InotifyWatcher -Action handler, shaped like the <c>$Event</c> of
/// Register-EngineEvent -Action: <c>$Event.SourceEventArgs</c> is the event being handled (also <c>$_</c>),
/// <c>$Event.MessageData</c> is -MessageData, <c>$Event.Sender</c> the watcher.
/// </summary>
public sealed class InotifyActionContext
{
    private readonly ActionLane lane;
    private readonly InotifyActionJob job;

    internal InotifyActionContext(ActionLane lane, InotifyActionJob job, InotifyWatcher watcher, string? sourceIdentifier, PSObject? messageData, int runspaceIndex)
    {
        this.lane = lane;
        this.job = job;
        Sender = watcher;
        SourceIdentifier = sourceIdentifier;
        MessageData = messageData;
        RunspaceIndex = runspaceIndex;
    }

    /// <summary>The event being handled (the same object as <c>$_</c>), or null between events.</summary>
    public InotifyEvent? SourceEventArgs => lane.Current;

    /// <summary>The watcher.</summary>
    public InotifyWatcher Sender { get; }

    /// <summary>New-InotifyWatcher's -SourceIdentifier, or null.</summary>
    public string? SourceIdentifier { get; }

    /// <summary>New-InotifyWatcher's -MessageData: the same object in every handler runspace.</summary>
    public PSObject? MessageData { get; }

    /// <summary>Which of the -ThrottleLimit handler runspaces this is (0 to N-1).</summary>
    public int RunspaceIndex { get; }

    /// <summary>The handler's job (Get-Job shows it).</summary>
    public InotifyActionJob Job => job;

    /// <summary>Called by the handler's own script when the action throws: counts and keeps the error. Not for use in actions.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Fail(ErrorRecord errorRecord)
    {
        ArgumentNullException.ThrowIfNull(errorRecord);
        lane.MarkFailed();
        if (lane.Current is { } e)
        {
            errorRecord.ErrorDetails = new ErrorDetails(
                $"{errorRecord.Exception?.Message ?? errorRecord.ToString()} (handling {e.Kind} '{e.Path}', Sequence {e.Sequence})");
        }

        job.AddError(errorRecord);
    }
}
