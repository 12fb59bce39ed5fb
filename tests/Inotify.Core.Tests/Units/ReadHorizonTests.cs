namespace Inotify.Core.Tests.Units;

/// <summary>Scan de-duplication and the engine's own reads, with FIONREAD and the clock given by hand.</summary>
public sealed class ReadHorizonTests
{
    private static InotifyWatch Watch() => new(null!, 1, "/t", InotifyEventMask.All, WatchFlags.None, true, null);

    [Fact]
    public void AScannedNameSuppressesItsKernelTwinUntilTheHorizonIsReadPast()
    {
        int pending = 64;
        var horizon = new ReadHorizon(() => pending, () => 0);
        InotifyWatch w = Watch();

        // A read of 32 bytes is being processed, and 64 more are queued: the horizon is 96.
        horizon.BeginRead(32);
        horizon.BeginScan(w).UnionWith(["a", "b"]);
        horizon.Advance(32);
        horizon.EndRead();

        horizon.BeginRead(64);
        horizon.Advance(16);
        Assert.True(horizon.TakeScanned(w, "a"), "the Create queued before the scan ended is the scan's twin");
        Assert.False(horizon.TakeScanned(w, "a"), "only once");
        horizon.Advance(48);
        horizon.EndRead();

        horizon.BeginRead(16);
        horizon.Advance(16);
        Assert.False(horizon.TakeScanned(w, "b"), "past the horizon a Create is news");
    }

    [Fact]
    public void WithoutFionreadTheHorizonStillCoversWhatIsQueued()
    {
        var horizon = new ReadHorizon(() => null, () => 0);
        InotifyWatch w = Watch();
        horizon.BeginRead(0);
        horizon.BeginScan(w).Add("x");
        horizon.BeginRead(4096);
        horizon.Advance(4096);
        Assert.True(horizon.TakeScanned(w, "x"));
    }

    [Fact]
    public void AnOwnReadIsRecognisedByPathUntilBothItsBytesAndItsTimeHavePassed()
    {
        int pending = 48;
        var clock = new FakeClock(0);
        var horizon = new ReadHorizon(() => pending, clock.Read);
        horizon.BeginRead(0);
        horizon.NoteOwnRead("/t/d");
        Assert.True(horizon.HasTimedState);
        Assert.True(horizon.IsOwnRead("/t/d"));
        Assert.False(horizon.IsOwnRead("/t/other"));

        // Read past the bytes queued at the read: still covered for a short time (the close may trail).
        horizon.BeginRead(100);
        horizon.Advance(100);
        horizon.EndRead();
        Assert.True(horizon.IsOwnRead("/t/d"));
        clock.Now = ReadHorizon.OwnReadMilliseconds + 1;
        Assert.False(horizon.IsOwnRead("/t/d"));
        horizon.Expire();
        Assert.False(horizon.HasTimedState);
    }

    [Fact]
    public void ARepairsReportSuppressesALaterKernelCreateOfTheSameName()
    {
        var horizon = new ReadHorizon(() => 100, () => 0);
        InotifyWatch w = Watch();
        horizon.BeginRead(0);
        horizon.NoteReported(w, "x");
        horizon.NoteReported(w, "y");
        horizon.BeginRead(50);
        horizon.Advance(50);
        Assert.True(horizon.TakeScanned(w, "x"));
        Assert.True(horizon.TakeScanned(w, "y"));
    }
}
