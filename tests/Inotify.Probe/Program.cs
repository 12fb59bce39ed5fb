using System.Globalization;
using Inotify;

// Usage:
//   Inotify.Probe add <path>      watch one path; prints "OK <wd>" or the error
//   Inotify.Probe instances       create watchers until the engine refuses; prints "ERR ..." with the count
// An error is printed as one line: ERR <ExceptionType> <ErrorId> <Errno> <Limit or -> <count> <Message>
// Exit code: 0 when the request succeeded, 3 when the engine threw an InotifyException, 2 on bad usage.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Inotify.Probe add <path> | instances");
    return 2;
}

var watchers = new List<InotifyWatcher>();
try
{
    switch (args[0])
    {
        case "add" when args.Length == 2:
            var watcher = new InotifyWatcher();
            watchers.Add(watcher);
            InotifyWatch w = watcher.Add(args[1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {w.Descriptor}"));
            return 0;
        case "instances":
            while (watchers.Count < 100_000)
            {
                watchers.Add(new InotifyWatcher());
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {watchers.Count}"));
            return 0;
        default:
            Console.Error.WriteLine("usage: Inotify.Probe add <path> | instances");
            return 2;
    }
}
catch (InotifyException e)
{
    string limit = e switch
    {
        WatchLimitException wl => wl.Limit.ToString(CultureInfo.InvariantCulture),
        InstanceLimitException il => il.Limit.ToString(CultureInfo.InvariantCulture),
        _ => "-",
    };
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ERR {e.GetType().Name} {e.ErrorId} {e.Errno} {limit} {watchers.Count} {e.Message}"));
    return 3;
}
finally
{
    foreach (InotifyWatcher x in watchers)
    {
        x.Dispose();
    }
}
