using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace InotifyPS;

/// <summary>Tab completion of -Id from the session's watchers, with what each watches as the tooltip.</summary>
public sealed class WatcherIdCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = Completion.Unquote(wordToComplete);
        foreach (WatcherRegistration r in Session.Registry.Snapshot())
        {
            string id = r.Watcher.Id.ToString(CultureInfo.InvariantCulture);
            if (id.StartsWith(word, StringComparison.Ordinal))
            {
                yield return new CompletionResult(id, id, CompletionResultType.ParameterValue, Completion.Tooltip(r));
            }
        }
    }
}

/// <summary>Tab completion of -SourceIdentifier from the session's forwarding watchers, quoted where PowerShell needs it.</summary>
public sealed class SourceIdentifierCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = Completion.Unquote(wordToComplete);
        foreach (WatcherRegistration r in Session.Registry.Snapshot())
        {
            if (r.SourceIdentifier is { } s && s.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(Completion.Quote(s), s, CompletionResultType.ParameterValue, Completion.Tooltip(r));
            }
        }
    }
}

internal static class Completion
{
    public static string Unquote(string? word) => (word ?? string.Empty).Trim('\'', '"');

    /// <summary>The identifier as a single-quoted string when it holds anything but letters, digits, '.', '-' and '_'.</summary>
    public static string Quote(string s) =>
        s.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_') ? s : "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Tooltip(WatcherRegistration r)
    {
        string watched = string.Join(", ", r.Watcher.RecursiveWatches.Select(t => t.RootPath + " (recursive)")
            .Concat(r.Watcher.Watches.Where(w => w.RecursiveRoot is null).Select(w => w.Path)).Take(5));
        return $"{r.Watcher}{(r.SourceIdentifier is { } s ? $" as '{s}'" : string.Empty)}{(watched.Length > 0 ? ": " + watched : string.Empty)}";
    }
}
