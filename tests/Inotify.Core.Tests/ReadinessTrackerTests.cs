namespace Inotify.Core.Tests;

/// <summary>
/// The readiness state machine on its own: observations and a hand-moved clock in, decisions out. The probe and stat
/// are stand-ins that say what a test sets (the real probe has its own tests against the kernel, in LeaseProbeTests).
/// </summary>
public sealed class ReadinessTrackerTests
{
    private const long Settle = 40;
    private const long Unprobed = 1000;
    private const long MaxWait = 10_000;

    private readonly FakeFiles files = new();
    private readonly ReadinessTracker tracker;
    private readonly List<ReadyDecision> decided = [];
    private long now = 1_000;

    public ReadinessTrackerTests()
    {
        tracker = new ReadinessTracker(
            new ReadinessOptions
            {
                Settle = TimeSpan.FromMilliseconds(Settle),
                UnprobedSettle = TimeSpan.FromMilliseconds(Unprobed),
                MaxWait = TimeSpan.FromMilliseconds(MaxWait),
            },
            files,
            files.Stat);
    }

    [Fact]
    public void AWrittenAndClosedFileIsReadyAfterTheSettleWindowWhenNobodyWrites()
    {
        Write("/d/a", size: 10);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Assert.Equal(now + Settle, tracker.NextDeadline());

        Advance(Settle - 1);
        Assert.Empty(decided);
        Advance(1);
        ReadyDecision d = Assert.Single(decided);
        Assert.Equal("/d/a", d.Path);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, d.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(Settle), d.WaitTime);
        Assert.False(d.FromScan);
        Assert.Null(tracker.NextDeadline());
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void AWriterThatReopensWithinTheWindowKeepsTheFileFromBeingReady()
    {
        Write("/d/a", size: 10);
        Observe(FileActivity.ClosedWrite, "/d/a");
        files.Writers.Add("/d/a"); // reopened at once, nothing written yet
        Advance(Settle);
        Assert.Empty(decided);

        // Still open a long while: only looked at now and then, never reported.
        Advance(5_000);
        Assert.Empty(decided);
        Assert.True(files.Probes > 1);

        Write("/d/a", size: 20);
        files.Writers.Remove("/d/a");
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, Assert.Single(decided).Reason);
    }

    [Fact]
    public void AWriteAfterTheCloseStartsOverAndTheNextCloseDecides()
    {
        Write("/d/a", size: 10);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle / 2);
        files.Writers.Add("/d/a");
        Write("/d/a", size: 20);
        Advance(Settle);
        Assert.Empty(decided);
        files.Writers.Remove("/d/a");
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Single(decided);
    }

    [Fact]
    public void AChangeWithoutAnEventRestartsTheWindow()
    {
        Write("/d/a", size: 10);
        Observe(FileActivity.ClosedWrite, "/d/a");
        files.Stamps["/d/a"] = files.Stamps["/d/a"] with { Size = 11 }; // written through mmap or another path
        Advance(Settle);
        Assert.Empty(decided);
        Advance(Settle);
        Assert.Single(decided);
    }

    [Fact]
    public void AFileWrittenAgainLaterIsReadyAgainButABareCloseIsNot()
    {
        Write("/d/a", size: 10);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Single(decided);

        // Opened for writing and closed, nothing changed: not news.
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Single(decided);

        Write("/d/a", size: 30);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Equal(2, decided.Count);
    }

    [Fact]
    public void TemporaryNamesAreNeverReadyButTheirRenameIs()
    {
        foreach (string name in new[] { "x.part", "x.tmp", "x.crdownload", ".x.swp", "~x", "x~", ".x.Ab3xYz" })
        {
            Write("/d/" + name, size: 5);
            Observe(FileActivity.ClosedWrite, "/d/" + name);
        }

        Advance(MaxWait * 2);
        Assert.Empty(decided);

        files.Stamps["/d/x"] = files.Stamps["/d/x.part"];
        Observe(FileActivity.MovedFrom, "/d/x.part", cookie: 7);
        Observe(FileActivity.MovedTo, "/d/x", cookie: 7);
        Advance(Settle);
        Assert.Equal("/d/x", Assert.Single(decided).Path);
    }

    [Fact]
    public void AFinishedFileRenamedWithinTheWatchIsNotReadyAgain()
    {
        Write("/d/a", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Single(decided);

        files.Stamps["/d/a.done"] = files.Stamps["/d/a"];
        Observe(FileActivity.MovedFrom, "/d/a", cookie: 3);
        Observe(FileActivity.MovedTo, "/d/a.done", cookie: 3);
        Advance(Settle);
        Assert.Single(decided);
    }

    [Fact]
    public void AFileMovedInFromOutsideIsReady()
    {
        Write("/d/in", size: 9);
        Observe(FileActivity.MovedTo, "/d/in", cookie: 99);
        Advance(Settle);
        Assert.Equal("/d/in", Assert.Single(decided).Path);
    }

    [Fact]
    public void AFileRenamedWhileBeingWrittenKeepsItsStateUnderTheNewName()
    {
        files.Writers.Add("/d/a");
        Write("/d/a", size: 1);
        Observe(FileActivity.Created, "/d/a");
        files.Stamps["/d/b"] = files.Stamps["/d/a"];
        files.Writers.Add("/d/b");
        Observe(FileActivity.MovedFrom, "/d/a", cookie: 5);
        Observe(FileActivity.MovedTo, "/d/b", cookie: 5);
        Advance(2_000);
        Assert.Empty(decided);

        files.Writers.Remove("/d/b");
        Observe(FileActivity.ClosedWrite, "/d/b");
        Advance(Settle);
        Assert.Equal("/d/b", Assert.Single(decided).Path);
    }

    [Fact]
    public void FilesFollowTheirDirectoryWhenItIsRenamed()
    {
        Write("/d/sub/a", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/sub/a");
        files.Stamps["/d/new/a"] = files.Stamps["/d/sub/a"];
        Observe(FileActivity.MovedFrom, "/d/sub", isDirectory: true, cookie: 9);
        Observe(FileActivity.MovedTo, "/d/new", isDirectory: true, cookie: 9);
        Advance(Settle);
        Assert.Equal("/d/new/a", Assert.Single(decided).Path);
    }

    [Fact]
    public void ADeletedFileIsForgotten()
    {
        Write("/d/a", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/a");
        files.Stamps.Remove("/d/a");
        Observe(FileActivity.Deleted, "/d/a");
        Advance(MaxWait * 2);
        Assert.Empty(decided);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void AFileKeptOpenIsReportedOnceAtMaxWaitAndAgainWhenFinished()
    {
        files.Writers.Add("/d/log");
        Write("/d/log", size: 1);
        Observe(FileActivity.Created, "/d/log");
        for (int i = 0; i < (MaxWait / 100) - 1; i++)
        {
            Advance(100);
            Write("/d/log", size: 2 + i);
            Observe(FileActivity.Modified, "/d/log");
        }

        Assert.Empty(decided);
        Advance(100);
        ReadyDecision stuck = Assert.Single(decided);
        Assert.Equal(ReadyReason.MaxWaitExceeded, stuck.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(MaxWait), stuck.WaitTime);

        // Still written: not reported again, and not looked at any more.
        int probes = files.Probes;
        for (int i = 0; i < 50; i++)
        {
            Advance(100);
            Write("/d/log", size: 1000 + i);
            Observe(FileActivity.Modified, "/d/log");
        }

        Assert.Single(decided);
        Assert.Equal(probes, files.Probes);
        Assert.Null(tracker.NextDeadline());

        files.Writers.Remove("/d/log");
        Observe(FileActivity.ClosedWrite, "/d/log");
        Advance(Settle);
        Assert.Equal(2, decided.Count);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, decided[1].Reason);
    }

    [Fact]
    public void WhereTheProbeCannotTellTheLongerQuietWindowDecidesAndSaysWhy()
    {
        files.Answer = WriterProbeResult.NotOwner;
        Write("/d/a", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Settle);
        Assert.Empty(decided);
        Assert.Equal(now - Settle + Unprobed, tracker.NextDeadline());
        Advance(Unprobed - Settle);
        ReadyDecision d = Assert.Single(decided);
        Assert.Equal(ReadyReason.Quiet | ReadyReason.NotOwner, d.Reason);
    }

    [Theory]
    [InlineData(nameof(WriterProbeResult.Unsupported), ReadyReason.LeasesUnsupported)]
    [InlineData(nameof(WriterProbeResult.LeaseHeld), ReadyReason.LeaseHeld)]
    [InlineData(nameof(WriterProbeResult.NotReadable), ReadyReason.NotReadable)]
    [InlineData(nameof(WriterProbeResult.Failed), ReadyReason.ProbeFailed)]
    public void EveryReasonTheProbeCannotAnswerIsNamed(string answer, ReadyReason reason)
    {
        files.Answer = Enum.Parse<WriterProbeResult>(answer);
        Write("/d/a", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Unprobed);
        Assert.Equal(ReadyReason.Quiet | reason, Assert.Single(decided).Reason);
    }

    [Fact]
    public void WithoutTheProbeAFileKeptOpenIsNotReadyUntilItsWriterCloses()
    {
        files.Answer = WriterProbeResult.NotOwner;
        Write("/d/a", size: 1);
        Observe(FileActivity.Created, "/d/a");
        Advance(Unprobed * 3); // a writer pausing longer than the quiet window, file still open
        Assert.Empty(decided);
        Observe(FileActivity.ClosedWrite, "/d/a");
        Advance(Unprobed);
        Assert.Single(decided);
    }

    [Fact]
    public void AFileMadeWithoutAClose_AHardLink_IsReadyOnceNobodyWrites()
    {
        Write("/d/link", size: 3);
        Observe(FileActivity.Created, "/d/link");
        Advance(Settle);
        Advance(Settle);
        Assert.Equal(ReadyReason.NoWriters | ReadyReason.Quiet, Assert.Single(decided).Reason);
    }

    [Fact]
    public void SomethingThatIsNotARegularFileIsNeverReady()
    {
        Observe(FileActivity.Created, "/d/symlink"); // stat says: not a regular file
        Advance(MaxWait * 2);
        Assert.Empty(decided);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void FoundFilesComeFromTheScanUnlessTheKernelSaysMore()
    {
        Write("/d/old", size: 1);
        Write("/d/busy", size: 1);
        Observe(FileActivity.Found, "/d/old");
        Observe(FileActivity.Found, "/d/busy");
        Observe(FileActivity.Modified, "/d/busy");
        Observe(FileActivity.ClosedWrite, "/d/busy");
        Advance(Settle);
        Assert.Equal(2, decided.Count);
        Assert.True(decided.Single(d => d.Path == "/d/old").FromScan);
        Assert.False(decided.Single(d => d.Path == "/d/busy").FromScan);
    }

    [Fact]
    public void ForgetUnderDropsTheFilesOfAWatchThatEnded()
    {
        Write("/d/sub/a", size: 1);
        Write("/d/subway", size: 1);
        Observe(FileActivity.ClosedWrite, "/d/sub/a");
        Observe(FileActivity.ClosedWrite, "/d/subway");
        tracker.ForgetUnder("/d/sub");
        Advance(Settle);
        Assert.Equal("/d/subway", Assert.Single(decided).Path);
    }

    [Fact]
    public void ManyFilesCostOneDeadlineEachAndAreDecidedInOrder()
    {
        for (int i = 0; i < 5_000; i++)
        {
            Write($"/d/f{i}", size: i);
            Observe(FileActivity.Created, $"/d/f{i}");
            Observe(FileActivity.Modified, $"/d/f{i}");
            Observe(FileActivity.ClosedWrite, $"/d/f{i}");
            now++;
        }

        Advance(Settle);
        Assert.Equal(5_000, decided.Count);
        Assert.Equal(5_000, decided.Select(d => d.Path).Distinct().Count());
        Assert.Equal(5_000, files.Probes);
    }

    private void Write(string path, long size) =>
        files.Stamps[path] = new FileStamp(1, size, DateTime.UnixEpoch.AddTicks(size + (now * TimeSpan.TicksPerMillisecond)));

    private void Observe(FileActivity activity, string path, bool isDirectory = false, uint cookie = 0) =>
        tracker.Observe(activity, path, isDirectory, now, cookie);

    /// <summary>Moves the clock by <paramref name="ms"/>, deciding at every deadline on the way, as the reader thread does.</summary>
    private void Advance(long ms)
    {
        long end = now + ms;
        while (tracker.NextDeadline() is { } due && due <= end)
        {
            now = Math.Max(now, due);
            tracker.CollectDue(now, decided);
        }

        now = end;
        tracker.CollectDue(now, decided);
    }

    private sealed class FakeFiles : IWriterProbe
    {
        public Dictionary<string, FileStamp> Stamps { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Writers { get; } = new(StringComparer.Ordinal);

        public WriterProbeResult Answer { get; set; } = WriterProbeResult.NoWriters;

        public int Probes { get; private set; }

        public FileStamp? Stat(string path) => Stamps.TryGetValue(path, out FileStamp s) ? s : null;

        public WriterProbeResult Probe(string path)
        {
            Probes++;
            return !Stamps.ContainsKey(path) ? WriterProbeResult.Gone
                : Answer != WriterProbeResult.NoWriters ? Answer
                : Writers.Contains(path) ? WriterProbeResult.WriterOpen
                : WriterProbeResult.NoWriters;
        }
    }
}
