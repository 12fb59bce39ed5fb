namespace InotifyPS.Help.Tests;

/// <summary>
/// The checks fail when they should: a parameter added to the code without help, or a markdown edit that was not
/// regenerated into the MAML, makes them report it. Run against the real cmdlets, markdown and MAML, doctored in memory.
/// </summary>
public sealed class CheckerSelfTests
{
    private static readonly CmdletParameter Dummy = new(
        "ZzUndocumentedDummy", "System.String", [], [new ParameterSetMembership(CmdletDescription.AllParameterSets, "Named", false, false, false, false)]);

    public static TheoryData<string> Cmdlets => CmdletCatalog.Names();

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void AParameterAddedWithoutHelpIsCaughtInTheMarkdownAndTheMaml(string cmdlet)
    {
        CmdletDescription real = CmdletCatalog.Get(cmdlet);
        CmdletDescription grown = real with { Parameters = [.. real.Parameters, Dummy] };
        CommandMarkdown md = CmdletHelpTests.Markdown(cmdlet);

        Assert.Contains(HelpChecks.Parameters(grown, md), p => p.Contains("-ZzUndocumentedDummy is a parameter", StringComparison.Ordinal));
        Assert.Contains(HelpChecks.Syntax(grown, md), p => p.Contains("-ZzUndocumentedDummy", StringComparison.Ordinal));
        Assert.Contains(HelpChecks.MamlFreshness(grown, md, MamlHelp.Load(TestPaths.Maml)), p => p.Contains("-ZzUndocumentedDummy of", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void AParameterDocumentedButRemovedFromTheCodeIsCaught(string cmdlet)
    {
        CmdletDescription real = CmdletCatalog.Get(cmdlet);
        if (real.Parameters.Count == 0)
        {
            return;
        }

        CmdletDescription shrunk = real with { Parameters = real.Parameters.Skip(1).ToList() };
        string gone = real.Parameters[0].Name;
        CommandMarkdown md = CmdletHelpTests.Markdown(cmdlet);
        Assert.Contains(HelpChecks.Parameters(shrunk, md), p => p.Contains($"-{gone} is documented but", StringComparison.Ordinal));
        Assert.Contains(HelpChecks.MamlFreshness(shrunk, md, MamlHelp.Load(TestPaths.Maml)), p => p.Contains($"-{gone}, which", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void AMarkdownEditNotRegeneratedIsCaught(string cmdlet)
    {
        string text = File.ReadAllText(TestPaths.MarkdownFor(cmdlet));
        CmdletDescription real = CmdletCatalog.Get(cmdlet);
        CommandMarkdown original = CommandMarkdown.Parse(TestPaths.MarkdownFor(cmdlet), text);

        // The MAML as it would be right after regenerating from this markdown (independent of the committed file's state).
        var fresh = new Dictionary<string, MamlCommand>(StringComparer.OrdinalIgnoreCase)
        {
            [cmdlet] = new MamlCommand(
                cmdlet,
                original.Synopsis,
                original.Description,
                original.Parameters.ToDictionary(p => p.Name, p => p.Description, StringComparer.OrdinalIgnoreCase),
                real.ParameterSetNames.Select(_ => (IReadOnlyList<string>)[]).ToList(),
                original.Examples.Count),
        };
        Assert.DoesNotContain(HelpChecks.MamlFreshness(real, original, fresh), p => p.Contains("differs", StringComparison.Ordinal));

        // Edit the synopsis.
        string synopsisEdited = text.Replace(original.Synopsis, original.Synopsis + " Edited.", StringComparison.Ordinal);
        Assert.Contains(HelpChecks.MamlFreshness(real, CommandMarkdown.Parse("edited.md", synopsisEdited), fresh), p => p.StartsWith("synopsis differs", StringComparison.Ordinal));

        // Edit the first line of the description.
        string descriptionEdited = text.Replace("## DESCRIPTION\n\n", "## DESCRIPTION\n\nEdited. ", StringComparison.Ordinal);
        Assert.Contains(HelpChecks.MamlFreshness(real, CommandMarkdown.Parse("edited.md", descriptionEdited), fresh), p => p == "the description differs from the markdown's");

        // Edit the first line of a parameter's description.
        ParameterDoc? first = original.Parameters.FirstOrDefault();
        if (first is not null)
        {
            int at = text.IndexOf("### -" + first.Name + "\n\n", StringComparison.Ordinal);
            Assert.True(at >= 0);
            string parameterEdited = text.Insert(at + first.Name.Length + 7, "Edited. ");
            Assert.Contains(HelpChecks.MamlFreshness(real, CommandMarkdown.Parse("edited.md", parameterEdited), fresh), p => p == $"-{first.Name}: the description differs from the markdown's");
        }

        // Remove an example.
        int lastExample = text.LastIndexOf("\n### Example ", StringComparison.Ordinal);
        string exampleRemoved = text.Remove(lastExample, text.IndexOf("\n## PARAMETERS", StringComparison.Ordinal) - lastExample);
        Assert.Contains(HelpChecks.MamlFreshness(real, CommandMarkdown.Parse("edited.md", exampleRemoved), fresh), p => p.Contains("example(s)", StringComparison.Ordinal));
    }
}
