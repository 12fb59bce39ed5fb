using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// Getters of the code properties in InotifyPS.types.ps1xml that must also be read where no runspace is: PowerShell
/// serializes a forwarded engine event (its sender and arguments) on the thread that raised it, the forwarder's own,
/// where a script property cannot run and would be left out.
/// </summary>
public static class SerializedMembers
{
    /// <summary>The event's <see cref="InotifyEvent.TimeStamp"/> in local time: the table's Time column.</summary>
    /// <remarks>It crosses a session with its UTC offset and arrives in the receiving machine's local time.</remarks>
    public static DateTime GetLocalTime(PSObject instance) =>
        instance?.BaseObject is InotifyEvent e ? e.TimeStamp.ToLocalTime() : default;

    /// <summary>The engine-event source identifier the watcher forwards under, or null.</summary>
    public static string? GetSourceIdentifier(PSObject instance) =>
        instance?.BaseObject is InotifyWatcher w ? InotifyWatcherInfo.GetSourceIdentifier(w) : null;
}
