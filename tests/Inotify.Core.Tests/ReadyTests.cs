using System.Diagnostics;

namespace Inotify.Core.Tests;

/// <summary>
/// Ready events against the kernel: a file is reported once it is complete (written and closed, or moved in, quiet,
/// and nobody has it open for writing), once per completed write, never under a temporary name.
/// </summary>
public sealed class ReadyTests
{
    /// <summary>How long to watch for a Ready that must not come: several settle windows.</summary>
    internal static readonly TimeSpan NoMoreReady = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void AWatchThatAsksOnlyForReadyGetsOnlyReady()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        File.WriteAllText(dir["a.txt"], "hello");

        List<InotifyEvent> events = w.ReadUntil(IsReady(dir["a.txt"]), "Ready a.txt");
        InotifyEvent ready = Assert.Single(events);
        Assert.Equal(InotifyEventMask.Ready, ready.Mask);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, ready.ReadyReason);
        Assert.Equal(EventSource.Kernel, ready.Source);
        Assert.Equal(dir.Path, ready.WatchPath);
        Assert.Equal("a.txt", ready.Name);
        Assert.False(ready.IsDirectory);
        Assert.Null(ready.Message);
        Assert.True(ready.WaitTime >= w.Options.Readiness.Settle, $"waited {ready.WaitTime}");
        w.ExpectNone(_ => true, "anything more", NoMoreReady);
    }

    [Fact]
    public void ReadyComesAfterTheEventsAskedForAndTheProbesOwnOpenAndCloseAreHidden()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready | InotifyEventMask.Open | InotifyEventMask.CloseWrite | InotifyEventMask.CloseNoWrite);
        string f = dir["a"];
        File.WriteAllText(f, "x");

        List<InotifyEvent> events = w.ReadUntil(IsReady(f), "Ready a");
        events.AddRange(w.DrainUntilQuiet());
        Assert.Equal([InotifyEventKind.Open, InotifyEventKind.CloseWrite, InotifyEventKind.Ready], events.Select(e => e.Kind));

        // Someone else opening it later is reported as usual.
        File.ReadAllText(f);
        w.Expect(e => e.Kind == InotifyEventKind.CloseNoWrite && e.Path == f, "the reader's CloseNoWrite");
    }

    [Fact]
    public void TwoWritersNoReadyUntilTheSecondCloses()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        string f = dir["shared.bin"];
        using (var second = new FileStream(f, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            using (var first = new FileStream(f, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                first.Write(new byte[4096]);
            }

            // The first writer's close is many settle windows ago: the lease still says the second one has it open.
            w.ExpectNone(_ => true, "a Ready while the second writer has the file open", TimeSpan.FromSeconds(1));
            second.Seek(0, SeekOrigin.End);
            second.Write(new byte[4096]);
        }

        long closed = Stopwatch.GetTimestamp();
        InotifyEvent ready = w.Expect(IsReady(f), "Ready after the second close");
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, ready.ReadyReason);
        Assert.True(Stopwatch.GetElapsedTime(closed) >= w.Options.Readiness.Settle);
        w.ExpectNone(_ => true, "a second Ready", NoMoreReady);
    }

    [Fact]
    public void CpOf200FilesGives200ReadyEachOnce()
    {
        using var source = new TempDir();
        using var dir = new TempDir();
        for (int i = 0; i < 200; i++)
        {
            File.WriteAllBytes(source[$"f{i:D3}.dat"], new byte[(i % 7) * 9000]);
        }

        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        using (Process cp = Process.Start(new ProcessStartInfo("cp", ["-r", source.Path + "/.", dir.Path]) { UseShellExecute = false })!)
        {
            Assert.True(cp.WaitForExit(Timeouts.Process));
            Assert.Equal(0, cp.ExitCode);
        }

        var ready = new List<InotifyEvent>();
        while (ready.Count < 200)
        {
            ready.Add(w.Expect(e => e.Kind == InotifyEventKind.Ready, $"Ready #{ready.Count + 1} of 200"));
        }

        ready.AddRange(w.ExpectNone(_ => true, "more than 200 events", NoMoreReady));
        Assert.Equal(200, ready.Select(e => e.Name).Distinct().Count());
        Assert.All(ready, e => Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, e.ReadyReason));
    }

    [Fact]
    public void ADownloadWrittenAsPartThenRenamedIsOneReadyForTheFinalName()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        string part = dir["x.part"];
        using (var s = new FileStream(part, FileMode.Create, FileAccess.Write))
        {
            for (int i = 0; i < 5; i++)
            {
                s.Write(new byte[64 * 1024]);
                s.Flush();
                Thread.Sleep(60); // longer than the settle window, while open: never Ready under the temporary name
            }
        }

        w.ExpectNone(_ => true, "a Ready for the temporary name", NoMoreReady);
        File.Move(part, dir["x"]);
        InotifyEvent ready = w.Expect(e => e.Kind == InotifyEventKind.Ready, "Ready x");
        Assert.Equal(dir["x"], ready.Path);
        w.ExpectNone(_ => true, "a second Ready", NoMoreReady);
    }

    [Fact]
    public void AFileWrittenAgainIsReadyAgainAndAFinishedFileRenamedIsNot()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready);
        string f = dir["report.csv"];
        File.WriteAllText(f, "1");
        w.Expect(IsReady(f), "the first Ready");
        File.AppendAllText(f, "2");
        w.Expect(IsReady(f), "Ready after the append");
        File.Move(f, dir["report.csv.done"]);
        w.ExpectNone(_ => true, "a Ready for the renamed file", NoMoreReady);
    }

    [Fact]
    public void ExistingFilesAreReadyFromTheScanThenNewOnesFromTheKernel()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 50; i++)
        {
            File.WriteAllText(dir[$"old{i:D2}"], "x");
        }

        File.WriteAllText(dir["half.part"], "x");
        dir.CreateDirectory("sub");
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready, WatchFlags.IncludeExisting);

        var found = new List<InotifyEvent>();
        while (found.Count < 50)
        {
            found.Add(w.Expect(e => e.Kind == InotifyEventKind.Ready, $"Ready #{found.Count + 1} of the 50 existing files"));
        }

        Assert.All(found, e => Assert.Equal(EventSource.Scan, e.Source));
        Assert.Equal(50, found.Select(e => e.Name).Distinct().Count());
        Assert.All(found, e => Assert.StartsWith("old", e.Name, StringComparison.Ordinal));

        File.WriteAllText(dir["new"], "y");
        InotifyEvent fresh = w.Expect(e => e.Kind == InotifyEventKind.Ready, "Ready new");
        Assert.Equal("new", fresh.Name);
        Assert.Equal(EventSource.Kernel, fresh.Source);
        w.ExpectNone(_ => true, "anything more", NoMoreReady);
    }

    [Fact]
    public void ARecursiveWatchIncludesExistingFilesAndFindsFilesInNewDirectories()
    {
        using var dir = new TempDir();
        dir.CreateDirectory("a/b");
        File.WriteAllText(dir["top"], "x");
        File.WriteAllText(dir["a/mid"], "x");
        File.WriteAllText(dir["a/b/deep"], "x");
        using var source = new TempDir();
        source.CreateDirectory("c/d");
        File.WriteAllText(source["c/one"], "1");
        File.WriteAllText(source["c/d/two"], "2");

        using var w = new InotifyWatcher();
        w.AddRecursive(dir.Path, InotifyEventMask.Ready, new RecursiveWatchOptions { IncludeExisting = true });
        List<InotifyEvent> existing = ReadReady(w, 3);
        Assert.Equal(new[] { dir["a/b/deep"], dir["a/mid"], dir["top"] }, existing.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(existing, e => Assert.Equal(EventSource.Scan, e.Source));

        using (Process cp = Process.Start(new ProcessStartInfo("cp", ["-r", source["c"], dir["a/b"]]) { UseShellExecute = false })!)
        {
            Assert.True(cp.WaitForExit(Timeouts.Process));
        }

        List<InotifyEvent> copied = ReadReady(w, 2);
        Assert.Equal(new[] { dir["a/b/c/d/two"], dir["a/b/c/one"] }, copied.Select(e => e.Path).Order(StringComparer.Ordinal));
        w.ExpectNone(_ => true, "anything more", NoMoreReady);
    }

    [Fact]
    public void IncludeExistingWithoutReadyIsRefused()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        Assert.Throws<ArgumentException>(() => w.Add(dir.Path, InotifyEventMask.Create, WatchFlags.IncludeExisting));
        Assert.Throws<ArgumentException>(() => w.AddRecursive(dir.Path, InotifyEventMask.Create, new RecursiveWatchOptions { IncludeExisting = true }));
        Assert.Equal(0, w.WatchCount);
    }

    [Fact]
    public void ReadyHonoursTheWatchFilter()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Ready, filter: new PathFilter(["*.csv"], null));
        File.WriteAllText(dir["skip.txt"], "x");
        File.WriteAllText(dir["take.csv"], "x");
        Assert.Equal("take.csv", w.Expect(e => e.Kind == InotifyEventKind.Ready, "Ready take.csv").Name);
        w.ExpectNone(_ => true, "a Ready for skip.txt", NoMoreReady);
    }

    internal static Func<InotifyEvent, bool> IsReady(string path) => e => e.Kind == InotifyEventKind.Ready && e.Path == path;

    internal static List<InotifyEvent> ReadReady(InotifyWatcher w, int count)
    {
        var ready = new List<InotifyEvent>();
        while (ready.Count < count)
        {
            ready.Add(w.Expect(e => e.Kind == InotifyEventKind.Ready, $"Ready #{ready.Count + 1} of {count}"));
        }

        return ready;
    }
}
