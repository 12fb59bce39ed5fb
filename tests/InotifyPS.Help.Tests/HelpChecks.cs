namespace InotifyPS.Help.Tests;

/// <summary>
/// The comparisons behind the tests, as functions that list problems (empty = fine), so that the
/// tests can also feed them a doctored cmdlet or markdown and prove that they catch it.
/// </summary>
internal static class HelpChecks
{
    public const string ExternalHelpFile = "InotifyPS.dll-Help.xml";

    public static readonly string[] RequiredSections =
        ["SYNOPSIS", "SYNTAX", "ALIASES", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    /// <summary>Names every parameter the help of <paramref name="cmdlet"/> must describe: its own, plus WhatIf/Confirm when it supports ShouldProcess.</summary>
    public static SortedSet<string> DocumentableParameters(CmdletDescription cmdlet) =>
        new(cmdlet.Parameters.Select(p => p.Name).Where(n => !CmdletCatalog.CommonParameters.Contains(n)).Concat(cmdlet.ShouldProcessParameters), StringComparer.OrdinalIgnoreCase);

    /// <summary>Front matter, title and the sections PlatyPS expects, in its order, with real content.</summary>
    public static List<string> Structure(CommandMarkdown md, string cmdlet)
    {
        var problems = new List<string>();
        void Expect(string key, string value)
        {
            if (!md.FrontMatter.TryGetValue(key, out string? actual) || actual != value)
            {
                problems.Add($"front matter '{key}' should be '{value}', is '{actual}'");
            }
        }

        Expect("document type", "cmdlet");
        Expect("external help file", ExternalHelpFile);
        Expect("Module Name", "InotifyPS");
        Expect("PlatyPS schema version", "2024-05-01");
        Expect("title", cmdlet);
        if (md.Title != cmdlet)
        {
            problems.Add($"H1 should be '{cmdlet}', is '{md.Title}'");
        }

        var headings = md.Sections.Select(s => s.Heading).ToList();
        if (!headings.SequenceEqual(RequiredSections))
        {
            problems.Add($"H2 sections should be [{string.Join(", ", RequiredSections)}], are [{string.Join(", ", headings)}]");
        }

        foreach (string section in new[] { "SYNOPSIS", "DESCRIPTION", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" })
        {
            string text = md.Text(section);
            if (text.Length == 0)
            {
                problems.Add($"{section} is empty");
            }
        }

        if (md.Synopsis.Length > 200)
        {
            problems.Add("SYNOPSIS should be one short sentence (Get-Help shows it in lists)");
        }

        foreach ((string heading, List<string> lines) in md.Sections)
        {
            if (lines.Any(l => l.Contains("{{", StringComparison.Ordinal)))
            {
                problems.Add($"{heading} still holds a PlatyPS placeholder ({{{{ ... }}}})");
            }
        }

        if (!md.HasCommonParameters)
        {
            problems.Add("PARAMETERS has no CommonParameters subsection");
        }

        if (md.Subheadings("OUTPUTS").Count == 0)
        {
            problems.Add("OUTPUTS names no type (### Type)");
        }

        return problems;
    }

    public static List<string> Examples(CommandMarkdown md)
    {
        var problems = new List<string>();
        if (md.Examples.Count < 2)
        {
            problems.Add($"{md.Examples.Count} example(s); at least 2 are required");
        }

        foreach ((string title, string body) in md.Examples)
        {
            if (!title.StartsWith("Example ", StringComparison.Ordinal))
            {
                problems.Add($"example heading '{title}' should read 'Example N: what it shows'");
            }

            if (!body.Contains("```powershell", StringComparison.Ordinal))
            {
                problems.Add($"'{title}' has no ```powershell code block");
            }

            if (CommandMarkdown.Normalize(string.Join(' ', body.Split('\n').Where(l => !l.StartsWith("```", StringComparison.Ordinal)))).Length < 40)
            {
                problems.Add($"'{title}' has too little code and explanation");
            }
        }

        return problems;
    }

    /// <summary>Every parameter of the code is documented with a description and a yaml block that agrees with the code; nothing else is documented.</summary>
    public static List<string> Parameters(CmdletDescription cmdlet, CommandMarkdown md)
    {
        var problems = new List<string>();
        SortedSet<string> inCode = DocumentableParameters(cmdlet);
        var documented = new SortedSet<string>(md.Parameters.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
        foreach (string missing in inCode.Except(documented, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"-{missing} is a parameter of {cmdlet.Name} but is not documented in {Path.GetFileName(md.Path)}");
        }

        foreach (string extra in documented.Except(inCode, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"-{extra} is documented but {cmdlet.Name} has no such parameter");
        }

        var order = md.Parameters.Select(p => p.Name).ToList();
        if (!order.SequenceEqual(order.Order(StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add("parameters should be in alphabetical order, as PlatyPS writes them");
        }

        foreach (ParameterDoc doc in md.Parameters)
        {
            if (doc.Description.Length < 10)
            {
                problems.Add($"-{doc.Name} has no description");
            }

            if (doc.Yaml is null)
            {
                problems.Add($"-{doc.Name} has no ```yaml block");
                continue;
            }

            foreach (string key in new[] { "Type", "DefaultValue", "SupportsWildcards", "DontShow" })
            {
                if (doc.Yaml.Scalar(key) is null)
                {
                    problems.Add($"-{doc.Name}: yaml has no {key}");
                }
            }

            CmdletParameter? code = cmdlet.Parameters.FirstOrDefault(p => string.Equals(p.Name, doc.Name, StringComparison.OrdinalIgnoreCase));
            if (code is not null)
            {
                problems.AddRange(CompareYaml(code, doc.Yaml).Select(p => $"-{doc.Name}: {p}"));
            }
        }

        return problems;
    }

    /// <summary>SYNTAX has one block per parameter set of the code, the default one marked, each naming the set's parameters.</summary>
    public static List<string> Syntax(CmdletDescription cmdlet, CommandMarkdown md)
    {
        var problems = new List<string>();
        var sets = cmdlet.ParameterSetNames;
        var documented = md.Syntax.Select(s => s.SetName).ToList();
        if (!documented.Order(StringComparer.Ordinal).SequenceEqual(sets.Order(StringComparer.Ordinal)))
        {
            problems.Add($"SYNTAX shows sets [{string.Join(", ", documented)}], the code has [{string.Join(", ", sets)}]");
        }

        foreach ((string setName, bool isDefault, string code) in md.Syntax)
        {
            bool shouldBeDefault = sets.Count > 1 && setName == cmdlet.DefaultParameterSetName;
            if (isDefault != shouldBeDefault)
            {
                problems.Add($"SYNTAX set {setName} is {(isDefault ? string.Empty : "not ")}marked (Default), the code says {cmdlet.DefaultParameterSetName ?? "no default"}");
            }

            if (!code.TrimStart().StartsWith(cmdlet.Name, StringComparison.Ordinal))
            {
                problems.Add($"SYNTAX block {setName} does not start with {cmdlet.Name}");
            }

            foreach (CmdletParameter p in cmdlet.Parameters.Where(p => p.Sets.Any(s => s.Name == setName || s.Name == CmdletDescription.AllParameterSets)))
            {
                if (!code.Contains("-" + p.Name + " ", StringComparison.Ordinal) && !code.Contains("-" + p.Name + "]", StringComparison.Ordinal))
                {
                    problems.Add($"SYNTAX block {setName} does not show -{p.Name}");
                }
            }
        }

        return problems;
    }

    /// <summary>The committed MAML has this cmdlet with every parameter, and the markdown's text as it is now.</summary>
    public static List<string> MamlFreshness(CmdletDescription cmdlet, CommandMarkdown? md, IReadOnlyDictionary<string, MamlCommand> maml)
    {
        var problems = new List<string>();
        if (!maml.TryGetValue(cmdlet.Name, out MamlCommand? help))
        {
            problems.Add($"{cmdlet.Name} is not in the MAML");
            return problems;
        }

        SortedSet<string> inCode = DocumentableParameters(cmdlet);
        foreach (string missing in inCode.Where(p => !help.ParameterDescriptions.ContainsKey(p)))
        {
            problems.Add($"-{missing} of {cmdlet.Name} is not in the MAML");
        }

        foreach (string extra in help.ParameterDescriptions.Keys.Where(p => !inCode.Contains(p)))
        {
            problems.Add($"the MAML documents -{extra}, which {cmdlet.Name} does not have");
        }

        if (help.SyntaxItems.Count != cmdlet.ParameterSetNames.Count)
        {
            problems.Add($"the MAML has {help.SyntaxItems.Count} syntax item(s), the code {cmdlet.ParameterSetNames.Count} parameter set(s)");
        }

        if (md is null)
        {
            return problems;
        }

        if (help.Synopsis != md.Synopsis)
        {
            problems.Add($"synopsis differs from the markdown: MAML '{help.Synopsis}', markdown '{md.Synopsis}'");
        }

        if (help.Description != md.Description)
        {
            problems.Add("the description differs from the markdown's");
        }

        if (help.ExampleCount != md.Examples.Count)
        {
            problems.Add($"the MAML has {help.ExampleCount} example(s), the markdown {md.Examples.Count}");
        }

        foreach (ParameterDoc p in md.Parameters)
        {
            if (help.ParameterDescriptions.TryGetValue(p.Name, out string? text) && text != p.Description)
            {
                problems.Add($"-{p.Name}: the description differs from the markdown's");
            }
        }

        return problems;
    }

    private static IEnumerable<string> CompareYaml(CmdletParameter code, ParameterYaml yaml)
    {
        if (yaml.Scalar("Type") != code.TypeName)
        {
            yield return $"Type is '{yaml.Scalar("Type")}', the code says '{code.TypeName}'";
        }

        var aliases = yaml.List("Aliases");
        if (!aliases.Order(StringComparer.Ordinal).SequenceEqual(code.Aliases.Order(StringComparer.Ordinal)))
        {
            yield return $"Aliases are [{string.Join(", ", aliases)}], the code says [{string.Join(", ", code.Aliases)}]";
        }

        var expected = code.Sets.Select(s => s with { Name = s.Name == CmdletDescription.AllParameterSets ? "(All)" : s.Name })
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
        var documented = yaml.ParameterSets.Where(s => s.ContainsKey("Name")).ToDictionary(s => s["Name"], StringComparer.Ordinal);
        if (!documented.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected.Keys.Order(StringComparer.Ordinal)))
        {
            yield return $"ParameterSets are [{string.Join(", ", documented.Keys)}], the code says [{string.Join(", ", expected.Keys)}]";
            yield break;
        }

        foreach ((string name, ParameterSetMembership set) in expected)
        {
            IReadOnlyDictionary<string, string> doc = documented[name];
            foreach ((string key, string value) in new[]
            {
                ("Position", set.Position),
                ("IsRequired", Bool(set.IsRequired)),
                ("ValueFromPipeline", Bool(set.ValueFromPipeline)),
                ("ValueFromPipelineByPropertyName", Bool(set.ValueFromPipelineByPropertyName)),
                ("ValueFromRemainingArguments", Bool(set.ValueFromRemainingArguments)),
            })
            {
                string? actual = doc.TryGetValue(key, out string? v) ? v : null;
                if (!string.Equals(actual, value, StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"set {name}: {key} is '{actual}', the code says '{value}'";
                }
            }
        }
    }

    private static string Bool(bool b) => b ? "true" : "false";
}
