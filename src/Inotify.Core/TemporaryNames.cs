using System.IO.Enumeration;

namespace Inotify;

/// <summary>Tells temporary names (see <see cref="ReadinessOptions.TemporaryNames"/>) from final ones.</summary>
internal sealed class TemporaryNames(IEnumerable<string> patterns)
{
    private readonly string[] patterns = patterns.Where(p => !string.IsNullOrEmpty(p)).ToArray();

    internal bool Matches(string name)
    {
        foreach (string p in patterns)
        {
            if (FileSystemName.MatchesSimpleExpression(p.AsSpan(), name.AsSpan(), ignoreCase: false))
            {
                return true;
            }
        }

        return false;
    }
}
