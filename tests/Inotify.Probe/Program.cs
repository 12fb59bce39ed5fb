using System.Globalization;
using Inotify;

// Usage:
//   Inotify.Probe add <path>      watch one path; prints "OK <wd>" or the error
//   Inotify.Probe instances       create watchers until the engine refuses; prints the error and how many were made
//   Inotify.Probe ready <dir> <n> watch dir for Ready, existing files included; prints "WATCHING" once the watch is in
//                                 place, then "READY <Source> <Name> <ReadyReason>" for each of n Ready events (30 s at most)
// An InotifyException is printed as one line: ERR <ExceptionType> <ErrorId> <Errno> <Limit or -> <count> <Message>
// Any other exception as: UNEXPECTED <ExceptionType> <count> <Message>
// Exit code: 0 when the request succeeded, 3 for an InotifyException, 4 for any other exception, 2 on bad usage.
// The watchers are disposed before anything is printed: at the descriptor limit, printing needs descriptors.
if (args.Length == 0 || !(args is ["add", _] or ["instances"] or ["ready", _, _]))
{
    Console.Error.WriteLine("usage: Inotify.Probe add <path> | instances | ready <dir> <n>");
    return 2;
}

if (args[0] == "ready")
{
    return Ready.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}

var watchers = new List<InotifyWatcher>();
Exception? failure = null;
string result = string.Empty;
try
{
    if (args[0] == "add")
    {
        var watcher = new InotifyWatcher();
        watchers.Add(watcher);
        result = watcher.Add(args[1]).Descriptor.ToString(CultureInfo.InvariantCulture);
    }
    else
    {
        while (watchers.Count < 100_000)
        {
            watchers.Add(new InotifyWatcher());
        }

        result = watchers.Count.ToString(CultureInfo.InvariantCulture);
    }
}
catch (Exception e)
{
    failure = e;
}

int count = watchers.Count;
foreach (InotifyWatcher x in watchers)
{
    x.Dispose();
}

switch (failure)
{
    case null:
        Console.WriteLine("OK " + result);
        return 0;
    case InotifyException e:
        string limit = e switch
        {
            WatchLimitException wl => wl.Limit.ToString(CultureInfo.InvariantCulture),
            InstanceLimitException il => il.Limit.ToString(CultureInfo.InvariantCulture),
            _ => "-",
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ERR {e.GetType().Name} {e.ErrorId} {e.Errno} {limit} {count} {e.Message}"));
        return 3;
    default:
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"UNEXPECTED {failure.GetType().FullName} {count} {failure.Message}"));
        return 4;
}

/// <summary>The ready verb: what a watcher running as this user reports as Ready.</summary>
internal static class Ready
{
    public static int Run(string dir, int count)
    {
        using var watcher = new InotifyWatcher();
        watcher.Add(dir, InotifyEventMask.Ready, WatchFlags.IncludeExisting);
        Console.Out.WriteLine("WATCHING");
        Console.Out.Flush();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int seen = 0;
        while (seen < count && watcher.TryRead(out InotifyEvent? e, deadline - DateTime.UtcNow))
        {
            if (e.Kind == InotifyEventKind.Ready)
            {
                seen++;
                Console.Out.WriteLine($"READY {e.Source} {e.Name} {e.ReadyReason}");
                Console.Out.Flush();
            }
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {seen}"));
        return seen == count ? 0 : 1;
    }
}
