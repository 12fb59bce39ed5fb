namespace InotifyPS.Help.Tests;

/// <summary>docs/help/&lt;Cmdlet&gt;.md against the cmdlets of the built InotifyPS.dll.</summary>
public sealed class CmdletHelpTests
{
    public static TheoryData<string> Cmdlets => CmdletCatalog.Names();

    [Fact]
    public void TheAssemblyHasCmdlets()
    {
        Assert.NotEmpty(CmdletCatalog.All);
    }

    [Fact]
    public void EveryMarkdownFileIsAboutACmdletThatExists()
    {
        var names = CmdletCatalog.All.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetFiles(TestPaths.HelpDirectory, "*-*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !names.Contains(n!))
            .ToList();
        Assert.True(orphans.Count == 0, $"help for cmdlets the assembly does not have: {string.Join(", ", orphans)}");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HasAMarkdownFile(string cmdlet)
    {
        Assert.True(File.Exists(TestPaths.MarkdownFor(cmdlet)), $"{cmdlet} has no help: write docs/help/{cmdlet}.md (PlatyPS 1.x markdown).");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void FollowsThePlatyPSSchema(string cmdlet)
    {
        AssertNone(HelpChecks.Structure(Markdown(cmdlet), cmdlet), cmdlet);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HasAtLeastTwoExamples(string cmdlet)
    {
        AssertNone(HelpChecks.Examples(Markdown(cmdlet)), cmdlet);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void DocumentsExactlyTheParametersOfTheCode(string cmdlet)
    {
        AssertNone(HelpChecks.Parameters(CmdletCatalog.Get(cmdlet), Markdown(cmdlet)), cmdlet);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void SyntaxShowsEveryParameterSetOfTheCode(string cmdlet)
    {
        AssertNone(HelpChecks.Syntax(CmdletCatalog.Get(cmdlet), Markdown(cmdlet)), cmdlet);
    }

    internal static CommandMarkdown Markdown(string cmdlet)
    {
        string path = TestPaths.MarkdownFor(cmdlet);
        Assert.True(File.Exists(path), $"{cmdlet} has no help: write docs/help/{cmdlet}.md.");
        return CommandMarkdown.Load(path);
    }

    internal static void AssertNone(List<string> problems, string subject) =>
        Assert.True(problems.Count == 0, $"{subject}:\n  " + string.Join("\n  ", problems));
}

/// <summary>The committed en-US/InotifyPS.dll-Help.xml is what the markdown and the code say now.</summary>
public sealed class MamlTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, MamlCommand>> Maml = new(() => MamlHelp.Load(TestPaths.Maml));

    public static TheoryData<string> Cmdlets => CmdletCatalog.Names();

    private const string Regenerate = "Regenerate it: ./build.ps1 -Task Docs (needs pwsh and Microsoft.PowerShell.PlatyPS 1.x), or docs/help/Build-Help.ps1.";

    [Fact]
    public void TheMamlIsCommitted()
    {
        Assert.True(File.Exists(TestPaths.Maml), $"{TestPaths.Maml} is missing. {Regenerate}");
    }

    [Fact]
    public void TheMamlHasNoCommandTheAssemblyLacks()
    {
        var names = CmdletCatalog.All.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extra = Maml.Value.Keys.Where(n => !names.Contains(n)).ToList();
        Assert.True(extra.Count == 0, $"the MAML documents commands the assembly does not have: {string.Join(", ", extra)}. {Regenerate}");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void TheMamlIsNotStale(string cmdlet)
    {
        string path = TestPaths.MarkdownFor(cmdlet);
        CommandMarkdown? md = File.Exists(path) ? CommandMarkdown.Load(path) : null;
        List<string> problems = HelpChecks.MamlFreshness(CmdletCatalog.Get(cmdlet), md, Maml.Value);
        Assert.True(problems.Count == 0, $"{TestPaths.Maml} is stale for {cmdlet}:\n  {string.Join("\n  ", problems)}\n{Regenerate}");
    }
}
