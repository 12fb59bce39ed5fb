using System.Globalization;

namespace Inotify;

/// <summary>
/// The kernel's own list of an inotify instance's watches, from /proc/self/fdinfo/&lt;fd&gt;
/// (<c>inotify wd:&lt;hex&gt; ino:&lt;hex&gt; sdev:&lt;hex&gt; ...</c>, one line per watch). After an overflow the
/// IN_IGNORED of watches the kernel ended may be among the lost events; this list says which wds are really alive.
/// </summary>
internal static class KernelWatchList
{
    /// <summary>wd to inode of every watch of the instance, or null when the list cannot be read.</summary>
    internal static Dictionary<int, ulong>? Read(int fd)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/self/fdinfo/{fd.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(lines);
    }

    internal static Dictionary<int, ulong> Parse(IEnumerable<string> lines)
    {
        var watches = new Dictionary<int, ulong>();
        foreach (string line in lines)
        {
            if (!line.StartsWith("inotify ", StringComparison.Ordinal))
            {
                continue;
            }

            int? wd = null;
            ulong inode = 0;
            foreach (string field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (field.StartsWith("wd:", StringComparison.Ordinal) && int.TryParse(field.AsSpan(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int w))
                {
                    wd = w;
                }
                else if (field.StartsWith("ino:", StringComparison.Ordinal))
                {
                    _ = ulong.TryParse(field.AsSpan(4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out inode);
                }
            }

            if (wd is { } d)
            {
                watches[d] = inode;
            }
        }

        return watches;
    }
}
