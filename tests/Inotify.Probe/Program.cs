using System.Globalization;
using Inotify;

// Usage:
//   Inotify.Probe add <path>      watch one path; prints "OK <wd>" or the error
//   Inotify.Probe instances       create watchers until the engine refuses; prints the error and how many were made
// An InotifyException is printed as one line: ERR <ExceptionType> <ErrorId> <Errno> <Limit or -> <count> <Message>
// Any other exception as: UNEXPECTED <ExceptionType> <count> <Message>
// Exit code: 0 when the request succeeded, 3 for an InotifyException, 4 for any other exception, 2 on bad usage.
// The watchers are disposed before anything is printed: at the descriptor limit, printing needs descriptors.
if (args.Length == 0 || !(args is ["add", _] or ["instances"]))
{
    Console.Error.WriteLine("usage: Inotify.Probe add <path> | instances");
    return 2;
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
