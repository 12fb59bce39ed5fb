using System.Globalization;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// The job of a watcher's -Action handler, in the session's job list like the job of Register-ObjectEvent -Action
/// or Start-ThreadJob: Get-Job shows it, Receive-Job returns what the handler wrote (output, errors, warnings,
/// information), Stop-Job stops the handler and disposes its watcher, Wait-Job waits for it to end.
/// </summary>
/// <remarks>
/// Every stream is bounded: beyond <see cref="OutputLimit"/> output objects (or <see cref="StreamLimit"/> records of
/// another stream) that nobody received, new ones are counted in <see cref="DiscardedOutputCount"/> or
/// <see cref="DiscardedErrorCount"/> and not kept; receiving them makes room again. <see cref="ErrorCount"/> counts
/// every error the handler produced, kept or not.
/// </remarks>
public sealed class InotifyActionJob : Job
{
    /// <summary>Output objects kept until received.</summary>
    public const int OutputLimit = 10000;

    /// <summary>Records kept until received in each of the other streams (errors, warnings, information, ...).</summary>
    public const int StreamLimit = 1000;

    private readonly object gate = new();
    private readonly string location;
    private Func<(long Handled, long Failed, long Pending)>? counts;
    private Action? stop;
    private long errors;
    private long discardedOutput;
    private long discardedErrors;
    private long discardedOther;

    internal InotifyActionJob(string command, string name, InotifyWatcher watcher)
        : base(command, name)
    {
        Watcher = watcher;
        PSJobTypeName = "InotifyActionJob";
        location = string.Create(CultureInfo.InvariantCulture, $"inotify watcher #{watcher.Id}");
    }

    /// <summary>The watcher whose events the handler takes.</summary>
    public InotifyWatcher Watcher { get; }

    /// <summary>Events the handler finished without a terminating error.</summary>
    public long HandledCount => counts?.Invoke().Handled ?? 0;

    /// <summary>Events on which the handler threw a terminating error (each is also an error record).</summary>
    public long FailedCount => counts?.Invoke().Failed ?? 0;

    /// <summary>Events waiting for the handler (the watcher's queue, read-ahead, and the event under way).</summary>
    public long PendingCount => counts?.Invoke().Pending ?? 0;

    /// <summary>Every error the handler produced (terminating and not), including those not kept.</summary>
    public long ErrorCount => Interlocked.Read(ref errors);

    /// <summary>Output objects not kept because <see cref="OutputLimit"/> unreceived ones were waiting.</summary>
    public long DiscardedOutputCount => Interlocked.Read(ref discardedOutput);

    /// <summary>Error records not kept because <see cref="StreamLimit"/> unreceived ones were waiting.</summary>
    public long DiscardedErrorCount => Interlocked.Read(ref discardedErrors);

    /// <summary>Warning, verbose, debug, information and progress records not kept, for the same reason.</summary>
    public long DiscardedOtherCount => Interlocked.Read(ref discardedOther);

    /// <inheritdoc/>
    public override string StatusMessage
    {
        get
        {
            (long handled, long failed, long pending) = counts?.Invoke() ?? default;
            return string.Create(CultureInfo.InvariantCulture, $"{handled} handled, {failed} failed, {pending} pending");
        }
    }

    /// <inheritdoc/>
    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Information.Count > 0;

    /// <inheritdoc/>
    public override string Location => location;

    /// <summary>Stops the handler and disposes its watcher (as Remove-InotifyWatcher does).</summary>
    public override void StopJob() => stop?.Invoke();

    internal void Connect(Func<(long Handled, long Failed, long Pending)> countsSource, Action stopAction)
    {
        counts = countsSource;
        stop = stopAction;
    }

    /// <summary>Moves the job on, unless it already ended. A reason for Failed is also kept as an error record, where Receive-Job shows it.</summary>
    internal void SetState(JobState state, Exception? reason = null)
    {
        lock (gate)
        {
            if (IsFinished(JobStateInfo.State))
            {
                return;
            }

            if (reason is not null)
            {
                Reason = reason;
                AddErrorLocked(new ErrorRecord(reason, ErrorIds.ActionFailed, ErrorCategory.OperationStopped, Watcher));
            }
        }

        SetJobState(state);
    }

    /// <summary>Why the handler ended on its own (the job is then Failed), or null.</summary>
    public Exception? Reason { get; private set; }

    internal static bool IsFinished(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    internal void AddOutput(PSObject item) => Keep(Output, item, OutputLimit, ref discardedOutput);

    internal void AddError(ErrorRecord record)
    {
        lock (gate)
        {
            AddErrorLocked(record);
        }
    }

    private void AddErrorLocked(ErrorRecord record)
    {
        Interlocked.Increment(ref errors);
        Keep(Error, record, StreamLimit, ref discardedErrors);
    }

    internal void AddWarning(WarningRecord record) => Keep(Warning, record, StreamLimit, ref discardedOther);

    internal void AddVerbose(VerboseRecord record) => Keep(Verbose, record, StreamLimit, ref discardedOther);

    internal void AddDebug(DebugRecord record) => Keep(Debug, record, StreamLimit, ref discardedOther);

    internal void AddInformation(InformationRecord record) => Keep(Information, record, StreamLimit, ref discardedOther);

    internal void AddProgress(ProgressRecord record) => Keep(Progress, record, StreamLimit, ref discardedOther);

    // Only this class adds to the job's collections, under one lock, so the count it checks cannot grow meanwhile
    // (Receive-Job only takes items out).
    private void Keep<T>(PSDataCollection<T> collection, T item, int limit, ref long discarded)
    {
        lock (gate)
        {
            if (collection.IsOpen && collection.Count < limit)
            {
                collection.Add(item);
                return;
            }
        }

        Interlocked.Increment(ref discarded);
    }
}
