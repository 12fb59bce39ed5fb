namespace Inotify.Core.Tests.Units;

/// <summary>Rename pairing with synthetic MovedFroms and a clock moved by hand.</summary>
public sealed class RenamePairerTests
{
    private static PendingMove From(uint cookie, string path, long deadline, bool isDirectory = false) =>
        new(null!, Path.GetDirectoryName(path)!, (uint)InotifyEventMask.MovedFrom, cookie, Path.GetFileName(path), path, isDirectory, false, DateTime.UtcNow, deadline);

    [Fact]
    public void AMovedToFindsItsMovedFromByCookieEvenAfterOtherEvents()
    {
        var pairer = new RenamePairer();
        pairer.Add(From(7, "/t/a", 100));
        pairer.Add(From(8, "/t/b", 100));

        // A later read brings the MovedTo of the second rename first.
        Assert.Equal("/t/b", pairer.Take(8)?.Path);
        Assert.Equal("/t/a", pairer.Take(7)?.Path);
        Assert.Null(pairer.Take(7));
        Assert.Equal(0, pairer.Count);
    }

    [Fact]
    public void AMovedFromExpiresAtItsDeadlineNotBefore()
    {
        var clock = new FakeClock(0);
        var pairer = new RenamePairer();
        pairer.Add(From(1, "/t/late", 50));
        pairer.Add(From(2, "/t/early", 20));
        Assert.Equal(20, pairer.NextDeadline);

        clock.Now = 19;
        Assert.Empty(pairer.TakeExpired(clock.Now));
        clock.Now = 20;
        Assert.Equal(["/t/early"], pairer.TakeExpired(clock.Now).Select(m => m.Path));
        Assert.Equal(50, pairer.NextDeadline);
        clock.Now = 1_000;
        Assert.Equal(["/t/late"], pairer.TakeExpired(clock.Now).Select(m => m.Path));
        Assert.Null(pairer.NextDeadline);
    }

    [Fact]
    public void AnEventFromInsideAMovedDirectoryExpiresItsMoveButNotItsNeighbours()
    {
        var pairer = new RenamePairer();
        pairer.Add(From(1, "/t/dir", 100, isDirectory: true));
        pairer.Add(From(2, "/t/dir2", 100, isDirectory: true));
        pairer.Add(From(3, "/t/file", 100));
        Assert.True(pairer.HasDirectoryMoves);

        Assert.Equal(["/t/dir"], pairer.TakeDirectoriesContaining("/t/dir/sub").Select(m => m.Path));
        Assert.Equal(["/t/dir2"], pairer.TakeDirectoriesContaining("/t/dir2").Select(m => m.Path));
        Assert.Empty(pairer.TakeDirectoriesContaining("/t/file"));
        Assert.False(pairer.HasDirectoryMoves);
        Assert.Equal(1, pairer.Count);
    }

    [Fact]
    public void AReusedCookieHandsBackTheMoveItDisplaces()
    {
        var pairer = new RenamePairer();
        Assert.Null(pairer.Add(From(5, "/t/first", 10)));
        Assert.Equal("/t/first", pairer.Add(From(5, "/t/second", 20))?.Path);
        Assert.Equal("/t/second", pairer.Take(5)?.Path);
    }
}
