using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace InotifyPS;

/// <summary>
/// Turns an -Action script block into the script its handler runspace runs: one streaming pipeline,
/// <c>$lane | action</c>, where the action's statements became the <c>process</c> block of a function.
/// </summary>
/// <remarks>
/// The action's text is used, not the ScriptBlock object: a script block belongs to the session state it was made in,
/// and must not run on another runspace's thread. A <c>process</c> block costs about a microsecond per event, where
/// invoking a script block per event (<c>&amp; $action</c>, ForEach-Object) costs 15-30. The statements are wrapped in
/// try/catch so one failing event is counted and kept, and the next event is handled.
/// <c>$using:</c> values are taken when the watcher is made, as Start-ThreadJob takes them, and handed to the
/// script the way PowerShell hands them to any runspace (the <c>--%</c> parameter, keyed by the expression's text).
/// </remarks>
internal sealed class ActionScript
{
    public const string LaneParameter = "__InotifyPSLane";
    public const string ContextParameter = "__InotifyPSContext";
    public const string ArgumentsParameter = "__InotifyPSArguments";
    private const string FunctionName = "__InotifyPSAction";

    // The parameter under which PowerShell passes $using: values to a script (Parser.VERBATIM_ARGUMENT).
    public const string UsingParameter = "--%";

    private ActionScript(string text, Hashtable usingValues)
    {
        Text = text;
        UsingValues = usingValues;
    }

    /// <summary>The script a handler runspace runs, with the parameters named above.</summary>
    public string Text { get; }

    /// <summary>The $using: values, by PowerShell's key for each expression; empty when the action uses none.</summary>
    public Hashtable UsingValues { get; }

    /// <summary>Builds the handler script; <paramref name="caller"/> is the session state that $using: reads.</summary>
    /// <exception cref="ArgumentException">The action has a dynamicparam block.</exception>
    public static ActionScript Create(ScriptBlock action, SessionState caller)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(caller);
        var ast = (ScriptBlockAst)action.Ast;
        if (ast.DynamicParamBlock is not null)
        {
            throw new ArgumentException("An -Action cannot have a dynamicparam block.", nameof(action));
        }

        var text = new StringBuilder();
        foreach (UsingStatementAst u in ast.UsingStatements)
        {
            text.AppendLine(u.Extent.Text);
        }

        text.Append("param($").Append(LaneParameter).Append(", $").Append(ContextParameter).Append(", [object[]] $").Append(ArgumentsParameter).AppendLine(")");
        text.Append("$Event = $").Append(ContextParameter).AppendLine();
        text.AppendLine("$Sender = $Event.Sender");
        text.Append("function ").Append(FunctionName).AppendLine(" {");
        if (ast.ParamBlock is { } param)
        {
            text.AppendLine(TextOf(ast, param.Attributes.Select(a => a.Extent).Append(param.Extent)));
        }

        if (ast.BeginBlock is { } begin)
        {
            text.AppendLine(begin.Extent.Text);
        }

        NamedBlockAst? perEvent = ast.ProcessBlock ?? (ast.EndBlock is { Unnamed: true } unnamed ? unnamed : null);
        string body = perEvent is null ? string.Empty : Body(ast, perEvent);
        text.Append("process { try {").AppendLine().Append(body).AppendLine()
            .Append("} catch { $").Append(ContextParameter).AppendLine(".Fail($_) } }");
        if (ast.EndBlock is { Unnamed: false } end)
        {
            text.AppendLine(end.Extent.Text);
        }

        // PowerShell 7.3+ has clean blocks; the reference API this module compiles against does not know them.
        if (ast.GetType().GetProperty("CleanBlock")?.GetValue(ast) is Ast clean)
        {
            text.AppendLine(clean.Extent.Text);
        }

        text.AppendLine("}");
        text.Append('$').Append(LaneParameter).Append(" | ").Append(FunctionName).Append(" @").AppendLine(ArgumentsParameter);
        return new ActionScript(text.ToString(), UsingValuesOf(ast, caller));
    }

    // The statements (and traps) of a block, without its keyword and braces.
    private static string Body(ScriptBlockAst root, NamedBlockAst block)
    {
        IEnumerable<IScriptExtent> parts = block.Statements.Select(s => s.Extent);
        if (block.Traps is { } traps)
        {
            parts = parts.Concat(traps.Select(t => t.Extent));
        }

        return TextOf(root, parts);
    }

    private static string TextOf(ScriptBlockAst root, IEnumerable<IScriptExtent> extents)
    {
        List<IScriptExtent> all = [.. extents];
        if (all.Count == 0)
        {
            return string.Empty;
        }

        int start = all.Min(e => e.StartOffset);
        int end = all.Max(e => e.EndOffset);
        return root.Extent.Text.Substring(start - root.Extent.StartOffset, end - start);
    }

    private static Hashtable UsingValuesOf(ScriptBlockAst ast, SessionState caller)
    {
        var values = new Hashtable(StringComparer.Ordinal);
        foreach (UsingExpressionAst u in ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true).Cast<UsingExpressionAst>())
        {
            string key = KeyOf(u);
            if (!values.ContainsKey(key))
            {
                values[key] = ValueOf(u, caller);
            }
        }

        return values;
    }

    // PowerShell's key for a $using: expression (PsUtils.GetUsingExpressionKey): the expression's text, lower-cased
    // when it is a plain variable, as UTF-16 in base64.
    private static string KeyOf(UsingExpressionAst u)
    {
        string text = u.ToString();
        if (u.SubExpression is VariableExpressionAst)
        {
            text = text.ToLowerInvariant();
        }

        return Convert.ToBase64String(Encoding.Unicode.GetBytes(text));
    }

    private static object? ValueOf(UsingExpressionAst u, SessionState caller)
    {
        VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(u);
        object? value = caller.PSVariable.GetValue(variable.VariablePath.UserPath.Split(':', 2)[^1]);
        if (u.SubExpression is VariableExpressionAst)
        {
            return value;
        }

        // $using:a.b or $using:a[0]: the rest of the expression applied to the variable's value, here and now.
        string rest = u.SubExpression.Extent.Text[(variable.Extent.EndOffset - u.SubExpression.Extent.StartOffset)..];
        var results = ScriptBlock.Create("param($__InotifyPSUsing) $__InotifyPSUsing" + rest).Invoke(value);
        return results.Count switch
        {
            0 => null,
            1 => results[0],
            _ => results.ToArray(),
        };
    }
}
