using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// What the InotifyPS cmdlets share: provider paths, wildcards, error records, progress, Ctrl+C and the session's watchers.
/// </summary>
public abstract class InotifyCmdlet : PSCmdlet, IDisposable
{
    private const int ProgressActivityId = 0x1A07;

    private readonly CancellationTokenSource stopping = new();

    private protected static WatcherRegistry SessionWatchers => Session.Registry;

    /// <summary>Cancelled when the pipeline is stopped (Ctrl+C, or a satisfied Select-Object -First).</summary>
    private protected CancellationToken StopToken => stopping.Token;

    /// <summary>Releases what the command holds, also after Ctrl+C (PowerShell then skips EndProcessing but disposes the command).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    protected override void StopProcessing()
    {
        try
        {
            stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command already ended: there is nothing left to stop.
        }
    }

    /// <summary>Releases the command's resources; a command that holds more overrides it and calls the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            stopping.Dispose();
        }
    }

    /// <summary>The watch settings of a command, with -Include/-Exclude compiled as PowerShell wildcards; stops the command when they conflict or a pattern is invalid.</summary>
    private protected WatchSpec NewSpec(InotifyEventMask mask, WatchFlags flags, bool recurse, IReadOnlyList<string>? include, IReadOnlyList<string>? exclude,
        bool includeExisting = false)
    {
        PathFilter filter = PathFilter.None;
        try
        {
            filter = Wildcards.Filter(include, exclude);
        }
        catch (WildcardPatternException e)
        {
            ThrowTerminatingError(Errors.FromException(e, Wildcards.InvalidPattern(e)));
        }

        var spec = new WatchSpec(mask, flags, recurse, filter, includeExisting);
        if (spec.Conflict is { } conflict)
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null, conflict));
        }

        return spec;
    }

    /// <summary>
    /// File-system paths for -Path (wildcards expand; a pattern matching nothing is an error) or -LiteralPath.
    /// A path that does not exist is passed on for the engine to report. Each bad path is a non-terminating error.
    /// </summary>
    private protected List<string> ResolvePaths(IEnumerable<string>? paths, bool literal)
    {
        var result = new List<string>();
        foreach (string path in paths ?? [])
        {
            try
            {
                ProviderInfo provider;
                IEnumerable<string> resolved;
                if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
                {
                    resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                }
                else
                {
                    string unescaped = literal ? path : WildcardPattern.Unescape(path);
                    resolved = [SessionState.Path.GetUnresolvedProviderPathFromPSPath(unescaped, out provider, out _)];
                }

                if (provider.Name != "FileSystem")
                {
                    WriteError(Errors.Create(ErrorIds.NotFileSystemPath, ErrorCategory.InvalidArgument, path,
                        $"Cannot watch '{path}': it is a {provider.Name} path; inotify watches only the file system."));
                    continue;
                }

                int before = result.Count;
                result.AddRange(resolved);

                // Get-ChildItem is quiet when a wildcard matches nothing; a watch command that then watches nothing is not.
                if (result.Count == before)
                {
                    WriteError(Errors.Create(ErrorIds.WatchPathNotFound, ErrorCategory.ObjectNotFound, path, $"Cannot watch '{path}': no file or directory matches it."));
                }
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.WatchPathNotFound, ErrorCategory.ObjectNotFound, path));
            }
            catch (Exception e) when (e is SessionStateException or ProviderInvocationException or ArgumentException or NotSupportedException or IOException)
            {
                WriteError(new ErrorRecord(e, ErrorIds.InvalidPath, ErrorCategory.InvalidArgument, path));
            }
        }

        return result;
    }

    /// <summary>
    /// The items whose watched path matches what the user typed: -Path is a wildcard pattern (an exact match wins, as
    /// for Get-Item), -LiteralPath an exact path; both are resolved against the current location but need not exist
    /// (a watched directory may be gone). Returns null, after writing the error, when the path cannot be resolved or
    /// is not a valid pattern.
    /// </summary>
    private protected List<T>? MatchPaths<T>(IEnumerable<T> items, Func<T, string> pathOf, string path, bool literal)
    {
        string resolved;
        try
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.Name != "FileSystem")
            {
                WriteError(Errors.Create(ErrorIds.NotFileSystemPath, ErrorCategory.InvalidArgument, path, $"'{path}' is a {provider.Name} path; inotify watches only the file system."));
                return null;
            }
        }
        catch (Exception e) when (e is SessionStateException or ProviderInvocationException or ArgumentException or NotSupportedException or IOException)
        {
            WriteError(new ErrorRecord(e, ErrorIds.InvalidPath, ErrorCategory.InvalidArgument, path));
            return null;
        }

        resolved = System.IO.Path.TrimEndingDirectorySeparator(resolved);
        string Key(T item) => System.IO.Path.TrimEndingDirectorySeparator(pathOf(item));
        if (literal)
        {
            return [.. items.Where(i => string.Equals(Key(i), resolved, StringComparison.Ordinal))];
        }

        try
        {
            return Wildcards.Select(items, Key, resolved, ignoreCase: false);
        }
        catch (WildcardPatternException e)
        {
            WriteError(Errors.FromException(e, path));
            return null;
        }
    }

    /// <summary>
    /// Adds one resolved path and reports what the user should know: the directories of a tree that could not be
    /// watched (errors against them), a path that is another path of a watched object (a warning), and with -Verbose
    /// what is watched now. On failure writes the error against the path and returns null. Ctrl+C during the walk of a
    /// tree leaves nothing of it behind.
    /// </summary>
    private protected object? AddWatch(InotifyWatcher watcher, string path, WatchSpec spec)
    {
        var throttle = new ProgressThrottle();
        string activity = $"Watching {path} recursively";
        // A single watch that is another path of a watched object comes back with that object's path; a tree can
        // meet such objects anywhere (a bind mount inside it), so for a tree the aliases are compared before and after.
        HashSet<(int, string)>? aliases = spec.Recurse ? SetupReport.Aliases(watcher) : null;
        object watch;
        try
        {
            watch = spec.AddTo(watcher, path, !spec.Recurse ? null : p =>
            {
                // The engine calls back on this (the pipeline) thread, so writing progress here is allowed.
                if (!StopToken.IsCancellationRequested && throttle.ShouldReport())
                {
                    WriteProgress(new ProgressRecord(ProgressActivityId, activity, ProgressThrottle.Describe(p))
                    {
                        PercentComplete = ProgressThrottle.PercentComplete(p),
                        CurrentOperation = p.CurrentDirectory,
                    });
                }
            }, StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is InotifyException or IOException or UnauthorizedAccessException or ArgumentException or ObjectDisposedException)
        {
            WriteError(Errors.FromException(e, path));
            return null;
        }
        finally
        {
            if (throttle.HasReported && !StopToken.IsCancellationRequested)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        IEnumerable<string> warnings = aliases is not null ? SetupReport.NewAliases(watcher, aliases)
            : watch is InotifyWatch single && single.Aliases.Contains(System.IO.Path.TrimEndingDirectorySeparator(path)) ? [SetupReport.Alias(path, single.Path)] : [];
        foreach (string warning in warnings)
        {
            WriteWarning(warning);
        }

        if (watch is RecursiveWatch tree)
        {
            foreach (ErrorRecord unwatched in SetupReport.Unwatched(tree))
            {
                WriteError(unwatched);
            }
        }

        WriteVerbose(spec.Describe(path, watch));
        return watch;
    }

    /// <summary>
    /// The session's watchers with these ids or source identifiers, each once. A source identifier that some watcher
    /// has exactly selects that one; otherwise it is a wildcard pattern (Get-Job -Name does the same). Like
    /// Get-Process, a wildcard that matches nothing is quiet; an id or plain name that matches nothing is a
    /// WatcherNotFound error, and an invalid pattern an InvalidWildcardPattern error.
    /// </summary>
    private protected List<InotifyWatcher> SelectWatchers(IEnumerable<int> ids, IEnumerable<string> sourceIdentifiers)
    {
        IReadOnlyList<WatcherRegistration> all = SessionWatchers.Snapshot();
        var found = new List<InotifyWatcher>();
        foreach (int id in ids)
        {
            AddMatches([.. all.Where(r => r.Watcher.Id == id)], id.ToString(System.Globalization.CultureInfo.InvariantCulture), quietIfNone: false);
        }

        foreach (string name in sourceIdentifiers)
        {
            try
            {
                AddMatches(Wildcards.Select(all, r => r.SourceIdentifier, name, ignoreCase: true), name, WildcardPattern.ContainsWildcardCharacters(name));
            }
            catch (WildcardPatternException e)
            {
                WriteError(Errors.FromException(e, name));
            }
        }

        return found;

        void AddMatches(List<WatcherRegistration> matches, string name, bool quietIfNone)
        {
            if (matches.Count == 0 && !quietIfNone)
            {
                WriteError(Errors.Create(ErrorIds.WatcherNotFound, ErrorCategory.ObjectNotFound, name, $"This session has no inotify watcher '{name}'."));
            }

            found.AddRange(matches.Select(r => r.Watcher).Where(w => !found.Contains(w)));
        }
    }

    /// <summary>A watcher's watches as the user sees them: single watches by descriptor, then each recursive watch as one object.</summary>
    private protected static List<object> ListedWatches(InotifyWatcher watcher) =>
        [.. watcher.Watches.Where(w => w.RecursiveRoot is null && w.IsActive).OrderBy(w => w.Descriptor), .. watcher.RecursiveWatches];

    /// <summary>The path of a watch, or the root of a recursive watch.</summary>
    private protected static string WatchedPath(object watch) => watch is InotifyWatch w ? w.Path : ((RecursiveWatch)watch).RootPath;

    /// <summary>Writes WatcherForwardsEvents and returns false when another reader (its -Action handler or the session's engine events) owns the watcher's events.</summary>
    private protected bool IsReadable(InotifyWatcher watcher)
    {
        if (WatcherRegistry.Find(watcher)?.Handler is { } handler)
        {
            WriteError(Errors.Create(ErrorIds.WatcherForwardsEvents, ErrorCategory.InvalidOperation, watcher,
                $"The watcher's events go to its -Action handler (Receive-Job -Id {((System.Management.Automation.Job)handler.Job).Id} shows what it wrote); watch with another watcher to read them here."));
            return false;
        }

        if (WatcherRegistry.Find(watcher)?.SourceIdentifier is not { } id)
        {
            return true;
        }

        WriteError(Errors.Create(ErrorIds.WatcherForwardsEvents, ErrorCategory.InvalidOperation, watcher,
            $"The watcher forwards its events to engine events as '{id}': read them with Wait-Event, Get-Event or Register-EngineEvent -SourceIdentifier {id}."));
        return false;
    }

    /// <summary>Writes WatcherDisposed and returns false when the watcher can no longer be used.</summary>
    private protected bool IsUsable(InotifyWatcher watcher)
    {
        if (!watcher.IsDisposed)
        {
            return true;
        }

        WriteError(Errors.FromException(new ObjectDisposedException(nameof(InotifyWatcher)), watcher));
        return false;
    }
}
