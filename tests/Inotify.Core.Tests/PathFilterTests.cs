namespace Inotify.Core.Tests;

public sealed class PathFilterTests
{
    [Fact]
    public void NamesMatchPatternsWithoutASlashAndRelativePathsThoseWithOne()
    {
        var filter = new PathFilter(["*.cs", "docs/*.md"], ["obj", "*.g.cs"]);

        Assert.True(filter.IsIncluded("a.cs", "src/a.cs"));
        Assert.True(filter.IsIncluded("x.md", "docs/x.md"));
        Assert.False(filter.IsIncluded("x.md", "src/x.md"));
        Assert.False(filter.IsIncluded("a.g.cs", "src/a.g.cs"));
        Assert.True(filter.IsExcluded("obj", "src/obj"));
        Assert.False(filter.IsExcluded("src", "src"));
        Assert.True(PathFilter.None.IsEmpty);
        Assert.True(PathFilter.None.IsIncluded("anything", "any/thing"));
    }

    [Fact]
    public void ACallerCompilesThePatternsItsOwnWayAndSlashesStillSelectRelativePaths()
    {
        var compiled = new List<string>();
        Func<string, bool> Compile(string pattern)
        {
            compiled.Add(pattern);
            return subject => string.Equals(subject, pattern.TrimStart('='), StringComparison.OrdinalIgnoreCase);
        }

        var filter = new PathFilter(["=A.TXT", "=docs/B.md"], ["=skip"], Compile);

        Assert.Equal(["=A.TXT", "=docs/B.md", "=skip"], compiled);
        Assert.True(filter.IsIncluded("a.txt", "x/a.txt"));
        Assert.True(filter.IsIncluded("b.md", "DOCS/b.md"));
        Assert.False(filter.IsIncluded("b.md", "other/b.md"));
        Assert.True(filter.IsExcluded("SKIP", "x/SKIP"));
        Assert.Equal(["=A.TXT", "=docs/B.md"], filter.Include);
        Assert.Equal("include =A.TXT, =docs/B.md; exclude =skip", filter.ToString());
        Assert.Equal("no filter", PathFilter.None.ToString());
    }

    [Fact]
    public void APlainWatchReportsOnlyWhatItsFilterLetsThroughRenamesIncluded()
    {
        using var t = new TempTree();
        using var w = new InotifyWatcher();
        w.Add(t.Root, InotifyEventMask.CloseWrite | InotifyEventMask.Move, filter: new PathFilter(["*.csv"], ["skip*"]));

        File.WriteAllText(t.P("a.log"), "no");
        File.WriteAllText(t.P("skip.csv"), "no");
        File.WriteAllText(t.P("take.csv"), "yes");
        File.Move(t.P("a.log"), t.P("now.csv"));

        List<InotifyEvent> events = w.DrainUntilQuiet();
        Assert.Equal(["CloseWrite take.csv", "Renamed now.csv"], events.Select(e => $"{e.Kind} {e.Name}"));
        Assert.Equal(t.P("a.log"), events[1].OldPath);
    }
}
