using System.Reflection;
using System.Runtime.InteropServices;

namespace InotifyPS.Help.Tests;

/// <summary>One parameter set a parameter belongs to, as its ParameterAttribute declares it.</summary>
internal sealed record ParameterSetMembership(
    string Name,
    string Position,
    bool IsRequired,
    bool ValueFromPipeline,
    bool ValueFromPipelineByPropertyName,
    bool ValueFromRemainingArguments);

/// <summary>A cmdlet parameter read from the assembly's metadata.</summary>
internal sealed record CmdletParameter(string Name, string TypeName, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetMembership> Sets);

/// <summary>A cmdlet read from the assembly's metadata: CmdletAttribute, OutputType and its [Parameter] properties.</summary>
internal sealed record CmdletDescription(
    string Name,
    string TypeName,
    string? DefaultParameterSetName,
    bool SupportsShouldProcess,
    IReadOnlyList<CmdletParameter> Parameters)
{
    /// <summary>PowerShell's name for the set a [Parameter] without ParameterSetName belongs to.</summary>
    public const string AllParameterSets = "__AllParameterSets";

    /// <summary>The parameter sets the cmdlet has, as Get-Command shows them (one named __AllParameterSets when none is named).</summary>
    public IReadOnlyList<string> ParameterSetNames
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(n => n != AllParameterSets)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (DefaultParameterSetName is { Length: > 0 } d && d != AllParameterSets && !named.Contains(d))
            {
                named.Add(d);
            }

            return named.Count == 0 ? [AllParameterSets] : named;
        }
    }

    /// <summary>Parameters PowerShell adds itself: documented like the others when the cmdlet supports ShouldProcess.</summary>
    public IEnumerable<string> ShouldProcessParameters => SupportsShouldProcess ? ["Confirm", "WhatIf"] : [];

    public override string ToString() => Name;
}

/// <summary>Reads the cmdlets of InotifyPS.dll without loading it for execution and without pwsh.</summary>
internal static class CmdletCatalog
{
    private const string Sma = "System.Management.Automation";

    /// <summary>Common parameters; never declared by a cmdlet, listed only to keep them out of the comparison.</summary>
    internal static readonly HashSet<string> CommonParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "Debug", "ErrorAction", "ErrorVariable", "InformationAction", "InformationVariable", "OutBuffer", "OutVariable",
        "PipelineVariable", "ProgressAction", "Verbose", "WarningAction", "WarningVariable",
    };

    private static readonly Lazy<IReadOnlyList<CmdletDescription>> Cmdlets = new(Load);

    public static IReadOnlyList<CmdletDescription> All => Cmdlets.Value;

    public static CmdletDescription Get(string name) =>
        All.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"No cmdlet {name} in {TestPaths.CmdletAssembly}.");

    /// <summary>Cmdlet names for [MemberData]; an empty assembly yields a placeholder that fails the "has cmdlets" test, not a silent pass.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (CmdletDescription c in All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>Loads <paramref name="assemblyPath"/> (default: the built InotifyPS.dll) into a MetadataLoadContext and lists its cmdlets.</summary>
    internal static IReadOnlyList<CmdletDescription> Load(string assemblyPath)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"The cmdlet assembly is not built: {assemblyPath}. Build src/InotifyPS first (this project references it, so `dotnet test` does).", assemblyPath);
        }

        string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // The dll's own folder first, then the runtime, then PowerShell's API: one file per assembly name.
        foreach (string dll in Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!, "*.dll")
            .Concat(Directory.GetFiles(runtimeDir, "*.dll"))
            .Append(TestPaths.PowerShellReferenceAssembly))
        {
            paths.TryAdd(Path.GetFileNameWithoutExtension(dll), dll);
        }

        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths.Values));
        Assembly assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var result = new List<CmdletDescription>();
        foreach (Type type in assembly.GetTypes())
        {
            CustomAttributeData? cmdlet = type.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.FullName == Sma + ".CmdletAttribute");
            if (cmdlet is null || type.IsAbstract || !type.IsPublic)
            {
                continue;
            }

            string verb = (string)cmdlet.ConstructorArguments[0].Value!;
            string noun = (string)cmdlet.ConstructorArguments[1].Value!;
            result.Add(new CmdletDescription(
                $"{verb}-{noun}",
                type.FullName!,
                Named<string>(cmdlet, "DefaultParameterSetName"),
                Named<bool>(cmdlet, "SupportsShouldProcess"),
                ReadParameters(type)));
        }

        return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<CmdletDescription> Load() => Load(TestPaths.CmdletAssembly);

    private static List<CmdletParameter> ReadParameters(Type type)
    {
        var parameters = new List<CmdletParameter>();
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance;
        IEnumerable<(MemberInfo Member, Type Type)> members = type.GetProperties(Flags).Select(p => ((MemberInfo)p, p.PropertyType))
            .Concat(type.GetFields(Flags).Select(f => ((MemberInfo)f, f.FieldType)));
        foreach ((MemberInfo member, Type memberType) in members)
        {
            IList<CustomAttributeData> attributes = member.GetCustomAttributesData();
            var sets = attributes.Where(a => a.AttributeType.FullName == Sma + ".ParameterAttribute").Select(a => new ParameterSetMembership(
                Named<string>(a, "ParameterSetName") ?? CmdletDescription.AllParameterSets,
                Named<int?>(a, "Position") is int p and >= 0 ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Named",
                Named<bool>(a, "Mandatory"),
                Named<bool>(a, "ValueFromPipeline"),
                Named<bool>(a, "ValueFromPipelineByPropertyName"),
                Named<bool>(a, "ValueFromRemainingArguments"))).ToList();
            if (sets.Count == 0)
            {
                continue;
            }

            var aliases = attributes.Where(a => a.AttributeType.FullName == Sma + ".AliasAttribute")
                .SelectMany(a => a.ConstructorArguments.SelectMany(Strings)).ToList();
            parameters.Add(new CmdletParameter(member.Name, memberType.ToString(), aliases, sets));
        }

        return parameters.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> Strings(CustomAttributeTypedArgument arg) => arg.Value switch
    {
        string s => [s],
        IEnumerable<CustomAttributeTypedArgument> items => items.Select(i => (string)i.Value!),
        _ => [],
    };

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (CustomAttributeNamedArgument a in attribute.NamedArguments)
        {
            if (a.MemberName == name)
            {
                return (T?)a.TypedValue.Value;
            }
        }

        return default;
    }
}
