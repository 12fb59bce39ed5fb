// The ready workload (bench/README.md): every "this file is complete" report as "name<TAB>receive_ns" in OUT.recv.
// BENCH_READY=ready: Inotify.Core's Ready events. BENCH_READY=closewrite: the usual recipe, CloseWrite and MovedTo.
using System.Globalization;
using System.Text;
using Inotify;

namespace Bench;

internal static class ReadyMode
{
    internal static int Run(string dir, string outPath, int timeout, string mode)
    {
        InotifyEventMask mask = mode == "closewrite" ? InotifyEventMask.CloseWrite | InotifyEventMask.MovedTo : InotifyEventMask.Ready;
        using var watcher = new InotifyWatcher();
        watcher.Add(dir, mask);
        Console.Out.WriteLine("READY");
        Console.Out.Flush();

        var reports = new StringBuilder();
        long eventsTotal = 0, count = 0, maxWait = 0;
        bool stopSeen = false;
        DateTime deadline = DateTime.UtcNow.AddSeconds(timeout);
        while (!stopSeen && watcher.TryRead(out InotifyEvent? e, Max(deadline - DateTime.UtcNow)))
        {
            eventsTotal++;
            if (e.IsDirectory || e.Kind is not (InotifyEventKind.Ready or InotifyEventKind.CloseWrite or InotifyEventKind.MovedTo))
            {
                continue;
            }

            if (e.Name == "__STOP__")
            {
                stopSeen = true;
                continue;
            }

            count++;
            maxWait += e.ReadyReason == ReadyReason.MaxWaitExceeded ? 1 : 0;
            reports.Append(e.Name).Append('\t').Append(NowNs().ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(outPath + ".recv", reports.ToString());
        File.WriteAllText(outPath, string.Create(CultureInfo.InvariantCulture,
            $"{{\"consumer\":\"core-{mode}\",\"reports\":{count},\"max_wait_reports\":{maxWait},\"events_total\":{eventsTotal},\"stop_seen\":{(stopSeen ? "true" : "false")}}}\n"));
        return 0;
    }

    private static TimeSpan Max(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
