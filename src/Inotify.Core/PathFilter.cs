using System.IO.Enumeration;

namespace Inotify;

/// <summary>
/// Include/exclude wildcards (* and ?). A pattern with a '/' is matched against the path relative to
/// the watched root, any other against the entry's name. Exclude wins; an excluded directory is not
/// watched at all. Include only selects which events are reported: directories are still descended.
/// </summary>
public sealed class PathFilter
{
    private readonly string[] include;
    private readonly string[] exclude;

    /// <summary>Makes a filter; null or empty lists mean "everything" and "nothing".</summary>
    public PathFilter(IEnumerable<string>? include, IEnumerable<string>? exclude)
    {
        this.include = include?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
        this.exclude = exclude?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
    }

    /// <summary>A filter that lets everything through.</summary>
    public static PathFilter None { get; } = new(null, null);

    /// <summary>True when the filter lets everything through.</summary>
    public bool IsEmpty => include.Length == 0 && exclude.Length == 0;

    /// <summary>True when the entry is excluded.</summary>
    public bool IsExcluded(string name, string relativePath) => Matches(exclude, name, relativePath);

    /// <summary>True when an event about the entry is reported.</summary>
    public bool IsIncluded(string name, string relativePath) =>
        !IsExcluded(name, relativePath) && (include.Length == 0 || Matches(include, name, relativePath));

    private static bool Matches(string[] patterns, string name, string relativePath)
    {
        foreach (string p in patterns)
        {
            string subject = p.Contains('/', StringComparison.Ordinal) ? relativePath : name;
            if (FileSystemName.MatchesSimpleExpression(p.AsSpan(), subject.AsSpan(), ignoreCase: false))
            {
                return true;
            }
        }

        return false;
    }
}
