namespace Inotify;

/// <summary>
/// Decides when a file is Ready: it was written (closed after writing) or arrived (renamed in, or found by a scan),
/// stayed quiet (no write, same size and modification time) for the settle window, and the writer probe says nobody
/// has it open for writing. Where the probe cannot answer, a longer quiet window decides alone. A file still not
/// ready after MaxWait is reported once as such. Temporary names are never Ready; their rename to a final name is.
/// </summary>
/// <remarks>
/// A pure state machine: it is told what happened and when (milliseconds of some clock), asks the probe and
/// <c>stat</c> only when a file's window has passed, and says when it next needs to be asked
/// (<see cref="NextDeadline"/>). The reader thread drives it, under the engine lock. A file that was reported stays
/// unknown until it is written again; a close that changed nothing since the report is not reported again.
/// </remarks>
internal sealed class ReadinessTracker
{
    private const long FirstReprobeMilliseconds = 1_000;
    private const long LastReprobeMilliseconds = 30_000;
    private const long MoveMemoryMilliseconds = 2_000;

    // Files reported Ready, with what they looked like then: a later close that changed nothing is not news. Bounded:
    // when it is full it is emptied, and such a close is reported once more.
    private const int ReportedLimit = 65_536;

    private readonly IWriterProbe probe;
    private readonly Func<string, FileStamp?> stat;
    private readonly TemporaryNames temporary;
    private readonly long settle;
    private readonly long unprobedSettle;
    private readonly long maxWait;
    private readonly Dictionary<string, TrackedFile> entries = new(StringComparer.Ordinal);
    private readonly PriorityQueue<TrackedFile, long> deadlines = new();
    private readonly Dictionary<uint, Move> moves = [];
    private readonly Dictionary<string, FileStamp> reported = new(StringComparer.Ordinal);

    /// <param name="options">Windows and temporary names.</param>
    /// <param name="probe">Whether anyone has a file open for writing.</param>
    /// <param name="stat">A regular file's stamp, or null when the path is gone or is not a regular file.</param>
    internal ReadinessTracker(ReadinessOptions options, IWriterProbe probe, Func<string, FileStamp?> stat)
    {
        this.probe = probe;
        this.stat = stat;
        temporary = new TemporaryNames(options.TemporaryNames);
        settle = (long)options.Settle.TotalMilliseconds;
        unprobedSettle = Math.Max(settle, (long)options.UnprobedSettle.TotalMilliseconds);
        maxWait = options.MaxWait == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)options.MaxWait.TotalMilliseconds;
    }

    /// <summary>Files followed now.</summary>
    internal int Count => entries.Count;

    /// <summary>True when the name is temporary (never Ready).</summary>
    internal bool IsTemporary(string name) => temporary.Matches(name);

    /// <summary>When the tracker next has something to decide (milliseconds of the clock), or null.</summary>
    internal long? NextDeadline()
    {
        while (deadlines.TryPeek(out TrackedFile? e, out long due))
        {
            if (IsCurrent(e, due))
            {
                return due;
            }

            deadlines.Dequeue();
        }

        return null;
    }

    /// <summary>Takes note of something that happened to <paramref name="path"/> at <paramref name="now"/>.</summary>
    internal void Observe(FileActivity activity, string path, bool isDirectory, long now, uint cookie = 0)
    {
        if (isDirectory)
        {
            ObserveDirectory(activity, path, now, cookie);
            return;
        }

        bool temp = temporary.Matches(System.IO.Path.GetFileName(path));
        switch (activity)
        {
            case FileActivity.Created or FileActivity.Modified when !temp:
                OnWrite(path, now);
                break;
            case FileActivity.ClosedWrite when !temp:
                Settle(GetOrAdd(path, now, changed: false), now, fromScan: false);
                break;
            case FileActivity.Attrib when entries.TryGetValue(path, out TrackedFile? e) && e.State == TrackedState.Settling:
                Settle(e, now, e.FromScan);
                break;
            case FileActivity.MovedFrom:
                entries.Remove(path, out TrackedFile? leaving);
                reported.Remove(path);
                ForgetOldMoves(now);
                moves[cookie] = new Move(path, leaving, temp, now, null);
                break;
            case FileActivity.MovedTo:
                OnArrival(path, temp, now, cookie);
                break;
            case FileActivity.Deleted:
                entries.Remove(path);
                reported.Remove(path);
                break;
            case FileActivity.Found when !temp && !entries.ContainsKey(path):
                Settle(GetOrAdd(path, now, changed: true), now, fromScan: true);
                break;
        }
    }

    /// <summary>Stops following everything at or under <paramref name="path"/> (its watch ended).</summary>
    internal void ForgetUnder(string path)
    {
        foreach (string p in entries.Keys)
        {
            if (IsAtOrUnder(p, path))
            {
                entries.Remove(p);
            }
        }
    }

    /// <summary>Decides every file whose window has passed by <paramref name="now"/>; the decisions go into <paramref name="into"/>.</summary>
    internal void CollectDue(long now, List<ReadyDecision> into)
    {
        while (deadlines.TryPeek(out TrackedFile? e, out long due) && due <= now)
        {
            deadlines.Dequeue();
            if (IsCurrent(e, due))
            {
                Decide(e, now, into);
            }
        }

        // Deadlines that were moved or whose file was decided stay queued until their time; rebuild when they pile up.
        if (deadlines.Count > (2 * entries.Count) + 64)
        {
            deadlines.Clear();
            foreach (TrackedFile e in entries.Values)
            {
                if (e.Deadline != long.MaxValue)
                {
                    deadlines.Enqueue(e, e.Deadline);
                }
            }
        }
    }

    private static bool IsAtOrUnder(string p, string dir) =>
        p.Length >= dir.Length && p.StartsWith(dir, StringComparison.Ordinal) && (p.Length == dir.Length || p[dir.Length] == '/' || dir.EndsWith('/'));

    private bool IsCurrent(TrackedFile e, long due) => e.Deadline == due && entries.TryGetValue(e.Path, out TrackedFile? live) && live == e;

    private void OnWrite(string path, long now)
    {
        TrackedFile e = GetOrAdd(path, now, changed: true);
        e.Changed = true;
        e.FromScan = false;
        if (e.State == TrackedState.Settling)
        {
            // Written again: whoever writes will close it, and that close starts the next window.
            e.State = TrackedState.Writing;
            e.Reprobe = 0;
            Schedule(e, now + settle);
        }
    }

    private void OnArrival(string path, bool temp, long now, uint cookie)
    {
        Move? from = cookie != 0 && moves.Remove(cookie, out Move m) ? m : null;
        if (temp)
        {
            return;
        }

        if (from is { File: { } entry })
        {
            // Renamed while followed: it keeps its state under the new name.
            entry.Path = path;
            entries[path] = entry;
            Schedule(entry, entry.Deadline);
        }
        else if (from is null || from.Value.WasTemporary)
        {
            // Moved in from outside, or a temporary name became a final one: it has arrived.
            Settle(GetOrAdd(path, now, changed: true), now, fromScan: false);
        }

        // Otherwise a finished file was renamed within the watched set: nothing new arrived.
    }

    private void ObserveDirectory(FileActivity activity, string path, long now, uint cookie)
    {
        switch (activity)
        {
            case FileActivity.MovedFrom:
                // The files followed under it go with it, and come back under its new name if it stays watched.
                List<TrackedFile> inside = [.. entries.Values.Where(e => IsAtOrUnder(e.Path, path))];
                foreach (TrackedFile e in inside)
                {
                    entries.Remove(e.Path);
                }

                ForgetOldMoves(now);
                moves[cookie] = new Move(path, null, false, now, inside);
                break;
            case FileActivity.MovedTo when cookie != 0 && moves.Remove(cookie, out Move m) && m.Inside is { } moved:
                foreach (TrackedFile e in moved)
                {
                    e.Path = path + e.Path[m.Path.Length..];
                    entries[e.Path] = e;
                    Schedule(e, e.Deadline);
                }

                break;
            case FileActivity.Deleted:
                ForgetUnder(path);
                break;
        }
    }

    /// <summary>
    /// A file not followed yet starts as being written, with a look after the settle window: a writer that is still
    /// there then is asked about again later, and a file made without a close (a hard link) is found complete.
    /// </summary>
    private TrackedFile GetOrAdd(string path, long now, bool changed)
    {
        if (!entries.TryGetValue(path, out TrackedFile? e))
        {
            e = new TrackedFile(path) { FirstSeen = now, Changed = changed };
            entries[path] = e;
            Schedule(e, now + settle);
        }

        return e;
    }

    /// <summary>Written and closed, or arrived: quiet from now on, it is looked at after the settle window.</summary>
    private void Settle(TrackedFile e, long now, bool fromScan)
    {
        FileStamp? stamp = stat(e.Path);
        if (stamp is null)
        {
            entries.Remove(e.Path);
            return;
        }

        e.State = TrackedState.Settling;
        e.Stamp = stamp;
        e.LastActivity = now;
        e.FromScan = fromScan;
        e.Reprobe = 0;
        e.Unprobed = ReadyReason.None;
        Schedule(e, now + settle);
    }

    private void Decide(TrackedFile e, long now, List<ReadyDecision> into)
    {
        if (e.State == TrackedState.Writing)
        {
            // No close came yet: is the writer still there? (Its close may also have gone to another directory's watch.)
            switch (probe.Probe(e.Path))
            {
                case WriterProbeResult.NoWriters:
                    Settle(e, now, e.FromScan);
                    return;
                case WriterProbeResult.WriterOpen:
                    StillWriting(e, now, into);
                    return;
                case WriterProbeResult.Gone:
                    entries.Remove(e.Path);
                    return;
                default:
                    // The probe cannot tell, so only the writer's close can: wait for it, up to MaxWait.
                    GiveUp(e, now, into);
                    return;
            }
        }

        FileStamp? stamp = stat(e.Path);
        if (stamp is null)
        {
            entries.Remove(e.Path);
            return;
        }

        if (stamp != e.Stamp)
        {
            // Changed without an event we saw (mmap, another path to it): quiet starts again.
            e.Stamp = stamp;
            e.LastActivity = now;
            Schedule(e, now + (e.Unprobed == ReadyReason.None ? settle : unprobedSettle));
            return;
        }

        if (e.Unprobed == ReadyReason.None)
        {
            WriterProbeResult result = probe.Probe(e.Path);
            switch (result)
            {
                case WriterProbeResult.NoWriters:
                    Report(e, ReadyReason.NoWriters | ReadyReason.Quiet, now, into);
                    return;
                case WriterProbeResult.WriterOpen:
                    e.State = TrackedState.Writing;
                    StillWriting(e, now, into);
                    return;
                case WriterProbeResult.Gone:
                    entries.Remove(e.Path);
                    return;
                default:
                    e.Unprobed = result.AsReadyReason();
                    break;
            }
        }

        if (now - e.LastActivity >= unprobedSettle)
        {
            Report(e, ReadyReason.Quiet | e.Unprobed, now, into);
        }
        else
        {
            Schedule(e, e.LastActivity + unprobedSettle);
        }
    }

    private void StillWriting(TrackedFile e, long now, List<ReadyDecision> into)
    {
        if (!e.MaxWaitReported && now >= MaxWaitDue(e))
        {
            GiveUp(e, now, into);
            return;
        }

        e.Reprobe = e.Reprobe == 0 ? FirstReprobeMilliseconds : Math.Min(e.Reprobe * 2, LastReprobeMilliseconds);
        Schedule(e, Math.Min(now + e.Reprobe, MaxWaitDue(e)));
    }

    /// <summary>
    /// Waits for the writer's close without looking again; once MaxWait has passed the file is reported, once, and
    /// then followed without a deadline until it is written and closed.
    /// </summary>
    private void GiveUp(TrackedFile e, long now, List<ReadyDecision> into)
    {
        if (!e.MaxWaitReported && now >= MaxWaitDue(e))
        {
            if (stat(e.Path) is null)
            {
                entries.Remove(e.Path);
                return;
            }

            e.MaxWaitReported = true;
            into.Add(new ReadyDecision(e.Path, ReadyReason.MaxWaitExceeded, TimeSpan.FromMilliseconds(now - e.FirstSeen), e.FromScan));
        }

        e.State = TrackedState.Writing;
        e.Reprobe = 0;
        Schedule(e, MaxWaitDue(e));
    }

    private void Report(TrackedFile e, ReadyReason reason, long now, List<ReadyDecision> into)
    {
        entries.Remove(e.Path);
        FileStamp stamp = e.Stamp!.Value;
        if (!e.Changed && reported.TryGetValue(e.Path, out FileStamp before) && before == stamp)
        {
            return; // closed again without a change since it was reported
        }

        if (reported.Count >= ReportedLimit)
        {
            reported.Clear();
        }

        reported[e.Path] = stamp;
        into.Add(new ReadyDecision(e.Path, reason, TimeSpan.FromMilliseconds(now - e.FirstSeen), e.FromScan));
    }

    private long MaxWaitDue(TrackedFile e) => e.MaxWaitReported || maxWait == long.MaxValue ? long.MaxValue : e.FirstSeen + maxWait;

    private void Schedule(TrackedFile e, long due)
    {
        e.Deadline = due;
        if (due != long.MaxValue)
        {
            deadlines.Enqueue(e, due);
        }
    }

    private void ForgetOldMoves(long now)
    {
        if (moves.Count < 16)
        {
            return;
        }

        foreach ((uint cookie, Move m) in moves)
        {
            if (now - m.Time > MoveMemoryMilliseconds)
            {
                moves.Remove(cookie);
            }
        }
    }

    private readonly record struct Move(string Path, TrackedFile? File, bool WasTemporary, long Time, List<TrackedFile>? Inside);
}
