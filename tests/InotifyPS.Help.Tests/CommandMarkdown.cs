using System.Text.RegularExpressions;

namespace InotifyPS.Help.Tests;

/// <summary>One parameter's section of a PlatyPS markdown file: its prose and its yaml block.</summary>
internal sealed record ParameterDoc(string Name, string Description, ParameterYaml? Yaml);

/// <summary>The yaml block of a parameter (PlatyPS schema 2024-05-01).</summary>
internal sealed record ParameterYaml(IReadOnlyDictionary<string, string> Scalars, IReadOnlyDictionary<string, IReadOnlyList<string>> Lists, IReadOnlyList<IReadOnlyDictionary<string, string>> ParameterSets)
{
    public string? Scalar(string key) => Scalars.TryGetValue(key, out string? v) ? v : null;

    public IReadOnlyList<string> List(string key) => Lists.TryGetValue(key, out IReadOnlyList<string>? v) ? v : [];

    /// <summary>A minimal reader for the fixed shape PlatyPS writes: scalars, lists of scalars, and ParameterSets (a list of maps).</summary>
    public static ParameterYaml Parse(IEnumerable<string> lines)
    {
        var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var sets = new List<IReadOnlyDictionary<string, string>>();
        string? listKey = null;
        Dictionary<string, string>? currentSet = null;
        foreach (string raw in lines)
        {
            string line = raw.TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]) && !line.StartsWith('-'))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                string key = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                listKey = null;
                currentSet = null;
                if (value.Length == 0)
                {
                    listKey = key;
                    lists[key] = new List<string>();
                }
                else if (value == "[]")
                {
                    lists[key] = new List<string>();
                }
                else
                {
                    scalars[key] = Unquote(value);
                }

                continue;
            }

            if (listKey == "ParameterSets")
            {
                string item = line.TrimStart();
                if (item.StartsWith("- ", StringComparison.Ordinal))
                {
                    currentSet = new Dictionary<string, string>(StringComparer.Ordinal);
                    sets.Add(currentSet);
                    item = item[2..];
                }

                int colon = item.IndexOf(':', StringComparison.Ordinal);
                if (currentSet is not null && colon > 0)
                {
                    currentSet[item[..colon].Trim()] = Unquote(item[(colon + 1)..].Trim());
                }
            }
            else if (listKey is not null && line.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            {
                ((List<string>)lists[listKey]).Add(Unquote(line.TrimStart()[2..].Trim()));
            }
        }

        return new ParameterYaml(scalars, lists, sets);
    }

    private static string Unquote(string v) =>
        v.Length >= 2 && ((v[0] == '\'' && v[^1] == '\'') || (v[0] == '"' && v[^1] == '"')) ? v[1..^1] : v;
}

/// <summary>A cmdlet help file in the Microsoft.PowerShell.PlatyPS 1.x markdown schema, split into its parts.</summary>
internal sealed partial class CommandMarkdown
{
    private CommandMarkdown(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.Ordinal);

    public string? Title { get; private set; }

    /// <summary>The H2 sections in file order, with their raw content (H3 subsections included).</summary>
    public List<(string Heading, List<string> Lines)> Sections { get; } = [];

    /// <summary>SYNTAX: one entry per parameter set heading ("Name" and whether it says "(Default)") with its code block.</summary>
    public List<(string SetName, bool IsDefault, string Code)> Syntax { get; } = [];

    public List<(string Title, string Body)> Examples { get; } = [];

    public List<ParameterDoc> Parameters { get; } = [];

    public bool HasCommonParameters { get; private set; }

    public string Synopsis => Text("SYNOPSIS");

    public string Description => Text("DESCRIPTION");

    public static CommandMarkdown Load(string path) => Parse(path, File.ReadAllText(path));

    public static CommandMarkdown Parse(string path, string content)
    {
        var md = new CommandMarkdown(path);
        string[] lines = content.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            for (i = 1; i < lines.Length && lines[i].Trim() != "---"; i++)
            {
                int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    md.FrontMatter[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                }
            }

            i++;
        }

        bool inFence = false;
        List<string>? current = null;
        for (; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith("# ", StringComparison.Ordinal) && md.Title is null)
            {
                md.Title = line[2..].Trim();
                continue;
            }
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                md.Sections.Add((line[3..].Trim(), current));
                continue;
            }

            current?.Add(line);
        }

        md.ParseSyntax();
        md.ParseExamples();
        md.ParseParameters();
        return md;
    }

    /// <summary>The prose of a section with whitespace collapsed, or "" when the section is missing.</summary>
    public string Text(string heading)
    {
        var s = Sections.FirstOrDefault(s => s.Heading == heading);
        return s.Lines is null ? string.Empty : Normalize(string.Join('\n', s.Lines));
    }

    public IReadOnlyList<string> Subheadings(string heading)
    {
        var s = Sections.FirstOrDefault(s => s.Heading == heading);
        return s.Lines is null ? [] : Subsections(s.Lines).Select(x => x.Heading).ToList();
    }

    /// <summary>
    /// Collapses every run of whitespace into one space and drops **bold** markers: line wrapping and emphasis are
    /// not content (Build-Help.ps1 joins wrapped lines and drops the markers in the MAML, for Get-Help's sake).
    /// </summary>
    public static string Normalize(string text) => Whitespace().Replace(text.Replace("**", string.Empty, StringComparison.Ordinal), " ").Trim();

    private static IEnumerable<(string Heading, List<string> Lines)> Subsections(List<string> lines)
    {
        bool inFence = false;
        (string Heading, List<string> Lines)? current = null;
        foreach (string line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    yield return current.Value;
                }

                current = (line[4..].Trim(), new List<string>());
                continue;
            }

            current?.Lines.Add(line);
        }

        if (current is not null)
        {
            yield return current.Value;
        }
    }

    private List<string> SectionLines(string heading) => Sections.FirstOrDefault(s => s.Heading == heading).Lines ?? [];

    private void ParseSyntax()
    {
        foreach ((string heading, List<string> body) in Subsections(SectionLines("SYNTAX")))
        {
            bool isDefault = heading.EndsWith("(Default)", StringComparison.Ordinal);
            string name = isDefault ? heading[..^"(Default)".Length].Trim() : heading;
            string code = string.Join('\n', body.SkipWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)));
            Syntax.Add((name, isDefault, code));
        }
    }

    private void ParseExamples()
    {
        foreach ((string heading, List<string> body) in Subsections(SectionLines("EXAMPLES")))
        {
            Examples.Add((heading, string.Join('\n', body).Trim()));
        }
    }

    private void ParseParameters()
    {
        foreach ((string heading, List<string> body) in Subsections(SectionLines("PARAMETERS")))
        {
            if (heading == "CommonParameters")
            {
                HasCommonParameters = true;
                continue;
            }

            if (!heading.StartsWith('-'))
            {
                continue;
            }

            int fence = body.FindIndex(l => l.Trim() == "```yaml");
            string description = Normalize(string.Join('\n', fence < 0 ? body : body.Take(fence)));
            ParameterYaml? yaml = fence < 0 ? null : ParameterYaml.Parse(body.Skip(fence + 1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)));
            Parameters.Add(new ParameterDoc(heading[1..], description, yaml));
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
