namespace Inotify.Core.Tests;

/// <summary>
/// Named waits. An expected event usually arrives within a millisecond, so its timeout is long: it only
/// matters when something is broken, and then a generous value avoids false failures on a loaded machine.
/// An unexpected event is waited for briefly: every test that proves an absence pays this time.
/// </summary>
internal static class Timeouts
{
    /// <summary>How long to wait for an event that must come.</summary>
    public static readonly TimeSpan ExpectedEvent = TimeSpan.FromSeconds(5);

    /// <summary>How long to watch for an event that must not come.</summary>
    public static readonly TimeSpan UnexpectedEvent = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the queue must stay empty before a drain counts as complete.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    /// <summary>Upper bound for a bulk phase (a flood of 20,000 files and reading it back).</summary>
    public static readonly TimeSpan Bulk = TimeSpan.FromSeconds(60);

    /// <summary>A helper process (dotnet start-up included).</summary>
    public static readonly TimeSpan Process = TimeSpan.FromSeconds(60);

    /// <summary>A waiter released by Dispose must return within this (the requirement is 100 ms; this is the test's generous bound).</summary>
    public static readonly TimeSpan DisposeRelease = TimeSpan.FromSeconds(1);
}
