using System.IO.Enumeration;

namespace Inotify;

/// <summary>
/// Include/exclude patterns. A pattern with a '/' is matched against the path relative to the watched root, any
/// other against the entry's name. Exclude wins; an excluded directory is not watched at all. Include only selects
/// which events are reported: directories are still descended.
/// </summary>
/// <remarks>
/// What a pattern means is up to the caller: it passes a compiler that turns each pattern into a test. Without
/// one, patterns are .NET's simple expressions (* and ?, case-sensitive). The PowerShell cmdlets pass
/// PowerShell's WildcardPattern ([a-z] ranges, ` escapes, any case), so the engine needs no PowerShell reference.
/// The tests run on the reader thread: a compiled test must be safe to call from any thread.
/// </remarks>
public sealed class PathFilter
{
    private readonly Rule[] include;
    private readonly Rule[] exclude;

    /// <summary>Makes a filter of simple expressions (* and ?, case-sensitive); null or empty lists mean "everything" and "nothing".</summary>
    public PathFilter(IEnumerable<string>? include, IEnumerable<string>? exclude)
        : this(include, exclude, null)
    {
    }

    /// <summary>Makes a filter whose patterns <paramref name="compile"/> turns into tests (null: simple expressions).</summary>
    /// <param name="include">Patterns an entry must match to be reported; null or empty: every entry.</param>
    /// <param name="exclude">Patterns whose entries are ignored (and, for directories, not watched).</param>
    /// <param name="compile">Turns one pattern into a test of a name or relative path. It may throw to refuse a pattern.</param>
    public PathFilter(IEnumerable<string>? include, IEnumerable<string>? exclude, Func<string, Func<string, bool>>? compile)
    {
        Func<string, Func<string, bool>> c = compile ?? SimpleExpression;
        Include = include?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
        Exclude = exclude?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
        this.include = [.. Include.Select(p => new Rule(p.Contains('/', StringComparison.Ordinal), c(p)))];
        this.exclude = [.. Exclude.Select(p => new Rule(p.Contains('/', StringComparison.Ordinal), c(p)))];
    }

    /// <summary>A filter that lets everything through.</summary>
    public static PathFilter None { get; } = new(null, null);

    /// <summary>The include patterns as given.</summary>
    public IReadOnlyList<string> Include { get; }

    /// <summary>The exclude patterns as given.</summary>
    public IReadOnlyList<string> Exclude { get; }

    /// <summary>True when the filter lets everything through.</summary>
    public bool IsEmpty => include.Length == 0 && exclude.Length == 0;

    /// <summary>True when the entry is excluded.</summary>
    public bool IsExcluded(string name, string relativePath) => Matches(exclude, name, relativePath);

    /// <summary>True when an event about the entry is reported.</summary>
    public bool IsIncluded(string name, string relativePath) =>
        !IsExcluded(name, relativePath) && (include.Length == 0 || Matches(include, name, relativePath));

    /// <summary>The patterns, for people: "include *.cs; exclude obj", or "no filter".</summary>
    public override string ToString() =>
        IsEmpty ? "no filter"
        : string.Join("; ", new[] { ("include", Include), ("exclude", Exclude) }.Where(p => p.Item2.Count > 0).Select(p => $"{p.Item1} {string.Join(", ", p.Item2)}"));

    private static Func<string, bool> SimpleExpression(string pattern) =>
        subject => FileSystemName.MatchesSimpleExpression(pattern.AsSpan(), subject.AsSpan(), ignoreCase: false);

    private static bool Matches(Rule[] rules, string name, string relativePath)
    {
        foreach (Rule r in rules)
        {
            if (r.Test(r.OnRelativePath ? relativePath : name))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Rule(bool OnRelativePath, Func<string, bool> Test);
}
