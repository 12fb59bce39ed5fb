using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// PowerShell's wildcard semantics wherever the cmdlets take a pattern: [a-z] ranges, ` escapes, and (for names)
/// any case, as Get-ChildItem -Include, -like and Get-Job -Name do.
/// </summary>
internal static class Wildcards
{
    /// <summary>
    /// -Include/-Exclude as an engine filter whose tests are WildcardPatterns (case-insensitive). A pattern with '/'
    /// is matched against the path relative to the watched root.
    /// </summary>
    /// <exception cref="WildcardPatternException">A pattern is not valid; <see cref="InvalidPattern"/> says which.</exception>
    public static PathFilter Filter(IReadOnlyList<string>? include, IReadOnlyList<string>? exclude) =>
        include is { Count: > 0 } || exclude is { Count: > 0 } ? new PathFilter(include, exclude, Compile) : PathFilter.None;

    /// <summary>A pattern as a test; refuses an invalid one now, rather than on the reader thread at the first event.</summary>
    /// <exception cref="WildcardPatternException">The pattern is not valid (e.g. an unclosed '[').</exception>
    public static Func<string, bool> Compile(string pattern) => Compile(pattern, WildcardOptions.IgnoreCase);

    /// <summary>The pattern of a WildcardPatternException raised by <see cref="Compile(string)"/>, for the error's target.</summary>
    public static string? InvalidPattern(WildcardPatternException e) => e?.Data[nameof(InvalidPattern)] as string;

    /// <summary>
    /// The items whose key is <paramref name="name"/> exactly; when none is, those whose key matches it as a wildcard
    /// pattern (so 'Build[1]' finds the watcher named Build[1], and without one, Build1).
    /// </summary>
    /// <exception cref="WildcardPatternException">The name has no exact match and is not a valid pattern.</exception>
    public static List<T> Select<T>(IEnumerable<T> items, Func<T, string?> key, string name, bool ignoreCase)
    {
        StringComparison comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        List<T> all = [.. items];
        List<T> exact = all.FindAll(i => string.Equals(key(i), name, comparison));
        if (exact.Count > 0 || !WildcardPattern.ContainsWildcardCharacters(name))
        {
            return exact;
        }

        Func<string, bool> matches = Compile(name, ignoreCase ? WildcardOptions.IgnoreCase : WildcardOptions.None);
        return all.FindAll(i => key(i) is { } k && matches(k));
    }

    private static Func<string, bool> Compile(string pattern, WildcardOptions options)
    {
        var wildcard = WildcardPattern.Get(pattern, options);
        try
        {
            // WildcardPattern parses on its first match; do it here, where the error can name the pattern.
            _ = wildcard.IsMatch(string.Empty);
        }
        catch (WildcardPatternException e)
        {
            e.Data[nameof(InvalidPattern)] = pattern;
            throw;
        }

        return wildcard.IsMatch;
    }
}
