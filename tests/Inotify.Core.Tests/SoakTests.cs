using System.Diagnostics;
using System.Globalization;

namespace Inotify.Core.Tests;

/// <summary>
/// A bounded soak: mixed file and directory work across a three-level tree for a while, with forced kernel
/// overflows, under the default mask. At the end the consumer's picture (built only from events) equals the tree,
/// every directory is watched exactly once, memory and threads stayed flat, and each overflow gave at most one
/// rescan. INOTIFY_SOAK_SECONDS changes the length (default 60).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("INOTIFY_SOAK_SECONDS"), CultureInfo.InvariantCulture, out int s) ? s : 60);

    [Fact]
    public async Task MixedWorkWithForcedOverflowsEndsWithTheTreeAsTheEventsSayIt()
    {
        using var t = new TempTree();
        for (int a = 0; a < 4; a++)
        {
            for (int b = 0; b < 4; b++)
            {
                Directory.CreateDirectory(t.P($"a{a}/b{b}/c0"));
                File.WriteAllBytes(t.P($"a{a}/b{b}/c0/seed"), []);
            }
        }

        InotifyWatcher w;
        using (Sysctl.Set("max_queued_events", 2048))
        {
            w = new InotifyWatcher();
        }

        using (w)
        {
            var view = new ConsumerView(t.Root, fromDisk: true);
            RecursiveWatch tree = w.AddRecursive(t.Root);
            int rescans = 0, markers = 0;
            string barrier = t.P("end-barrier");

            // What the consumer read about entries (not the Open/Access/Close noise), to explain a failure.
            var history = new Queue<string>();

            // The consumer reads until the barrier's Create, which the test writes once the tree has settled.
            var consumer = Task.Run(() =>
            {
                while (true)
                {
                    if (!w.TryRead(out InotifyEvent? e, Timeout.InfiniteTimeSpan))
                    {
                        continue;
                    }

                    view.Apply(e);
                    rescans += e.Kind == InotifyEventKind.RescanStarted ? 1 : 0;
                    markers += e.Kind == InotifyEventKind.EventsDropped ? 1 : 0;
                    if (e.Kind is not (InotifyEventKind.Open or InotifyEventKind.Access or InotifyEventKind.CloseNoWrite or InotifyEventKind.CloseWrite or InotifyEventKind.Modify))
                    {
                        history.Enqueue($"#{e.Sequence} {e.Kind} {e.Source} {e.Path}{(e.OldPath is null ? string.Empty : " <- " + e.OldPath)}");
                        if (history.Count > 200_000)
                        {
                            history.Dequeue();
                        }
                    }
                    if (e.Kind == InotifyEventKind.Create && e.Path == barrier)
                    {
                        return;
                    }
                }
            });

            var random = new Random(20261203);
            var clock = Stopwatch.StartNew();
            long warmRss = 0;
            int warmThreads = 0;
            int ops = 0, forced = 0;
            while (clock.Elapsed < Length)
            {
                if (warmRss == 0 && clock.Elapsed > Length / 6)
                {
                    GC.Collect();
                    warmRss = Rss();
                    warmThreads = OwnThreads();
                }

                if (clock.Elapsed.TotalSeconds > (forced + 1) * Length.TotalSeconds / 5)
                {
                    // Hold the reader while a burst happens: the kernel's queue overflows.
                    forced++;
                    lock (w.Table.Sync)
                    {
                        for (int i = 0; i < 1500; i++)
                        {
                            ops += Operate(t, random);
                        }
                    }
                }

                ops += Operate(t, random);
                Thread.Sleep(random.Next(0, 4));
            }

            // Let the engine settle: every directory watched once, and the consumer has read everything.
            DateTime deadline = DateTime.UtcNow + Timeouts.Bulk;
            while (true)
            {
                try
                {
                    TreeAudit.AssertEveryDirectoryWatchedOnce(w, tree);
                    break;
                }
                catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(100);
                }
            }

            File.WriteAllBytes(barrier, []);
            await consumer.WaitAsync(Timeouts.Bulk);

            GC.Collect();
            long endRss = Rss();
            int endThreads = OwnThreads();
            output.WriteLine($"{ops} operations, {forced} forced overflow bursts, {w.OverflowCount} overflows, {markers} drops, {rescans} rescans, " +
                $"{w.EventCount} events, {tree.DirectoryCount} directories, RSS {warmRss >> 20} -> {endRss >> 20} MiB, threads {warmThreads} -> {endThreads}");

            Assert.True(w.OverflowCount >= forced, "the bursts were meant to overflow the kernel's queue");
            // Each gap (a kernel overflow, or a drop because the consumer fell behind) gives at most one rescan.
            Assert.True(rescans <= w.OverflowCount + markers, $"{rescans} rescans for {w.OverflowCount} overflows and {markers} drops");
            SortedSet<string> disk = ConsumerView.Walk(t.Root);
            if (!disk.SetEquals(view.Entries))
            {
                // The missing entries' names anywhere, and every rename of a directory (their parents had other names before).
                var names = disk.Except(view.Entries).Concat(view.Entries.Except(disk)).Select(p => "/" + Path.GetFileName(p)).ToHashSet();
                foreach (string h in history.Where(h => names.Any(n => h.Contains(n + " ", StringComparison.Ordinal) || h.EndsWith(n, StringComparison.Ordinal))
                    || h.Contains(" Renamed ", StringComparison.Ordinal) || h.Contains("Rescan", StringComparison.Ordinal) || h.Contains("Overflow", StringComparison.Ordinal)).TakeLast(300))
                {
                    output.WriteLine(h);
                }
            }

            Assert.True(disk.SetEquals(view.Entries),
                $"missing from the events' picture: {string.Join(", ", disk.Except(view.Entries).Take(8))}; extra: {string.Join(", ", view.Entries.Except(disk).Take(8))}");
            Assert.True(endRss - warmRss < 64L << 20, $"RSS grew from {warmRss >> 20} to {endRss >> 20} MiB");
            Assert.True(endThreads <= warmThreads + 2, $"threads (the thread pool's aside) went from {warmThreads} to {endThreads}");
        }
    }

    /// <summary>One random operation somewhere in the tree; returns 1 when it did something.</summary>
    private static int Operate(TempTree t, Random random)
    {
        string[] dirs = [.. Directory.EnumerateDirectories(t.Root, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 })];
        if (dirs.Length == 0)
        {
            return 0;
        }

        string dir = dirs[random.Next(dirs.Length)];
        try
        {
            switch (random.Next(8))
            {
                case 0 or 1:
                    File.WriteAllBytes(Path.Combine(dir, $"f{random.Next(40)}"), [1]);
                    break;
                case 2:
                    File.AppendAllText(AnyFile(dir, random) ?? Path.Combine(dir, "x"), "more");
                    break;
                case 3 when AnyFile(dir, random) is { } file:
                    File.Move(file, Path.Combine(dirs[random.Next(dirs.Length)], $"m{random.Next(40)}"), overwrite: true);
                    break;
                case 4 when AnyFile(dir, random) is { } file:
                    File.Delete(file);
                    break;
                case 5 when Depth(t, dir) < 3:
                    // A new directory, and at once its parent renamed: the new one must still be watched.
                    string created = Path.Combine(dir, $"n{random.Next(20)}");
                    Directory.CreateDirectory(created);
                    File.WriteAllBytes(Path.Combine(created, "inner"), []);
                    string parent = Path.GetDirectoryName(dir)!;
                    Directory.Move(dir, Path.Combine(parent, $"r{random.Next(1000)}"));
                    break;
                case 6 when Depth(t, dir) >= 2:
                    Directory.Delete(dir, recursive: true);
                    break;
                case 7 when Depth(t, dir) < 3:
                    Directory.CreateDirectory(Path.Combine(dir, $"d{random.Next(20)}"));
                    break;
            }
        }
        catch (IOException)
        {
            // Another operation got there first (a name taken, a directory gone): part of the mix.
        }

        return 1;
    }

    private static string? AnyFile(string dir, Random random)
    {
        string[] files = Directory.GetFiles(dir);
        return files.Length == 0 ? null : files[random.Next(files.Length)];
    }

    private static int Depth(TempTree t, string dir) => Path.GetRelativePath(t.Root, dir).Count(c => c == '/') + 1;

    // The process's threads but the thread pool's: the pool grows and shrinks with the load on the machine (the
    // consumer here is a task), so counting its workers would measure the machine, not the engine.
    private static int OwnThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
        {
            try
            {
                return !File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET TP", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // the thread ended meanwhile
            }
        });

    private static long Rss()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
