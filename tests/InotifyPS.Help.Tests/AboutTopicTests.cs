using System.Text.RegularExpressions;

namespace InotifyPS.Help.Tests;

/// <summary>docs/help/about_InotifyPS.md and the en-US/about_InotifyPS.help.txt made from it.</summary>
public sealed partial class AboutTopicTests
{
    private static string MarkdownPath => Path.Combine(TestPaths.HelpDirectory, "about_InotifyPS.md");

    private static string TextPath => Path.Combine(TestPaths.GeneratedHelpDirectory, "about_InotifyPS.help.txt");

    [Fact]
    public void TheMarkdownHasTheAboutSections()
    {
        CommandMarkdown md = CommandMarkdown.Load(MarkdownPath);
        Assert.Equal("about_InotifyPS", md.FrontMatter.GetValueOrDefault("title"));
        Assert.Equal("about", md.FrontMatter.GetValueOrDefault("document type"));
        Assert.Equal("about_InotifyPS", md.Title);
        Assert.Equal(["Short description", "Long description", "See also"], md.Sections.Select(s => s.Heading).Where(h => h is "Short description" or "Long description" or "See also"));
        Assert.Equal("Short description", md.Sections[0].Heading);
        Assert.Equal("See also", md.Sections[^1].Heading);
        Assert.InRange(md.Text("Short description").Length, 20, 76);
    }

    [Theory]
    [InlineData("NFS")]
    [InlineData("/proc")]
    [InlineData("mmap")]
    [InlineData("fs.inotify.max_user_watches")]
    [InlineData("fs.inotify.max_user_instances")]
    [InlineData("fs.inotify.max_queued_events")]
    [InlineData("Get-InotifyLimit")]
    [InlineData("CloseWrite")]
    [InlineData("MovedTo")]
    [InlineData("Renamed")]
    [InlineData("OldPath")]
    [InlineData("Cookie")]
    [InlineData("QueueOverflow")]
    [InlineData("EventsDropped")]
    [InlineData("RescanStarted")]
    [InlineData("Source")]
    [InlineData("Register-EngineEvent")]
    [InlineData("-SourceIdentifier")]
    [InlineData("Wait-InotifyEvent")]
    [InlineData("[Inotify.NativeFile]::Open")]
    [InlineData("U+DC80")]
    public void TheMarkdownCoversTheTopic(string term)
    {
        Assert.Contains(term, File.ReadAllText(MarkdownPath), StringComparison.Ordinal);
    }

    [Fact]
    public void TheHelpTextIsCommittedInGetHelpsLayout()
    {
        Assert.True(File.Exists(TextPath), $"{TextPath} is missing: run docs/help/Build-Help.ps1.");
        string[] lines = File.ReadAllLines(TextPath);
        Assert.Equal("TOPIC", lines[0].TrimStart('\uFEFF'));
        Assert.Equal("    about_InotifyPS", lines[1]);
        Assert.Equal("SHORT DESCRIPTION", lines[3]);

        // Get-Help takes the 5th line as the topic's synopsis (HelpFileHelpInfo), so it must be the whole short description.
        Assert.Equal(CommandMarkdown.Load(MarkdownPath).Text("Short description"), lines[4].Trim());
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"line longer than 100 characters: {l}"));
    }

    [Fact]
    public void TheHelpTextSaysWhatTheMarkdownSays()
    {
        // Same words in the same order: wrapping, indentation and markdown punctuation aside, nothing added or lost.
        List<string> fromMarkdown = Words(MarkdownBody(File.ReadAllText(MarkdownPath)));
        List<string> fromText = Words(File.ReadAllText(TextPath));
        Assert.Equal("TOPIC", fromText[0]);
        fromText.RemoveAt(0);
        int same = fromMarkdown.Zip(fromText).TakeWhile(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)).Count();
        Assert.True(
            same == fromMarkdown.Count && same == fromText.Count,
            $"about_InotifyPS.help.txt is stale (run docs/help/Build-Help.ps1): the words differ from word {same}: markdown '{string.Join(' ', fromMarkdown.Skip(same).Take(8))}', text '{string.Join(' ', fromText.Skip(same).Take(8))}'");
    }

    private static string MarkdownBody(string content)
    {
        content = content.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (content.StartsWith("---\n", StringComparison.Ordinal))
        {
            content = content[(content.IndexOf("\n---\n", 3, StringComparison.Ordinal) + 5)..];
        }

        // A code fence's info string (```powershell) is markup, not text.
        return FenceLine().Replace(content, string.Empty);
    }

    private static List<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value).ToList();

    [GeneratedRegex(@"^```.*$", RegexOptions.Multiline)]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"[\p{L}\p{N}_]+")]
    private static partial Regex WordPattern();
}
