using Inotify;
using Xunit;

namespace InotifyPS.Tests;

public sealed class ProgressThrottleTests
{
    [Fact]
    public void A_quick_walk_shows_nothing_and_a_long_one_is_shown_at_intervals()
    {
        long now = 1000;
        var throttle = new ProgressThrottle(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100), () => now);

        now += 299;
        Assert.False(throttle.ShouldReport());
        Assert.False(throttle.HasReported);
        now += 1;
        Assert.True(throttle.ShouldReport());
        Assert.True(throttle.HasReported);
        now += 99;
        Assert.False(throttle.ShouldReport());
        now += 1;
        Assert.True(throttle.ShouldReport());
    }

    [Fact]
    public void Percent_and_status_come_from_the_walk()
    {
        Assert.Equal(0, ProgressThrottle.PercentComplete(new RecursiveWatchProgress(0, 0, "/")));
        Assert.Equal(25, ProgressThrottle.PercentComplete(new RecursiveWatchProgress(25, 75, "/a")));
        Assert.Equal(99, ProgressThrottle.PercentComplete(new RecursiveWatchProgress(1000, 0, "/a")));
        Assert.Contains("25", ProgressThrottle.Describe(new RecursiveWatchProgress(25, 75, "/a")), StringComparison.Ordinal);
    }
}
