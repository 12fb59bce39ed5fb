using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Inotify;

namespace InotifyPS;

/// <summary>What New-InotifyWatcher -Action asks for.</summary>
internal sealed record ActionOptions(
    ActionScript Script,
    string Command,
    string JobName,
    object[] ArgumentList,
    PSObject? MessageData,
    string? SourceIdentifier,
    int ThrottleLimit,
    string ModulePath,
    string? Location,
    PSLanguageMode LanguageMode);

/// <summary>
/// A watcher's -Action handler: runspaces of its own, each running one long-running pipeline over its lane of events,
/// so PowerShell's event checkpoints of the session never limit it. Disposing stops the pipelines (an action in
/// Start-Sleep included), closes the runspaces and ends the job.
/// </summary>
internal sealed class ActionHandler : IWatcherHandler
{
    // Dispose waits this long for the pipelines to stop; an action stuck in a call PowerShell cannot stop is
    // left to end on its own, and its runspace is closed then.
    private static readonly TimeSpan StopPatience = TimeSpan.FromMilliseconds(800);

    private readonly InotifyWatcher watcher;
    private readonly ActionDispatch dispatch;
    private readonly List<Runner> runners = [];
    private int disposed;
    private int running;
    private Exception? fault;

    private ActionHandler(InotifyWatcher watcher, ActionOptions options)
    {
        this.watcher = watcher;
        dispatch = new ActionDispatch(watcher, options.ThrottleLimit);
        Job = new InotifyActionJob(options.Command, options.JobName, watcher);
    }

    /// <summary>The module the handler runspaces import: this one, as it was loaded.</summary>
    public static string ModuleManifestPath
    {
        get
        {
            string dll = typeof(ActionHandler).Assembly.Location;
            string manifest = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(dll) ?? ".", "InotifyPS.psd1");
            return File.Exists(manifest) ? manifest : dll;
        }
    }

    public InotifyActionJob Job { get; }

    object IWatcherHandler.Job => Job;

    public long HandledCount => dispatch.HandledCount;

    public long FailedCount => dispatch.FailedCount;

    public long PendingCount => dispatch.PendingCount;

    /// <summary>Why the handler ended on its own (a failing begin block, exit, a broken runspace), or null.</summary>
    public Exception? Fault => Volatile.Read(ref fault);

    /// <summary>Opens the runspaces (in parallel) and prepares their pipelines; <see cref="Start"/> runs them.</summary>
    /// <exception cref="InvalidOperationException">A runspace could not be opened (the message says why).</exception>
    public static ActionHandler Create(InotifyWatcher watcher, ActionOptions options, Action stopRequested)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(options);
        var handler = new ActionHandler(watcher, options);
        handler.Job.Connect(() => (handler.HandledCount, handler.FailedCount, handler.PendingCount), stopRequested);
        try
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            state.ImportPSModule([options.ModulePath]);
            state.LanguageMode = options.LanguageMode;
            Runner[] made = [.. handler.dispatch.Lanes.Select((lane, i) => new Runner(handler, lane, RunspaceFactory.CreateRunspace(state), i))];
            handler.runners.AddRange(made);
            // Opening a runspace (and importing the module into it) takes a few hundred milliseconds: all at once.
            Task[] opening = [.. made.Select(r => Task.Run(r.Open))];
            try
            {
                Task.WaitAll(opening);
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is InvalidOperationException first)
            {
                throw first;
            }

            foreach (Runner r in made)
            {
                r.Prepare(options);
            }
        }
        catch
        {
            handler.Dispose();
            throw;
        }

        return handler;
    }

    public void Start()
    {
        Volatile.Write(ref running, runners.Count);
        Job.SetState(JobState.Running);
        dispatch.Start();
        foreach (Runner r in runners)
        {
            r.Start();
        }
    }

    /// <summary>
    /// Stops the handler: the lanes end, every pipeline is stopped, the runspaces are closed. Waits at most
    /// <see cref="StopPatience"/>, and not at all when called from one of the handler's own runspaces.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        dispatch.Stop();
        var stopping = new List<(Runner Runner, IAsyncResult? Stop)>();
        foreach (Runner r in runners)
        {
            stopping.Add((r, r.BeginStop()));
        }

        bool fromInside = runners.Exists(r => ReferenceEquals(Runspace.DefaultRunspace, r.Runspace));
        long deadline = Environment.TickCount64 + (long)StopPatience.TotalMilliseconds;
        foreach ((Runner r, IAsyncResult? stop) in stopping)
        {
            int left = (int)Math.Max(0, deadline - Environment.TickCount64);
            bool ended = !fromInside && r.WaitForEnd(left);
            if (ended)
            {
                r.Close();
            }
            else
            {
                r.CloseWhenEnded();
            }
        }

        Job.SetState(JobState.Stopped);
        if (!fromInside)
        {
            dispatch.Dispose();
        }
    }

    private void OnRunnerEnded(Runner runner, Exception? error)
    {
        if (error is not null && Volatile.Read(ref disposed) == 0)
        {
            Interlocked.CompareExchange(ref fault, error, null);
        }

        if (Interlocked.Decrement(ref running) > 0 || Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        // Every pipeline ended without a stop: the watcher was disposed (a normal end), or the action failed or left.
        if (Fault is { } reason)
        {
            Job.SetState(JobState.Failed, reason);
        }
        else if (watcher.IsDisposed)
        {
            Job.SetState(JobState.Completed);
        }
        else
        {
            var ended = new InvalidOperationException(
                "The -Action ended while its watcher still runs (exit, or break outside a loop?); use return to skip an event. The watcher's events are no longer handled.");
            Interlocked.CompareExchange(ref fault, ended, null);
            Job.SetState(JobState.Failed, ended);
        }

        // Not on the pipeline's own thread: closing a runspace waits for its pipelines.
        ThreadPool.UnsafeQueueUserWorkItem(_ => Dispose(), null);
        _ = runner;
    }

    /// <summary>One handler runspace and its pipeline.</summary>
    private sealed class Runner(ActionHandler owner, ActionLane lane, Runspace runspace, int index)
    {
        private readonly PowerShell shell = PowerShell.Create();
        private readonly PSDataCollection<PSObject> output = [];
        private readonly ManualResetEventSlim ended = new(false);
        private IAsyncResult? invocation;
        private int closed;

        public Runspace Runspace { get; } = runspace;

        public void Open()
        {
            Runspace.Name = $"InotifyAction{owner.watcher.Id}.{index}";
            try
            {
                Runspace.Open();
            }
            catch (Exception e) when (e is PSInvalidOperationException or InvalidRunspaceStateException or RuntimeException)
            {
                throw new InvalidOperationException($"The -Action's runspace could not be opened: {e.Message}", e);
            }
        }

        public void Prepare(ActionOptions o)
        {
            shell.Runspace = Runspace;
            if (o.Location is { } location)
            {
                shell.AddCommand("Set-Location").AddParameter("LiteralPath", location).Invoke();
                shell.Commands.Clear();
                shell.Streams.ClearStreams();
            }

            var context = new InotifyActionContext(lane, owner.Job, owner.watcher, o.SourceIdentifier, o.MessageData, index);
            shell.AddScript(o.Script.Text)
                .AddParameter(ActionScript.LaneParameter, lane)
                .AddParameter(ActionScript.ContextParameter, context)
                .AddParameter(ActionScript.ArgumentsParameter, o.ArgumentList);
            if (o.Script.UsingValues.Count > 0)
            {
                shell.AddParameter(ActionScript.UsingParameter, o.Script.UsingValues);
            }

            InotifyActionJob job = owner.Job;
            output.DataAdded += (_, _) => Drain(output, job.AddOutput);
            shell.Streams.Error.DataAdded += (_, _) => Drain(shell.Streams.Error, job.AddError);
            shell.Streams.Warning.DataAdded += (_, _) => Drain(shell.Streams.Warning, job.AddWarning);
            shell.Streams.Verbose.DataAdded += (_, _) => Drain(shell.Streams.Verbose, job.AddVerbose);
            shell.Streams.Debug.DataAdded += (_, _) => Drain(shell.Streams.Debug, job.AddDebug);
            shell.Streams.Information.DataAdded += (_, _) => Drain(shell.Streams.Information, job.AddInformation);
            shell.Streams.Progress.DataAdded += (_, _) => Drain(shell.Streams.Progress, job.AddProgress);
        }

        public void Start()
        {
            var input = new PSDataCollection<PSObject>();
            input.Complete();
            invocation = shell.BeginInvoke(input, output, null, Completed, null);
        }

        public IAsyncResult? BeginStop()
        {
            if (invocation is null || ended.IsSet)
            {
                return null;
            }

            try
            {
                return shell.BeginStop(null, null);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                return null;
            }
        }

        public bool WaitForEnd(int milliseconds) => invocation is null || ended.Wait(milliseconds);

        public void CloseWhenEnded()
        {
            if (invocation is null || ended.IsSet)
            {
                Close();
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                ended.Wait();
                Close();
            }, null);
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0)
            {
                return;
            }

            try
            {
                shell.Dispose();
                Runspace.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or PSInvalidOperationException)
            {
                // Already closing with its session.
            }
        }

        // The writer's thread adds one record at a time; taking everything present keeps the per-runner buffer empty.
        private static void Drain<T>(PSDataCollection<T> from, Action<T> into)
        {
            foreach (T item in from.ReadAll())
            {
                into(item);
            }
        }

        private void Completed(IAsyncResult result)
        {
            Exception? error = null;
            try
            {
                _ = shell.EndInvoke(result);
            }
            catch (PipelineStoppedException)
            {
            }
#pragma warning disable CA1031 // What ended the handler's pipeline becomes the job's reason; it is not lost on a thread-pool thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }

            ended.Set();
            owner.OnRunnerEnded(this, error);
        }
    }
}
