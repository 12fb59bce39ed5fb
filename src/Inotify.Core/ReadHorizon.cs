namespace Inotify;

/// <summary>
/// Where the reader is in the kernel's stream of bytes, and what of that stream is the engine's own doing.
/// </summary>
/// <remarks>
/// <para>
/// A new directory is watched before it is read, so an entry created in between is seen twice: by the read and by
/// the kernel's Create. The names a scan reported are remembered with the horizon, the byte count the reader will
/// have consumed once everything queued when the scan ended is read (consumed so far, plus the rest of the read
/// being processed, plus FIONREAD); a kernel Create for such a name before that point is the scan's twin and is
/// not reported again.
/// </para>
/// <para>
/// Reading a directory makes the kernel report Open, Access and CloseNoWrite on it. The engine's own reads are
/// remembered the same way (until the horizon, or a short time: the close is queued when the kernel finishes it,
/// which can be a little later) and those events are not reported; someone else opening the directory in that
/// window goes unreported too.
/// </para>
/// Under the engine lock.
/// </remarks>
/// <param name="pendingKernelBytes">FIONREAD of the inotify descriptor, or null if it failed.</param>
/// <param name="clock">Milliseconds (Environment.TickCount64 outside tests).</param>
internal sealed class ReadHorizon(Func<int?> pendingKernelBytes, Func<long> clock)
{
    /// <summary>How long an own read's CloseNoWrite may trail the read.</summary>
    internal const long OwnReadMilliseconds = 100;

    // When FIONREAD fails, a horizon this far ahead keeps de-duplicating for a generous while.
    private const long UnknownPending = 1 << 20;

    private readonly Dictionary<InotifyWatch, ScanRecord> scans = [];
    private readonly Dictionary<string, OwnRead> ownReads = new(StringComparer.Ordinal);
    private long consumed;
    private long readEnd;

    /// <summary>Bytes of the kernel's stream consumed so far.</summary>
    internal long Consumed => consumed;

    /// <summary>True while something here expires with time rather than with reading (the reader must wake for it).</summary>
    internal bool HasTimedState => ownReads.Count > 0;

    /// <summary>The bytes a read consumed are the horizon's base until <see cref="EndRead"/>.</summary>
    internal void BeginRead(int length) => readEnd = consumed + length;

    /// <summary>One record of the read is processed.</summary>
    internal void Advance(int bytes) => consumed += bytes;

    /// <summary>The read is processed (a malformed tail counts as consumed).</summary>
    internal void EndRead() => consumed = readEnd;

    /// <summary>Bytes queued in the kernel now (FIONREAD), or null if that could not be asked.</summary>
    internal int? PendingKernelBytes() => pendingKernelBytes();

    /// <summary>The byte count the reader will have consumed once everything queued now is read.</summary>
    internal long Horizon() => readEnd + (pendingKernelBytes() ?? UnknownPending);

    /// <summary>A scan of the directory <paramref name="watch"/> watches starts: the names it reports go into the set returned.</summary>
    internal HashSet<string> BeginScan(InotifyWatch watch)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        scans[watch] = new ScanRecord(names, Horizon());
        return names;
    }

    /// <summary>A repair reported this entry of this directory: a kernel Create for it still queued is the same news.</summary>
    internal void NoteReported(InotifyWatch watch, string name)
    {
        HashSet<string> names = scans.TryGetValue(watch, out ScanRecord scan) && consumed <= scan.Until ? scan.Names : new(StringComparer.Ordinal);
        names.Add(name);
        scans[watch] = new ScanRecord(names, Horizon());
    }

    /// <summary>True (and forgotten) when a scan already reported this name of this directory and the kernel's event is its twin.</summary>
    internal bool TakeScanned(InotifyWatch watch, string name)
    {
        if (scans.Count == 0 || !scans.TryGetValue(watch, out ScanRecord scan))
        {
            return false;
        }

        if (consumed > scan.Until)
        {
            scans.Remove(watch);
            return false;
        }

        return scan.Names.Remove(name);
    }

    /// <summary>The engine is about to read the directory (or open the file) at <paramref name="path"/>.</summary>
    internal void NoteOwnRead(string path) => ownReads[path] = new OwnRead(Horizon(), clock() + OwnReadMilliseconds);

    /// <summary>True when an Open, Access or CloseNoWrite on <paramref name="path"/> is the engine's own.</summary>
    internal bool IsOwnRead(string path) =>
        ownReads.Count > 0 && ownReads.TryGetValue(path, out OwnRead own) && own.Covers(consumed, clock());

    /// <summary>Forgets what the reader has read past (or outlived).</summary>
    internal void Expire()
    {
        if (ownReads.Count > 0)
        {
            long now = clock();
            foreach ((string path, OwnRead own) in ownReads)
            {
                if (!own.Covers(consumed, now))
                {
                    ownReads.Remove(path);
                }
            }
        }

        if (scans.Count > 0)
        {
            foreach ((InotifyWatch watch, ScanRecord scan) in scans)
            {
                if (consumed > scan.Until)
                {
                    scans.Remove(watch);
                }
            }
        }
    }

    private readonly record struct ScanRecord(HashSet<string> Names, long Until);

    private readonly record struct OwnRead(long UntilBytes, long UntilMilliseconds)
    {
        public bool Covers(long consumed, long now) => consumed <= UntilBytes || now <= UntilMilliseconds;
    }
}
