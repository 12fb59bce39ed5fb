using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace InotifyPS.Tests;

/// <summary>
/// Checks the cmdlet assembly the way PowerShell will see it, without running pwsh: the built module is loaded
/// for inspection only (MetadataLoadContext), against PowerShell's reference assembly.
/// </summary>
public sealed partial class ModuleMetadataTests : IDisposable
{
    private const string AllSets = "__AllParameterSets";
    private readonly MetadataLoadContext context;
    private readonly Assembly module;

    public ModuleMetadataTests()
    {
        string folder = Repository.ModuleFolder;
        Assert.True(File.Exists(Path.Combine(folder, "InotifyPS.dll")), $"{folder} is not laid out: run dotnet build src/InotifyPS");
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Append(Repository.PowerShellReferenceAssembly)
            .Concat(Directory.GetFiles(folder, "*.dll"));
        context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        module = context.LoadFromAssemblyPath(Path.Combine(folder, "InotifyPS.dll"));
    }

    private IEnumerable<Type> Cmdlets => module.GetTypes().Where(t => Attribute(t, "CmdletAttribute") is not null);

    public void Dispose() => context.Dispose();

    [Fact]
    public void The_cmdlets_are_exactly_CmdletsToExport()
    {
        string[] exported = ManifestList("CmdletsToExport");

        Assert.Equal(exported.Order(), Cmdlets.Select(CommandName).Order());
        Assert.Equal(9, exported.Length);
    }

    [Fact]
    public void Every_cmdlet_is_sealed_named_VerbNounCommand_and_uses_an_approved_verb()
    {
        HashSet<string> approved = ApprovedVerbs();
        foreach (Type t in Cmdlets)
        {
            CustomAttributeData cmdlet = Attribute(t, "CmdletAttribute")!;
            string verb = (string)cmdlet.ConstructorArguments[0].Value!;
            string noun = (string)cmdlet.ConstructorArguments[1].Value!;
            Assert.True(t.IsSealed, $"{t.Name} is not sealed");
            Assert.True(t.IsPublic, $"{t.Name} is not public");
            Assert.Equal(verb + noun + "Command", t.Name);
            Assert.Contains(verb, approved);
            Assert.StartsWith("Inotify", noun, StringComparison.Ordinal);
            Assert.True(DerivesFrom(t, "System.Management.Automation.PSCmdlet"), $"{t.Name} is not a PSCmdlet");
        }
    }

    [Fact]
    public void Every_cmdlet_declares_OutputType()
    {
        foreach (Type t in Cmdlets)
        {
            Assert.True(Attribute(t, "OutputTypeAttribute") is not null, $"{t.Name} has no OutputType");
        }
    }

    [Fact]
    public void Commands_that_make_or_hold_resources_release_them_in_Dispose()
    {
        // EndProcessing is not called after Ctrl+C or a satisfied Select-Object -First; Dispose is.
        foreach (string name in new[] { "WaitInotifyEventCommand", "NewInotifyWatcherCommand" })
        {
            Type t = Cmdlets.Single(c => c.Name == name);
            Assert.Contains(t.GetInterfaces(), i => i.FullName == "System.IDisposable");
        }
    }

    [Fact]
    public void Parameter_sets_are_consistent()
    {
        foreach (Type t in Cmdlets)
        {
            var parameters = Parameters(t).ToList();
            var named = parameters.SelectMany(p => p.Sets.Keys).Where(s => s != AllSets).Distinct().ToList();
            string? defaultSet = NamedArgument<string>(Attribute(t, "CmdletAttribute")!, "DefaultParameterSetName");
            string where = t.Name;

            if (named.Count > 1)
            {
                Assert.True(defaultSet is not null, $"{where}: several parameter sets and no DefaultParameterSetName");
            }

            foreach (string set in named)
            {
                var inSet = parameters.Where(p => p.Sets.ContainsKey(set) || p.Sets.ContainsKey(AllSets)).ToList();
                string label = $"{where} [{set}]";
                Assert.False(inSet.Any(p => p.Name == "Path") && inSet.Any(p => p.Name == "LiteralPath"), $"{label}: Path and LiteralPath together");

                // A set other than the default must be chosen by something only it has, and that something must be required.
                if (set != defaultSet)
                {
                    Assert.True(
                        parameters.Any(p => p.Sets.Count == 1 && p.Sets.TryGetValue(set, out var a) && NamedArgument<bool>(a, "Mandatory")),
                        $"{label}: no mandatory parameter of its own");
                }

                var positions = inSet.Select(p => NamedArgument<int?>(p.Sets.GetValueOrDefault(set) ?? p.Sets[AllSets], "Position"))
                    .Where(pos => pos is not null and >= 0).ToList();
                Assert.True(positions.Count == positions.Distinct().Count(), $"{label}: two parameters at one position");

                var byValue = inSet.Where(p => NamedArgument<bool>(p.Sets.GetValueOrDefault(set) ?? p.Sets[AllSets], "ValueFromPipeline")).ToList();
                Assert.True(byValue.Count <= 1, $"{label}: several parameters take the pipeline by value");
            }
        }
    }

    [Fact]
    public void Path_parameters_follow_PowerShells_conventions()
    {
        foreach (Type t in Cmdlets)
        {
            foreach (var p in Parameters(t))
            {
                if (p.Name is "LiteralPath")
                {
                    Assert.Equal(typeof(string[]).FullName, p.Property.PropertyType.FullName);
                    string[] aliases = Aliases(p.Property);
                    Assert.Contains("PSPath", aliases);
                    Assert.Contains("FullName", aliases);
                    Assert.True(p.Sets.Values.All(a => NamedArgument<bool>(a, "ValueFromPipelineByPropertyName")), $"{t.Name}.LiteralPath does not bind PSPath from the pipeline");
                }
                else if (p.Name is "Path")
                {
                    Assert.Equal(typeof(string[]).FullName, p.Property.PropertyType.FullName);
                }
                else if (p.Name is "Event")
                {
                    // An enum parameter binds 'CloseWrite,MovedTo' and tab-completes its names.
                    Assert.Equal("Inotify.InotifyEventMask", p.Property.PropertyType.FullName);
                }
            }
        }
    }

    [Fact]
    public void Wait_InotifyEvent_takes_Timeout_in_fractional_seconds_and_Count()
    {
        Type t = Cmdlets.Single(c => c.Name == "WaitInotifyEventCommand");
        Assert.Equal("System.Double", t.GetProperty("Timeout")!.PropertyType.FullName);
        Assert.Equal("System.Int32", t.GetProperty("Count")!.PropertyType.FullName);
        Assert.Contains(Parameters(t), p => p.Name == "Watcher" && p.Sets.Values.All(a => NamedArgument<bool>(a, "ValueFromPipeline")));
    }

    [Fact]
    public void The_cmdlets_own_error_ids_are_PascalCase()
    {
        Type ids = module.GetType("InotifyPS.ErrorIds", throwOnError: true)!;
        var values = ids.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.Matches(PascalCase(), v));
        Assert.Contains("WatcherDisposed", values);
    }

    [Fact]
    public void Every_error_record_takes_its_id_from_ErrorIds_or_the_engine()
    {
        // The id is what scripts catch; a literal typed at a call site escapes the PascalCase check above.
        foreach (string file in Directory.GetFiles(Path.Combine(Repository.Root, "src", "InotifyPS"), "*.cs", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            foreach (Match m in ErrorRecordCall().Matches(text))
            {
                string id = m.Groups["id"].Value.Trim();
                Assert.True(id.StartsWith("ErrorIds.", StringComparison.Ordinal) || id == "e.ErrorId",
                    $"{Path.GetFileName(file)}: error id '{id}' does not come from ErrorIds");
            }
        }
    }

    [Fact]
    public void The_module_folder_holds_what_Import_Module_needs_and_not_PowerShell_itself()
    {
        string folder = Repository.ModuleFolder;
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "InotifyPS.psd1")), File.ReadAllText(Path.Combine(folder, "InotifyPS.psd1")));
        Assert.Equal("InotifyPS.dll", ManifestValue("RootModule"));
        foreach (string file in ManifestList("FormatsToProcess").Concat(ManifestList("TypesToProcess")).Append("InotifyPS.dll").Append("Inotify.Core.dll"))
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing from {folder}");
        }

        Assert.Empty(Directory.GetFiles(folder, "System.Management.Automation*", SearchOption.AllDirectories));
        Assert.Equal(new Version(ManifestValue("ModuleVersion")), Version(module.GetName().Version!));
        Assert.Equal(new Version(ManifestValue("ModuleVersion")), Version(context.LoadFromAssemblyPath(Path.Combine(folder, "Inotify.Core.dll")).GetName().Version!));
    }

    [Fact]
    public void The_manifest_declares_Core_PowerShell_7_4_and_its_gallery_data()
    {
        Assert.Equal("7.4", ManifestValue("PowerShellVersion"));
        Assert.Equal(["Core"], ManifestList("CompatiblePSEditions"));
        Assert.Empty(ManifestList("FunctionsToExport"));
        Assert.Empty(ManifestList("AliasesToExport"));
        Assert.Empty(ManifestList("VariablesToExport"));
        string manifest = Manifest();
        foreach (string key in new[] { "Tags", "ProjectUri", "LicenseUri", "ReleaseNotes" })
        {
            Assert.Matches(new Regex($@"\b{key}\s*="), manifest);
        }
    }

    [Fact]
    public void Format_and_type_data_name_types_that_exist()
    {
        string folder = Repository.ModuleFolder;
        Assembly core = context.LoadFromAssemblyPath(Path.Combine(folder, "Inotify.Core.dll"));
        Type? Find(string name) => core.GetType(name) ?? module.GetType(name);

        XDocument format = XDocument.Load(Path.Combine(folder, "InotifyPS.format.ps1xml"));
        var formatted = format.Descendants("TypeName").Select(e => e.Value.Trim()).Distinct().ToList();
        foreach (string name in formatted)
        {
            Assert.True(Find(name) is not null, $"the format file names {name}, which does not exist");
        }

        Assert.Contains("Inotify.InotifyEvent", formatted);
        Assert.Contains("Inotify.InotifyWatch", formatted);
        Assert.Contains("Inotify.RecursiveWatch", formatted);
        Assert.Contains("Inotify.InotifyWatcher", formatted);
        Assert.Contains("InotifyPS.InotifyLimitInfo", formatted);

        Type info = module.GetType("InotifyPS.InotifyWatcherInfo", throwOnError: true)!;
        Assert.Contains("InotifyPS.types.ps1xml", ManifestList("TypesToProcess"));
        foreach (string file in ManifestList("TypesToProcess"))
        {
            XDocument types = XDocument.Load(Path.Combine(folder, file));
            foreach (string name in types.Descendants("Type").Select(e => e.Element("Name")!.Value.Trim()))
            {
                Assert.True(Find(name) is not null, $"{file} names {name}, which does not exist");
            }

            foreach (Match m in StaticCall().Matches(types.ToString()))
            {
                Assert.Equal("InotifyPS.InotifyWatcherInfo", m.Groups["type"].Value);
                Assert.True(info.GetMethod(m.Groups["method"].Value) is { IsPublic: true, IsStatic: true }, $"{m.Value} does not exist");
            }

            // Code properties: a public static getter that takes the PSObject.
            foreach (XElement reference in types.Descendants("GetCodeReference"))
            {
                string typeName = reference.Element("TypeName")!.Value.Trim();
                string methodName = reference.Element("MethodName")!.Value.Trim();
                MethodInfo? getter = module.GetType(typeName)?.GetMethod(methodName);
                Assert.True(getter is { IsPublic: true, IsStatic: true }, $"{typeName}::{methodName} does not exist");
                Assert.Equal("PSObject", getter!.GetParameters().Single().ParameterType.Name);
            }
        }
    }

    private static Version Version(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0));

    private static string CommandName(Type t)
    {
        CustomAttributeData a = Attribute(t, "CmdletAttribute")!;
        return $"{a.ConstructorArguments[0].Value}-{a.ConstructorArguments[1].Value}";
    }

    private static CustomAttributeData? Attribute(MemberInfo m, string name) =>
        m.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == name);

    private static T? NamedArgument<T>(CustomAttributeData a, string name)
    {
        var arg = a.NamedArguments.FirstOrDefault(n => n.MemberName == name);
        return arg.MemberInfo is null ? default : (T?)arg.TypedValue.Value;
    }

    private static bool DerivesFrom(Type t, string fullName)
    {
        for (Type? b = t.BaseType; b is not null; b = b.BaseType)
        {
            if (b.FullName == fullName)
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Aliases(PropertyInfo p) =>
        p.GetCustomAttributesData().Where(a => a.AttributeType.Name == "AliasAttribute")
            .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (string)v.Value!))
            .ToArray();

    private static IEnumerable<(string Name, PropertyInfo Property, Dictionary<string, CustomAttributeData> Sets)> Parameters(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.Name, p, Sets: p.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute")
                .ToDictionary(a => NamedArgument<string>(a, "ParameterSetName") ?? AllSets)))
            .Where(p => p.Sets.Count > 0);

    private HashSet<string> ApprovedVerbs()
    {
        Assembly sma = context.LoadFromAssemblyPath(Repository.PowerShellReferenceAssembly);
        return sma.GetTypes().Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string Manifest() => File.ReadAllText(Path.Combine(Repository.Root, "InotifyPS.psd1"));

    private static string ManifestValue(string key) =>
        new Regex($@"^\s*{key}\s*=\s*'([^']*)'", RegexOptions.Multiline).Match(Manifest()) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"{key} is not in the manifest");

    private static string[] ManifestList(string key) =>
        new Regex($@"^\s*{key}\s*=\s*@\((?<items>[^)]*)\)", RegexOptions.Multiline).Match(Manifest()) is { Success: true } m
            ? [.. Regex.Matches(m.Groups["items"].Value, "'([^']*)'").Select(q => q.Groups[1].Value)]
            : throw new InvalidOperationException($"{key} is not in the manifest");

    [GeneratedRegex("^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex(@"(?:new ErrorRecord\([^,]+,|Errors\.Create\()\s*(?<id>[^,]+),")]
    private static partial Regex ErrorRecordCall();

    [GeneratedRegex(@"\[(?<type>[\w.]+)\]::(?<method>\w+)\(")]
    private static partial Regex StaticCall();
}
