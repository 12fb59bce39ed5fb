using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace InotifyPS;

/// <summary>The watcher registry of the session (runspace) a cmdlet runs in.</summary>
internal static class Session
{
    // Used when a host runs the cmdlets without a default runspace on the thread.
    private static readonly object NoRunspace = new();
    private static readonly ConditionalWeakTable<Runspace, object> Hooked = [];

    /// <summary>The current session's registry; closing its runspace disposes its watchers.</summary>
    public static WatcherRegistry Registry
    {
        get
        {
            object key = (object?)Runspace.DefaultRunspace ?? NoRunspace;
            return SessionRegistries.GetOrAdd(key, _ => Hook(key as Runspace));
        }
    }

    /// <summary>Disposes the current session's watchers (Remove-Module).</summary>
    public static void Close() => SessionRegistries.Close((object?)Runspace.DefaultRunspace ?? NoRunspace);

    private static void Hook(Runspace? runspace)
    {
        if (runspace is null || Hooked.TryGetValue(runspace, out _))
        {
            return;
        }

        Hooked.Add(runspace, NoRunspace);
        runspace.StateChanged += (sender, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closing or RunspaceState.Closed or RunspaceState.Broken)
            {
                SessionRegistries.Close(sender!);
            }
        };
    }
}

/// <summary>Remove-Module InotifyPS disposes the session's watchers: their threads and inotify instances end with it.</summary>
public sealed class InotifyModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo) => Session.Close();
}
