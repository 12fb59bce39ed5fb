using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>What the InotifyPS cmdlets share: provider paths, error records, progress and the session's watchers.</summary>
public abstract class InotifyCmdlet : PSCmdlet
{
    private const int ProgressActivityId = 0x1A07;

    private protected static WatcherRegistry SessionWatchers => Session.Registry;

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
    /// A test for watch paths that match what the user typed: -Path is a wildcard pattern, -LiteralPath an exact path;
    /// both are resolved against the current location but need not exist (a watched directory may be gone).
    /// Returns null, after writing the error, when the path cannot be resolved.
    /// </summary>
    private protected Func<string, bool>? PathMatcher(string path, bool literal)
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
        if (literal)
        {
            return candidate => string.Equals(System.IO.Path.TrimEndingDirectorySeparator(candidate), resolved, StringComparison.Ordinal);
        }

        var pattern = WildcardPattern.Get(resolved, WildcardOptions.None);
        return candidate => pattern.IsMatch(System.IO.Path.TrimEndingDirectorySeparator(candidate));
    }

    /// <summary>Adds one resolved path; on failure writes the error against the path and returns null.</summary>
    private protected object? AddWatch(InotifyWatcher watcher, string path, WatchSpec spec)
    {
        var throttle = new ProgressThrottle();
        string activity = $"Watching {path} recursively";
        try
        {
            return spec.AddTo(watcher, path, !spec.Recurse ? null : p =>
            {
                // The engine calls back on this (the pipeline) thread, so writing progress here is allowed.
                if (throttle.ShouldReport())
                {
                    WriteProgress(new ProgressRecord(ProgressActivityId, activity, ProgressThrottle.Describe(p))
                    {
                        PercentComplete = ProgressThrottle.PercentComplete(p),
                        CurrentOperation = p.CurrentDirectory,
                    });
                }
            });
        }
        catch (Exception e) when (e is InotifyException or IOException or UnauthorizedAccessException or ArgumentException or ObjectDisposedException)
        {
            WriteError(Errors.FromException(e, path));
            return null;
        }
        finally
        {
            if (throttle.HasReported)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }

    /// <summary>Stops the command when the switches conflict (e.g. -Include without -Recurse).</summary>
    /// <summary>
    /// The session's watchers with these ids or source identifiers (wildcards allowed), each once. Like Get-Process,
    /// a wildcard that matches nothing is quiet; an id or plain name that matches nothing is a WatcherNotFound error.
    /// </summary>
    private protected List<InotifyWatcher> SelectWatchers(IEnumerable<int> ids, IEnumerable<string> sourceIdentifiers)
    {
        IReadOnlyList<WatcherRegistration> all = SessionWatchers.Snapshot();
        var found = new List<InotifyWatcher>();
        foreach (int id in ids)
        {
            AddMatches(all.Where(r => r.Watcher.Id == id), id.ToString(System.Globalization.CultureInfo.InvariantCulture), quietIfNone: false);
        }

        foreach (string name in sourceIdentifiers)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            AddMatches(all.Where(r => r.SourceIdentifier is { } s && pattern.IsMatch(s)), name, WildcardPattern.ContainsWildcardCharacters(name));
        }

        return found;

        void AddMatches(IEnumerable<WatcherRegistration> matches, string name, bool quietIfNone)
        {
            List<InotifyWatcher> watchers = [.. matches.Select(r => r.Watcher)];
            if (watchers.Count == 0 && !quietIfNone)
            {
                WriteError(Errors.Create(ErrorIds.WatcherNotFound, ErrorCategory.ObjectNotFound, name, $"This session has no inotify watcher '{name}'."));
            }

            found.AddRange(watchers.Where(w => !found.Contains(w)));
        }
    }

    private protected void ThrowIfConflicting(WatchSpec spec)
    {
        if (spec.Conflict is { } conflict)
        {
            ThrowTerminatingError(Errors.Create(ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null, conflict));
        }
    }

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
