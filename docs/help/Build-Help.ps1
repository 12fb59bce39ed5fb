#Requires -Version 7.4
<#
.SYNOPSIS
    Turns the markdown help in docs/help into the help files the module ships.

.DESCRIPTION
    Reads docs/help/<Verb-Noun>.md (Microsoft.PowerShell.PlatyPS 1.x markdown) and writes
    en-US/InotifyPS.dll-Help.xml (MAML, what Get-Help reads for the cmdlets) with PlatyPS's
    Import-MarkdownCommandHelp and Export-MamlCommandHelp, and converts docs/help/about_InotifyPS.md
    into en-US/about_InotifyPS.help.txt, the plain-text layout Get-Help reads for about topics
    (PlatyPS 1.x has no about-topic export). The generated files are committed, because PlatyPS is
    not available everywhere the module is built; `dotnet build` copies them into the module folder.
    The tests in tests/InotifyPS.Help.Tests fail when the committed files are older than the markdown.

    With -UpdateMarkdown, it first imports the built module and runs PlatyPS's
    Update-MarkdownCommandHelp on the markdown, which brings SYNTAX and the parameter metadata in line
    with the code and adds a section for every new parameter (its description still has to be written).

.PARAMETER OutputPath
    Where to write the generated files. Default: docs/help/en-US next to this script.

.PARAMETER UpdateMarkdown
    Refresh the markdown from the built module before generating (see DESCRIPTION).

.PARAMETER ModulePath
    The built module to import for -UpdateMarkdown. Default: out/InotifyPS at the repository root.

.EXAMPLE
    ./docs/help/Build-Help.ps1

    Regenerates docs/help/en-US/InotifyPS.dll-Help.xml and about_InotifyPS.help.txt from the markdown.

.EXAMPLE
    dotnet build; ./docs/help/Build-Help.ps1 -UpdateMarkdown

    After a parameter was added or changed: updates the markdown's syntax and parameter blocks from
    the built module, then regenerates the help files. Fill in the new parameters' descriptions and
    run it again.
#>
[CmdletBinding()]
param(
    [string] $OutputPath = (Join-Path $PSScriptRoot 'en-US'),
    [switch] $UpdateMarkdown,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/InotifyPS')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$platyPS = Get-Module -ListAvailable Microsoft.PowerShell.PlatyPS | Where-Object Version -ge '1.0.0' | Sort-Object Version -Descending | Select-Object -First 1
if (-not $platyPS) {
    throw 'Microsoft.PowerShell.PlatyPS 1.x is not installed (Install-PSResource Microsoft.PowerShell.PlatyPS). The committed files in docs/help/en-US are left as they are.'
}
Import-Module $platyPS -Force

$commandMarkdown = Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*-*.md' | Sort-Object Name

if ($UpdateMarkdown) {
    # Update-MarkdownCommandHelp (PlatyPS 1.0.x) appends the text of any help it finds for the loaded command to
    # the markdown's, so the module is imported from a copy without its en-US help. It runs in a child process:
    # the module's assembly stays loaded for as long as the process lives.
    $bare = Join-Path ([System.IO.Path]::GetTempPath()) ("InotifyPS-bare-" + [guid]::NewGuid().ToString('N'))
    try {
        Copy-Item -LiteralPath (Resolve-Path -LiteralPath $ModulePath).ProviderPath -Destination $bare -Recurse
        Remove-Item -LiteralPath (Join-Path $bare 'en-US') -Recurse -Force -ErrorAction Ignore
        $script = {
            param($module, $files, $platyPSPath)
            $ErrorActionPreference = 'Stop'
            Import-Module $platyPSPath
            Import-Module $module -Force
            Update-MarkdownCommandHelp -LiteralPath $files -NoBackup | Out-Null
        }
        # pwsh from $PSHOME, not the process's main module: under `dotnet pwsh` that is dotnet itself.
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script -args (Join-Path $bare 'InotifyPS.psd1'), $commandMarkdown.FullName, $platyPS.Path
        if ($LASTEXITCODE) { throw "Update-MarkdownCommandHelp failed ($LASTEXITCODE)." }
    }
    finally {
        Remove-Item -LiteralPath $bare -Recurse -Force -ErrorAction Ignore
    }

    # Keep the files as they were written: no byte-order mark, no doubled blank lines.
    foreach ($file in $commandMarkdown) {
        $text = [System.IO.File]::ReadAllText($file.FullName) -replace '\n{3,}', "`n`n"
        [System.IO.File]::WriteAllText($file.FullName, $text.TrimStart([char]0xFEFF), [System.Text.UTF8Encoding]::new($false))
    }
    Write-Warning 'Markdown updated from the module: write the descriptions of new parameters and inputs/outputs ({{ ... }} placeholders), then run this script again.'
}

$null = New-Item -ItemType Directory -Force -Path $OutputPath

# --- Cmdlet help: markdown -> MAML ---------------------------------------------------------------
# Export-MamlCommandHelp (PlatyPS 1.0.x) copies the markdown's text as it is, hard line breaks and **bold**
# markers included, and leaves out the parameters' default values. Get-Help then shows ragged lines and
# "Default value" empty. Repair-Maml fixes those three things and nothing else: paragraphs are joined into
# one line each (lists, tables and code blocks keep their lines), ** markers are dropped, and each
# parameter gets the yaml block's DefaultValue as dev:defaultValue.
function Repair-Maml([string] $Path, [object[]] $CommandHelp, [string] $Destination) {
    $doc = [System.Xml.XmlDocument]::new()
    $doc.PreserveWhitespace = $true
    $doc.Load($Path)
    $ns = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
    $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')

    foreach ($para in $doc.SelectNodes('//maml:para', $ns)) {
        $text = $para.InnerText
        if ($text.Contains('```')) { continue }
        $blocks = foreach ($block in $text -split '\n\s*\n') {
            $lines = [System.Collections.Generic.List[string]]::new()
            foreach ($line in $block -split "`n") {
                $startsItem = $line -match '^\s*([-*] |\d+\. |\|)'
                if ($lines.Count -gt 0 -and -not $startsItem -and $lines[$lines.Count - 1] -notmatch '^\s*\|') {
                    $lines[$lines.Count - 1] = $lines[$lines.Count - 1].TrimEnd() + ' ' + $line.Trim()
                }
                else {
                    $lines.Add($line.TrimEnd())
                }
            }
            $lines -join "`n"
        }
        $para.InnerText = ($blocks -join "`n`n") -replace '\*\*', ''
    }

    foreach ($command in $doc.SelectNodes('//command:command', $ns)) {
        $name = $command.SelectSingleNode('command:details/command:name', $ns).InnerText.Trim()
        $help = $CommandHelp | Where-Object Title -EQ $name
        foreach ($parameter in $command.SelectNodes('command:parameters/command:parameter', $ns)) {
            $parameterName = $parameter.SelectSingleNode('maml:name', $ns).InnerText.Trim()
            $default = ($help.Parameters | Where-Object Name -EQ $parameterName).DefaultValue
            if ($default -and $default -ne "''" -and -not $parameter.SelectSingleNode('dev:defaultValue', $ns)) {
                $element = $doc.CreateElement('dev', 'defaultValue', 'http://schemas.microsoft.com/maml/dev/2004/10')
                $element.InnerText = $default
                $null = $parameter.AppendChild($element)
            }
        }
    }

    $settings = [System.Xml.XmlWriterSettings]@{ Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($Destination, $settings)
    try { $doc.Save($writer) } finally { $writer.Dispose() }
}

$scratch = Join-Path ([System.IO.Path]::GetTempPath()) ("InotifyPS-help-" + [guid]::NewGuid().ToString('N'))
try {
    $help = Import-MarkdownCommandHelp -LiteralPath $commandMarkdown.FullName
    $null = Export-MamlCommandHelp -CommandHelp $help -OutputFolder $scratch -Force
    $maml = Get-ChildItem -LiteralPath $scratch -Recurse -Filter 'InotifyPS.dll-Help.xml' | Select-Object -First 1
    if (-not $maml) { throw "Export-MamlCommandHelp wrote no InotifyPS.dll-Help.xml (check 'external help file' and 'Module Name' in the markdown)." }
    Repair-Maml -Path $maml.FullName -CommandHelp $help -Destination (Join-Path $OutputPath 'InotifyPS.dll-Help.xml')
}
finally {
    Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction Ignore
}

# --- About topic: markdown -> Get-Help's plain text ----------------------------------------------
# Layout of PowerShell's own about_*.help.txt: "TOPIC", then H2 headings in capitals at column 0, H3
# headings in capitals at column 2, text indented by 4 and wrapped at 80 columns, code indented by 8.
# Get-Help takes the 5th line as the topic's synopsis, so the short description stays on one line.
# Only layout and markdown punctuation change: the words stay the same (the tests check that).
function ConvertTo-PlainInline([string] $text) {
    $text = [regex]::Replace($text, '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)')
    $text = $text -replace '\*\*([^*]+)\*\*', '$1'
    $text = $text -replace '`([^`]+)`', '$1'
    return $text
}

function Format-Wrapped([string] $text, [int] $indent, [int] $hangingIndent = $indent, [int] $width = 80) {
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ' ' * $indent
    $empty = $true
    foreach ($word in $text -split '\s+' | Where-Object { $_ }) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $width) {
            $lines.Add($line)
            $line = (' ' * $hangingIndent) + $word
        }
        else {
            $line = if ($empty) { $line + $word } else { "$line $word" }
        }
        $empty = $false
    }
    $lines.Add($line)
    return $lines
}

function ConvertTo-AboutText([string] $markdown) {
    $lines = $markdown -replace "`r`n", "`n" -split "`n"
    $i = 0
    if ($lines[0] -eq '---') {
        $i = [array]::IndexOf($lines, '---', 1) + 1
    }

    $out = [System.Collections.Generic.List[string]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $section = ''
    $listItem = $false

    $flush = {
        if ($paragraph.Count -gt 0) {
            $text = ConvertTo-PlainInline ($paragraph -join ' ')
            if ($section -eq 'SHORT DESCRIPTION') {
                $out.Add('    ' + ($text -replace '\s+', ' ').Trim())
            }
            elseif ($listItem) {
                $out.AddRange([string[]](Format-Wrapped $text -indent 4 -hangingIndent 6))
            }
            else {
                $out.AddRange([string[]](Format-Wrapped $text -indent 4))
            }
            $paragraph.Clear()
        }
    }
    # A blank line between blocks, none right after a heading (Get-Help's synopsis is line 5).
    $headingAt = -1
    $blank = { if ($out.Count -gt 0 -and $out[$out.Count - 1] -ne '' -and $headingAt -ne $out.Count - 1) { $out.Add('') } }

    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^```') {
            & $flush; & $blank
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch '^```'; $i++) {
                $out.Add($(if ($lines[$i]) { '        ' + $lines[$i] } else { '' }))
            }
            & $blank
            continue
        }
        if ($line -match '^# (.+)$') {
            & $flush
            $out.Add('TOPIC'); $out.Add('    ' + $Matches[1].Trim()); $out.Add('')
            continue
        }
        if ($line -match '^## (.+)$') {
            & $flush; & $blank
            $section = $Matches[1].Trim().ToUpperInvariant()
            $out.Add($section)
            $headingAt = $out.Count - 1
            continue
        }
        if ($line -match '^### (.+)$') {
            & $flush; & $blank
            $out.Add('  ' + (ConvertTo-PlainInline $Matches[1].Trim()).ToUpperInvariant())
            $headingAt = $out.Count - 1
            continue
        }
        if ($line -match '^- (.*)$') {
            & $flush
            $listItem = $true
            $paragraph.Add('- ' + $Matches[1])
            continue
        }
        if ($line -match '^\s*$') {
            & $flush
            $listItem = $false
            & $blank
            continue
        }
        if ($listItem -and $line -notmatch '^  ') {
            & $flush
            $listItem = $false
        }
        $paragraph.Add($line.Trim())
    }
    & $flush
    while ($out.Count -gt 0 -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    return ($out -join "`n") + "`n"
}

$aboutMarkdown = Join-Path $PSScriptRoot 'about_InotifyPS.md'
$aboutText = ConvertTo-AboutText (Get-Content -LiteralPath $aboutMarkdown -Raw)
[System.IO.File]::WriteAllText((Join-Path $OutputPath 'about_InotifyPS.help.txt'), $aboutText, [System.Text.UTF8Encoding]::new($false))

Get-ChildItem -LiteralPath $OutputPath
