// CoreConsumer DIR OUT: Inotify.Core as a benchmark consumer, with the contract of bench/README.md
// (READY line, __STOP__, BENCH_TIMEOUT, BENCH_LATENCY, the JSON counters). It uses the engine's
// defaults: rename pairing, scan of new directories, repair after overflow.
using System.Globalization;
using System.Text;
using Inotify;

namespace Bench;

internal static class CoreConsumer
{
    // The same "something changed" set as the C reader and inotifywait, so the kernel queues as much for each.
    private const InotifyEventMask Mask = InotifyEventMask.Create | InotifyEventMask.Delete | InotifyEventMask.Modify
        | InotifyEventMask.CloseWrite | InotifyEventMask.Attrib | InotifyEventMask.Move | InotifyEventMask.DeleteSelf | InotifyEventMask.MoveSelf;

    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: CoreConsumer DIR OUT");
            return 2;
        }

        string dir = Path.GetFullPath(args[0]).TrimEnd('/');
        string outPath = args[1];
        int timeout = int.TryParse(Environment.GetEnvironmentVariable("BENCH_TIMEOUT"), out int t) ? t : 120;
        if (Environment.GetEnvironmentVariable("BENCH_READY") is { Length: > 0 } readyMode)
        {
            return ReadyMode.Run(dir, outPath, timeout, readyMode);
        }

        bool latencyOn = Environment.GetEnvironmentVariable("BENCH_LATENCY") == "1";
        long filesCreated = 0, dirsCreated = 0, renamedTo = 0, renamedFrom = 0, eventsTotal = 0, overflowCount = 0, dropped = 0;
        bool stopSeen = false;
        var received = new List<(string Name, long Ns)>(latencyOn ? 1024 : 0);

        using var watcher = new InotifyWatcher();
        watcher.AddRecursive(dir, Mask);
        Console.Out.WriteLine("READY");
        Console.Out.Flush();

        DateTime deadline = DateTime.UtcNow.AddSeconds(timeout);
        bool held = Environment.GetEnvironmentVariable("BENCH_HOLD") == "1";
        if (held)
        {
            // The decode workload: nothing is read here until the runner says GO on stdin (or closes it).
            // The engine's reader thread keeps moving events into its own queue meanwhile; that is counted too.
            _ = Console.In.ReadLine();
        }

        // Take whatever is queued in one go, and block only when nothing is: what a consumer that wants
        // throughput does with this API.
        var batch = new List<InotifyEvent>(4096);
        bool rescanning = false, stopPending = false;
        while (!stopSeen)
        {
            batch.Clear();
            if (watcher.ReadAvailable(batch, 4096) == 0)
            {
                if (!watcher.TryRead(out InotifyEvent? one, Max(deadline - DateTime.UtcNow)))
                {
                    break;
                }

                batch.Add(one);
            }

            foreach (InotifyEvent e in batch)
            {
                eventsTotal++;
                switch (e.Kind)
                {
                    case InotifyEventKind.Create or InotifyEventKind.MovedTo:
                        string name = e.Name;
                        char first = name.Length > 0 ? name[0] : '\0';
                        if (e.Kind == InotifyEventKind.Create && (first == 'f' || first == 'l'))
                        {
                            filesCreated++;
                            if (first == 'l' && latencyOn)
                            {
                                received.Add((name, NowNs()));
                            }
                        }
                        else if (e.Kind == InotifyEventKind.Create && first == 'd')
                        {
                            dirsCreated++;
                        }
                        else if (first == 'r')
                        {
                            renamedTo++;
                        }

                        // A rescan reports what it finds in directory order: the sentinel may come before the
                        // files it follows, so it counts only once the rescan is over.
                        stopPending |= name == "__STOP__" && e.WatchPath == dir;
                        break;
                    case InotifyEventKind.RescanStarted:
                        rescanning = true;
                        break;
                    case InotifyEventKind.RescanCompleted:
                        rescanning = false;
                        break;
                    case InotifyEventKind.Renamed:
                        renamedTo += e.Name.StartsWith('r') ? 1 : 0;
                        renamedFrom += Path.GetFileName(e.OldPath!).StartsWith('f') ? 1 : 0;
                        break;
                    case InotifyEventKind.MovedFrom:
                        renamedFrom += e.Name.StartsWith('f') ? 1 : 0;
                        break;
                    case InotifyEventKind.QueueOverflow:
                        overflowCount++;
                        break;
                    case InotifyEventKind.EventsDropped:
                        dropped += e.DroppedCount;
                        break;
                }

                stopSeen = stopPending && !rescanning;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        File.WriteAllText(outPath, string.Create(inv,
            $"{{\"consumer\":\"core\",\"files_created\":{filesCreated},\"dirs_created\":{dirsCreated},\"renamed_to\":{renamedTo}," +
            $"\"renamed_from\":{renamedFrom},\"events_total\":{eventsTotal},\"overflow\":{(overflowCount + dropped > 0 ? "true" : "false")}," +
            $"\"overflow_count\":{overflowCount},\"dropped\":{dropped},\"stop_seen\":{(stopSeen ? "true" : "false")},\"held\":{(held ? "true" : "false")}}}\n"));
        if (latencyOn)
        {
            var sb = new StringBuilder();
            foreach ((string name, long ns) in received)
            {
                sb.Append(name).Append('\t').Append(ns.ToString(inv)).Append('\n');
            }

            File.WriteAllText(outPath + ".recv", sb.ToString());
        }

        return 0;
    }

    private static TimeSpan Max(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    // CLOCK_REALTIME nanoseconds, comparable with the generator's send times.
    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
