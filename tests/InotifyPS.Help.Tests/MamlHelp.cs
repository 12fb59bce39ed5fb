using System.Xml.Linq;

namespace InotifyPS.Help.Tests;

/// <summary>One command of a MAML help file (what Get-Help reads), reduced to what the staleness checks compare.</summary>
internal sealed record MamlCommand(
    string Name,
    string Synopsis,
    string Description,
    IReadOnlyDictionary<string, string> ParameterDescriptions,
    IReadOnlyList<IReadOnlyList<string>> SyntaxItems,
    int ExampleCount);

/// <summary>Reads a MAML file such as Export-MamlCommandHelp writes.</summary>
internal static class MamlHelp
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";

    public static IReadOnlyDictionary<string, MamlCommand> Load(string path) => Parse(XDocument.Load(path));

    public static IReadOnlyDictionary<string, MamlCommand> Parse(XDocument doc)
    {
        var result = new Dictionary<string, MamlCommand>(StringComparer.OrdinalIgnoreCase);
        foreach (XElement c in doc.Root!.Elements(Command + "command"))
        {
            XElement details = c.Element(Command + "details")!;
            string name = details.Element(Command + "name")!.Value.Trim();
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (XElement p in c.Element(Command + "parameters")?.Elements(Command + "parameter") ?? [])
            {
                parameters[p.Element(Maml + "name")!.Value.Trim()] = Paras(p.Element(Maml + "description"));
            }

            var syntax = (c.Element(Command + "syntax")?.Elements(Command + "syntaxItem") ?? [])
                .Select(s => (IReadOnlyList<string>)s.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value.Trim()).ToList())
                .ToList();
            result[name] = new MamlCommand(
                name,
                Paras(details.Element(Maml + "description")),
                Paras(c.Element(Maml + "description")),
                parameters,
                syntax,
                c.Element(Command + "examples")?.Elements(Command + "example").Count() ?? 0);
        }

        return result;
    }

    /// <summary>The paragraphs of a description, joined and whitespace-normalized like the markdown side.</summary>
    private static string Paras(XElement? description) =>
        description is null ? string.Empty : CommandMarkdown.Normalize(string.Join(' ', description.Elements(Maml + "para").Select(p => p.Value)));
}
