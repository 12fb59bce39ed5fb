using System.Reflection;

namespace InotifyPS.Help.Tests;

/// <summary>Where the things under test are, as the project file recorded them at build time.</summary>
internal static class TestPaths
{
    /// <summary>The built InotifyPS.dll (src/InotifyPS/bin/&lt;Configuration&gt;/net8.0).</summary>
    public static string CmdletAssembly => Metadata("CmdletAssembly");

    /// <summary>docs/help: the markdown sources.</summary>
    public static string HelpDirectory => Metadata("HelpDirectory");

    /// <summary>docs/help/en-US: the generated MAML and about topic that ship in the module.</summary>
    public static string GeneratedHelpDirectory => Path.Combine(HelpDirectory, "en-US");

    /// <summary>The committed MAML file: its name is the one every markdown file's "external help file" names.</summary>
    public static string Maml => Path.Combine(GeneratedHelpDirectory, "InotifyPS.dll-Help.xml");

    /// <summary>PowerShellStandard.Library's reference System.Management.Automation.dll, which the cmdlets compile against.</summary>
    public static string PowerShellReferenceAssembly
    {
        get
        {
            string recorded = Metadata("PowerShellReferenceAssembly");
            if (File.Exists(recorded))
            {
                return recorded;
            }

            string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Path.Combine(home, "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0", "System.Management.Automation.dll");
        }
    }

    public static string MarkdownFor(string cmdlet) => Path.Combine(HelpDirectory, cmdlet + ".md");

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata; see the .csproj.");
}
