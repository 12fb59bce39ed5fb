namespace Inotify.Core.Tests;

/// <summary>
/// Compares three views of a recursive watch: the directories on disk (a fresh walk), the engine's watches, and the
/// kernel's own list of the instance's watches (/proc/self/fdinfo). They must agree: every directory watched
/// exactly once, by the inode that is there now.
/// </summary>
internal static class TreeAudit
{
    public static void AssertEveryDirectoryWatchedOnce(InotifyWatcher watcher, RecursiveWatch tree)
    {
        string root = tree.RootPath;
        var disk = new SortedDictionary<string, ulong>(StringComparer.Ordinal) { [root] = NativeFile.Stat(root, followLinks: false).Inode };
        foreach (string d in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            disk[d] = NativeFile.Stat(d, followLinks: false).Inode;
        }

        InotifyWatch[] engine = [.. tree.WatchList().Where(w => w.IsActive)];
        var byPath = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (InotifyWatch w in engine)
        {
            Assert.True(byPath.TryAdd(w.Path, w.Inode), $"two engine watches for {w.Path}");
        }

        Assert.True(disk.Keys.SequenceEqual(byPath.Keys),
            $"directories on disk and watched differ: missing {Describe(disk.Keys.Except(byPath.Keys))}; extra {Describe(byPath.Keys.Except(disk.Keys))}");
        foreach ((string path, ulong inode) in disk)
        {
            Assert.True(byPath[path] == inode, $"{path} is watched by inode {byPath[path]}, but holds inode {inode}");
        }

        Dictionary<int, ulong> kernel = watcher.KernelWatches()!;
        var treeWds = engine.Select(w => w.Descriptor).ToHashSet();
        var plainWds = watcher.Watches.Where(w => w.Tree is null).Select(w => w.Descriptor).ToHashSet();
        Assert.True(kernel.Keys.Where(wd => !plainWds.Contains(wd)).Order().SequenceEqual(treeWds.Order()),
            $"the kernel holds wds {Describe(kernel.Keys.Order().Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)))}, the engine {Describe(treeWds.Order().Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)))}");
        foreach (InotifyWatch w in engine)
        {
            Assert.True(kernel[w.Descriptor] == w.Inode, $"wd {w.Descriptor} ({w.Path}) is inode {kernel[w.Descriptor]} in the kernel, {w.Inode} in the engine");
        }
    }

    private static string Describe(IEnumerable<string> items)
    {
        List<string> list = [.. items.Take(12)];
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
