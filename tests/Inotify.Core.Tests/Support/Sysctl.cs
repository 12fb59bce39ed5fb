using System.Globalization;

namespace Inotify.Core.Tests;

/// <summary>
/// Sets one /proc/sys/fs/inotify value for the duration of a using block and restores it in Dispose
/// (which a using statement runs in a finally). Needs root; only used in <see cref="SerialCollection"/>.
/// </summary>
internal sealed class Sysctl : IDisposable
{
    private readonly string file;
    private readonly string original;

    private Sysctl(string name, long value)
    {
        file = "/proc/sys/fs/inotify/" + name;
        original = File.ReadAllText(file).Trim();
        Write(value.ToString(CultureInfo.InvariantCulture));
    }

    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    public static long Read(string name) => long.Parse(File.ReadAllText("/proc/sys/fs/inotify/" + name).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Sets <paramref name="name"/> (max_user_watches, max_user_instances or max_queued_events) until Dispose.</summary>
    public static Sysctl Set(string name, long value)
    {
        Assert.True(IsRoot, $"Changing /proc/sys/fs/inotify/{name} needs root; run the suite as root (the CI does).");
        return new Sysctl(name, value);
    }

    public void Dispose() => Write(original);

    private void Write(string value) => File.WriteAllText(file, value + "\n");

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
