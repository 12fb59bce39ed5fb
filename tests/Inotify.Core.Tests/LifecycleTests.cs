using System.Diagnostics;
using System.Globalization;

namespace Inotify.Core.Tests;

/// <summary>
/// What a watcher leaves behind: nothing. Counted process-wide (descriptors, threads, watches), so these
/// run alone in <see cref="SerialCollection"/>.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LifecycleTests(ITestOutputHelper output)
{
    private const string ReaderComm = "inotify reader "; // the thread name as the kernel keeps it (15 bytes)

    [Fact]
    public void TenThousandCreateDisposeCyclesLeaveDescriptorAndThreadCountsWhereTheyStarted()
    {
        const int cycles = 10_000;
        using var dir = new TempDir();
        for (int i = 0; i < 20; i++)
        {
            Cycle(dir.Path, i);
        }

        // Descriptors earlier tests left to the finalizer are closed now, not during the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int fdsBefore = CountDescriptors();
        int inotifyBefore = CountDescriptors("anon_inode:inotify");
        int eventfdBefore = CountDescriptors("anon_inode:[eventfd]");
        int threadsBefore = CountThreads();
        var sw = Stopwatch.StartNew();

        // Two at a time: the kernel's teardown of an instance is not free; the counts are process-wide anyway.
        Parallel.For(0, cycles, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => Cycle(dir.Path, i));
        TimeSpan took = sw.Elapsed;

        int fdsAfter = CountDescriptors();
        int threadsAfter = WaitForThreads(threadsBefore);
        output.WriteLine($"{cycles} cycles in {took.TotalSeconds:F1} s; descriptors {fdsBefore} -> {fdsAfter}; threads {threadsBefore} -> {threadsAfter}; reader threads left: {CountReaderThreads()}");
        // The engine's own descriptors come back exactly; the process's total may move by a couple that the
        // runtime and the test host open on their own (a leak per cycle would show thousands).
        Assert.Equal(inotifyBefore, CountDescriptors("anon_inode:inotify"));
        Assert.Equal(eventfdBefore, CountDescriptors("anon_inode:[eventfd]"));
        Assert.InRange(fdsAfter, fdsBefore - 4, fdsBefore + 4);
        Assert.InRange(threadsAfter, 0, threadsBefore + 2); // the runtime's own pool may grow by a thread or two
        Assert.Equal(0, CountReaderThreads());
    }

    [Fact]
    public void TheReaderThreadIsNamedAndDisposeEndsItAndClosesTheDescriptor()
    {
        int readersBefore = CountReaderThreads();
        int instancesBefore = InotifyUsage.ForProcess(Environment.ProcessId)?.Instances ?? 0;
        var a = new InotifyWatcher();
        var b = new InotifyWatcher();
        Assert.NotEqual(a.Id, b.Id);
        Assert.True(SpinWait.SpinUntil(() => CountReaderThreads() == readersBefore + 2, Timeouts.ExpectedEvent), "two reader threads should be running");
        Assert.Equal(instancesBefore + 2, InotifyUsage.ForProcess(Environment.ProcessId)!.Instances);

        // The full managed name carries the watcher's number.
        Assert.Equal($"inotify reader #{a.Id}", ReaderThreadOf(a).Name);
        Assert.Equal($"inotify reader #{b.Id}", ReaderThreadOf(b).Name);
        Assert.True(ReaderThreadOf(a).IsBackground);

        // Dispose returns after the reader ended (joined) and the descriptor is closed. The kernel task of
        // the thread may outlive Join by a moment, so its disappearance from /proc is waited for.
        a.Dispose();
        Assert.False(ReaderThreadOf(a).IsAlive);
        Assert.Equal(instancesBefore + 1, InotifyUsage.ForProcess(Environment.ProcessId)?.Instances ?? 0);
        Assert.True(SpinWait.SpinUntil(() => CountReaderThreads() == readersBefore + 1, Timeouts.ExpectedEvent), "a's reader thread is still there");
        b.Dispose();
        Assert.False(ReaderThreadOf(b).IsAlive);
        Assert.Equal(instancesBefore, InotifyUsage.ForProcess(Environment.ProcessId)?.Instances ?? 0);
        Assert.True(SpinWait.SpinUntil(() => CountReaderThreads() == readersBefore, Timeouts.ExpectedEvent), "b's reader thread is still there");
    }

    private static void Cycle(string dir, int i)
    {
        using var w = new InotifyWatcher();
        if (i % 10 == 0)
        {
            w.Add(dir, InotifyEventMask.Create);
        }
    }

    private static Thread ReaderThreadOf(InotifyWatcher w)
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
        object reader = typeof(InotifyWatcher).GetFields(Private).Single(f => f.FieldType == typeof(ReaderThread)).GetValue(w)!;
        return (Thread)typeof(ReaderThread).GetFields(Private).Single(f => f.FieldType == typeof(Thread)).GetValue(reader)!;
    }

    private static int CountDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static int CountDescriptors(string linkTarget) =>
        Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget == linkTarget);

    private static int CountThreads()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Thread exit is asynchronous to Join's return by a hair; give the count a moment to settle.</summary>
    private static int WaitForThreads(int target)
    {
        SpinWait.SpinUntil(() => CountThreads() <= target, TimeSpan.FromSeconds(2));
        return CountThreads();
    }

    private static int CountReaderThreads()
    {
        int n = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ReaderComm)
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return n;
    }
}
