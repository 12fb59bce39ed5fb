using System.Globalization;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>An -Action subscriber that failed, and what it cost.</summary>
/// <param name="Job">The subscriber's job (Get-Job shows it as Failed).</param>
/// <param name="Message">What the action threw.</param>
/// <param name="FailedSequence">The Sequence of the event (or the last event of the batch) it failed on; 0 if unknown.</param>
internal sealed record ActionFailure(Job Job, string Message, long FailedSequence);

/// <summary>
/// Watches the -Action subscribers of one source identifier. PowerShell marks an -Action's job Failed the first
/// time the action throws and never runs it again, while the events keep being queued for it and then skipped:
/// without this, every later event would vanish with no sign. The first failure is kept; while a failed -Action is
/// still subscribed the forwarding target reports itself blocked.
/// </summary>
internal sealed class SubscriberWatch(PSEventManager events, string sourceIdentifier)
{
    // How often the forwarder's thread looks for new subscribers to hook (failures themselves are reported at once).
    private const long PollMilliseconds = 20;

    private readonly HashSet<Job> hooked = new(ReferenceEqualityComparer.Instance);
    private ActionFailure? failure;
    private int blocked;
    private long nextPoll;

    /// <summary>Raised, on the thread where PowerShell failed the job, when an -Action fails (first failure only).</summary>
    public event Action<ActionFailure>? Failed;

    /// <summary>The first failure seen, or null.</summary>
    public ActionFailure? Failure => Volatile.Read(ref failure);

    /// <summary>True while a failed -Action is subscribed to the source identifier.</summary>
    public bool IsBlocked => Volatile.Read(ref blocked) != 0;

    /// <summary>Hooks subscribers registered since the last poll, and notices a failed one being removed. Throttled; any thread.</summary>
    public void Poll(bool force = false)
    {
        long now = Environment.TickCount64;
        if (!force && now < Volatile.Read(ref nextPoll))
        {
            return;
        }

        Volatile.Write(ref nextPoll, now + PollMilliseconds);
        bool anyFailed = false;
        foreach (PSEventSubscriber s in events.GetEventSubscribers(sourceIdentifier))
        {
            if (s.Action is not Job job)
            {
                continue;
            }

            lock (hooked)
            {
                if (hooked.Add(job))
                {
                    job.StateChanged += OnStateChanged;
                }
            }

            if (job.JobStateInfo.State == JobState.Failed)
            {
                anyFailed = true;
                Record(job);
            }
        }

        Volatile.Write(ref blocked, anyFailed ? 1 : 0);
    }

    /// <summary>Unhooks every subscriber's job.</summary>
    public void Close()
    {
        lock (hooked)
        {
            foreach (Job job in hooked)
            {
                job.StateChanged -= OnStateChanged;
            }

            hooked.Clear();
        }
    }

    // PowerShell raises this on the pipeline thread, inside the failing action's invocation: the action's $Event
    // still holds the event it failed on, and no later action has run yet.
    private void OnStateChanged(object? sender, JobStateEventArgs e)
    {
        if (e.JobStateInfo.State == JobState.Failed && sender is Job job)
        {
            Volatile.Write(ref blocked, 1);
            Record(job);
        }
    }

    private void Record(Job job)
    {
        if (Volatile.Read(ref failure) is not null)
        {
            return;
        }

        var found = new ActionFailure(job, MessageOf(job), SequenceOf(job));
        if (Interlocked.CompareExchange(ref failure, found, null) is null)
        {
            Failed?.Invoke(found);
        }
    }

    private static string MessageOf(Job job)
    {
        PSDataCollection<ErrorRecord> errors = job.Error;
        ErrorRecord? last = errors.Count > 0 ? errors[errors.Count - 1] : null;
        return last?.Exception?.Message ?? job.JobStateInfo.Reason?.Message ?? "(no error recorded)";
    }

    private static long SequenceOf(Job job)
    {
        try
        {
            object? e = (job as PSEventJob)?.Module?.SessionState.PSVariable.GetValue("event");
            return (e as PSEventArgs)?.SourceEventArgs switch
            {
                InotifyEvent single => single.Sequence,
                InotifyEventBatch batch => batch.Span.Last,
                _ => 0,
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or PSInvalidOperationException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>The text ForwardingError shows for a failure.</summary>
    public static string Describe(ActionFailure f, string sourceIdentifier, long lost) =>
        string.Format(CultureInfo.InvariantCulture,
            "The -Action of the subscriber to '{0}' (job {1}, '{2}') failed{3}: {4}{5} PowerShell never runs an -Action again once it " +
            "failed, so {6} event(s) forwarded after that were not handled. Forwarding pauses while a failed -Action is subscribed " +
            "(the watcher's queue fills, then drops are counted and marked); Unregister-Event -SourceIdentifier '{0}' and register " +
            "a working one to resume. Receive-Job {1} shows the error.",
            sourceIdentifier, f.Job.Id, f.Job.Name,
            f.FailedSequence > 0 ? string.Create(CultureInfo.InvariantCulture, $" on the event with Sequence {f.FailedSequence}") : string.Empty,
            f.Message.TrimEnd(), f.Message.TrimEnd().EndsWith('.') ? string.Empty : ".", lost);
}
