// FswConsumer DIR OUT: System.IO.FileSystemWatcher with IncludeSubdirectories as a
// benchmark consumer.  The contract (READY line, __STOP__, BENCH_TIMEOUT, BENCH_LATENCY,
// the JSON counters) is described in bench/README.md and is the same for every consumer.
using System.Globalization;
using System.Text;

namespace Bench;

internal static class FswConsumer
{
    private static long filesCreated, dirsCreated, renamedTo, renamedFrom, eventsTotal, overflowCount, otherErrors;
    private static readonly List<(string Name, long Ns)> Received = new(1024);
    private static bool latencyOn;

    // BENCH_HOLD=1 (the decode workload): no handler runs until the runner's go line arrives on
    // stdin.  FileSystemWatcher's own inotify thread cannot be held: it keeps reading the kernel
    // into an unbounded channel meanwhile (.NET 9+), which is part of its cost and is counted.
    private static readonly ManualResetEventSlim Go = new(true);

    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: FswConsumer DIR OUT");
            return 2;
        }

        var dir = Path.GetFullPath(args[0]).TrimEnd('/');
        var outPath = args[1];
        var stopPath = Path.Combine(dir, "__STOP__");
        var timeout = int.TryParse(Environment.GetEnvironmentVariable("BENCH_TIMEOUT"), out var t) ? t : 120;
        latencyOn = Environment.GetEnvironmentVariable("BENCH_LATENCY") == "1";
        bool hold = Environment.GetEnvironmentVariable("BENCH_HOLD") == "1";
        if (hold)
        {
            Go.Reset();
        }

        using var stop = new ManualResetEventSlim(false);
        using var watcher = new FileSystemWatcher(dir)
        {
            IncludeSubdirectories = true,
            // The largest buffer FileSystemWatcher accepts: the setting a user fighting overflow would pick.
            InternalBufferSize = 64 * 1024,
        };
        // Default NotifyFilter (FileName | DirectoryName | LastWrite): what most code uses.

        watcher.Created += (_, e) =>
        {
            Go.Wait();
            var now = latencyOn ? NowNs() : 0;
            Interlocked.Increment(ref eventsTotal);
            var name = Path.GetFileName(e.Name) ?? string.Empty;
            // FileSystemWatcher does not say whether a created entry is a directory; the
            // workload's names do (d* directories, f*/l* files, r* rename targets).
            switch (name.Length > 0 ? name[0] : '\0')
            {
                case 'd':
                    Interlocked.Increment(ref dirsCreated);
                    break;
                case 'f':
                    Interlocked.Increment(ref filesCreated);
                    break;
                case 'l':
                    Interlocked.Increment(ref filesCreated);
                    RecordLatency(name, now);
                    break;
                case 'r':
                    // A rename whose source was outside the watch arrives as Created.
                    Interlocked.Increment(ref renamedTo);
                    break;
            }

            if (e.FullPath == stopPath)
            {
                stop.Set();
            }
        };
        watcher.Renamed += (_, e) =>
        {
            Go.Wait();
            Interlocked.Increment(ref eventsTotal);
            if (Path.GetFileName(e.Name)?.StartsWith('r') == true)
            {
                Interlocked.Increment(ref renamedTo);
            }

            if (Path.GetFileName(e.OldName)?.StartsWith('f') == true)
            {
                Interlocked.Increment(ref renamedFrom);
            }
        };
        watcher.Deleted += (_, e) =>
        {
            Go.Wait();
            Interlocked.Increment(ref eventsTotal);
            // An unpaired rename source is reported as Deleted: still a departure of an f* name.
            if (Path.GetFileName(e.Name)?.StartsWith('f') == true)
            {
                Interlocked.Increment(ref renamedFrom);
            }
        };
        watcher.Changed += (_, _) =>
        {
            Go.Wait();
            Interlocked.Increment(ref eventsTotal);
        };
        watcher.Error += (_, e) =>
        {
            Go.Wait();
            Interlocked.Increment(ref eventsTotal);
            if (e.GetException() is InternalBufferOverflowException)
            {
                Interlocked.Increment(ref overflowCount);
            }
            else
            {
                Interlocked.Increment(ref otherErrors);
            }
        };

        // On Linux this creates the inotify instance and adds the watches for the existing
        // tree before it returns, so READY is honest.
        watcher.EnableRaisingEvents = true;
        Console.Out.WriteLine("READY");
        Console.Out.Flush();
        if (hold)
        {
            // A line or EOF: a blocking read that costs nothing while the queue fills.
            _ = Console.In.ReadLine();
            Go.Set();
        }

        var stopSeen = stop.Wait(TimeSpan.FromSeconds(timeout));
        watcher.EnableRaisingEvents = false;

        var inv = CultureInfo.InvariantCulture;
        var json = string.Create(inv,
            $"{{\"consumer\":\"fsw\",\"files_created\":{Interlocked.Read(ref filesCreated)},\"dirs_created\":{Interlocked.Read(ref dirsCreated)}," +
            $"\"renamed_to\":{Interlocked.Read(ref renamedTo)},\"renamed_from\":{Interlocked.Read(ref renamedFrom)}," +
            $"\"events_total\":{Interlocked.Read(ref eventsTotal)},\"overflow\":{(Interlocked.Read(ref overflowCount) > 0 ? "true" : "false")}," +
            $"\"overflow_count\":{Interlocked.Read(ref overflowCount)},\"stop_seen\":{(stopSeen ? "true" : "false")}," +
            $"\"other_errors\":{Interlocked.Read(ref otherErrors)},\"held\":{(hold ? "true" : "false")}}}\n");
        File.WriteAllText(outPath, json);

        if (latencyOn)
        {
            var sb = new StringBuilder();
            lock (Received)
            {
                foreach (var (name, ns) in Received)
                {
                    sb.Append(name).Append('\t').Append(ns.ToString(inv)).Append('\n');
                }
            }

            File.WriteAllText(outPath + ".recv", sb.ToString());
        }

        return 0;
    }

    private static void RecordLatency(string name, long ns)
    {
        if (!latencyOn)
        {
            return;
        }

        lock (Received)
        {
            Received.Add((name, ns));
        }
    }

    // CLOCK_REALTIME in nanoseconds, comparable with the generator's send times.  DateTime.UtcNow
    // reads clock_gettime(CLOCK_REALTIME) on Linux; its 100 ns ticks are finer than what we measure.
    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
