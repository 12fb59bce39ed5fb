using System.Diagnostics;
using Inotify.Interop;

namespace Inotify.Core.Tests;

/// <summary>
/// The writer probe against the kernel: the read lease is refused while a writer has the file open and granted when
/// none has, it never blocks, and a writer that opens the file while the lease is held does not kill this process.
/// </summary>
public sealed class LeaseProbeTests
{
    private readonly LeaseWriterProbe probe = new();

    [Fact]
    public void AClosedFileHasNoWriters()
    {
        using var dir = new TempDir();
        string f = dir["f"];
        File.WriteAllText(f, "done");
        Assert.Equal(WriterProbeResult.NoWriters, probe.Probe(f));
    }

    [Fact]
    public void AFileOpenForWritingHasAWriterAndAReaderIsNone()
    {
        using var dir = new TempDir();
        string f = dir["f"];
        using (var writer = new FileStream(f, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.Write(new byte[10]);
            Assert.Equal(WriterProbeResult.WriterOpen, probe.Probe(f));
            using var reader = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.Equal(WriterProbeResult.WriterOpen, probe.Probe(f));
        }

        using (new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            Assert.Equal(WriterProbeResult.NoWriters, probe.Probe(f));
        }
    }

    [Fact]
    public void WhatCannotBeProbedSaysWhy()
    {
        using var dir = new TempDir();
        Assert.Equal(WriterProbeResult.Gone, probe.Probe(dir["missing"]));
        File.WriteAllText(dir["target"], "x");
        File.CreateSymbolicLink(dir["link"], dir["target"]);
        Assert.Equal(WriterProbeResult.Unsupported, probe.Probe(dir["link"]));
        Assert.Equal(WriterProbeResult.Unsupported, probe.Probe(dir.CreateDirectory("sub")));
    }

    [Fact]
    public void AWriterOpeningWhileTheLeaseIsHeldWaitsForItsReleaseAndNobodyDies()
    {
        using var dir = new TempDir();
        string f = dir["f"];
        File.WriteAllText(f, "x");
        using SafeFdHandle fd = OpenForLease(f);
        Assert.Equal(0, Libc.Fcntl(fd, Libc.F_SETSIG, Libc.SIGURG));
        Assert.Equal(0, Libc.Fcntl(fd, Libc.F_SETLEASE, Libc.F_RDLCK));

        // The writer's open breaks the lease: the kernel signals this process (SIGURG, as the probe asks; the default,
        // SIGIO, would end it) and holds the writer until the lease is released.
        using Process writer = Process.Start(new ProcessStartInfo("sh", ["-c", ": >> \"$1\"", "sh", f]) { UseShellExecute = false })!;
        Assert.False(writer.WaitForExit(300), "The writer was not held by the lease: the lease break did not happen.");
        var released = Stopwatch.StartNew();
        Assert.Equal(0, Libc.Fcntl(fd, Libc.F_SETLEASE, Libc.F_UNLCK));
        Assert.True(writer.WaitForExit(Timeouts.ExpectedEvent), "The writer was not released with the lease.");
        Assert.True(released.Elapsed < TimeSpan.FromSeconds(2), $"The writer waited {released.Elapsed} after the release.");
        Assert.Equal(0, writer.ExitCode);
    }

    [Fact]
    public void ProbingThousandsOfTimesAgainstAWriterInATightLoopNeverBlocksOrKills()
    {
        using var dir = new TempDir();
        string f = dir["f"];
        File.WriteAllText(f, "x");
        string stop = dir["stop"];
        using Process writer = Process.Start(new ProcessStartInfo("sh", ["-c", "while [ ! -e \"$2\" ]; do : >> \"$1\"; done", "sh", f, stop])
        {
            UseShellExecute = false,
        })!;
        try
        {
            var counts = new Dictionary<WriterProbeResult, int>();
            TimeSpan slowest = TimeSpan.Zero;
            for (int i = 0; i < 5_000; i++)
            {
                long start = Stopwatch.GetTimestamp();
                WriterProbeResult r = probe.Probe(f);
                TimeSpan took = Stopwatch.GetElapsedTime(start);
                slowest = took > slowest ? took : slowest;
                counts[r] = counts.GetValueOrDefault(r) + 1;
            }

            Assert.False(writer.HasExited, "The writer loop ended early.");
            Assert.True(counts.Keys.All(k => k is WriterProbeResult.NoWriters or WriterProbeResult.WriterOpen),
                string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));

            // Never blocked: a probe that waited for a writer (or the writer for a lease) would take the lease-break time, 45 s.
            Assert.True(slowest < TimeSpan.FromSeconds(2), $"The slowest probe took {slowest}.");
        }
        finally
        {
            File.WriteAllText(stop, string.Empty);
            Assert.True(writer.WaitForExit(Timeouts.ExpectedEvent));
        }
    }

    private static unsafe SafeFdHandle OpenForLease(string path)
    {
        byte[] bytes = NativeName.EncodeNullTerminated(path);
        fixed (byte* p = bytes)
        {
            SafeFdHandle fd = Libc.OpenHandle(p, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            Assert.False(fd.IsInvalid);
            return fd;
        }
    }
}
