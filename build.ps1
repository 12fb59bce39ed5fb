<#
.SYNOPSIS
    Builds, tests, documents and packages InotifyPS.

.DESCRIPTION
    Runs the tasks given to -Task, in that order. Every task stops the script with an error as soon as a
    step fails (a failing dotnet command, a failing test, a tool a task cannot do without), so a caller can
    rely on the exit code. Nothing is skipped silently: the Pester suite is part of Test, and a machine that
    cannot get Pester fails the task.

    It needs only the .NET SDK: run it as `dotnet tool restore && dotnet pwsh ./build.ps1 -Task <Task>`. The
    tool manifest (.config/dotnet-tools.json) pins PowerShell 7.6.10, and tests/Pester.Restore brings Pester
    5.9.1 into the NuGet package folder, from where it is imported by path.

    Build    dotnet build of InotifyPS.sln; the importable module is laid out in out/InotifyPS.
    Test     Build, every xunit suite (one test project at a time: some tests lower machine-wide inotify
             limits for a moment), then the Pester suite in a fresh pwsh. Ends with the totals of both.
    Pester   Only the Pester suite, against the module already in out/InotifyPS.
    Shell    A Release build, then a new pwsh with InotifyPS imported (exit it to come back).
    Docs     Runs docs/help/Build-Help.ps1: the markdown in docs/help becomes the MAML and about-topic
             help in docs/help/en-US, with Microsoft.PowerShell.PlatyPS 1.x (which must be installed).
             The next Build copies them into out/InotifyPS/en-US.
    Package  A clean Release build of the module folder, then out/InotifyPS-<version>.zip and
             out/InotifyPS.<version>.nupkg, which Install-PSResource takes from a file repository.

.PARAMETER Task
    One or more of Build, Test, Pester, Shell, Docs, Package.

.PARAMETER Configuration
    Debug (default) or Release. Shell and Package always build Release.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Builds, runs the xunit tests and the Pester tests, and prints the totals of each.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Shell

    Builds the module and opens a pwsh with it imported.

.EXAMPLE
    ./build.ps1 -Task Pester

    Runs only the Pester tests against out/InotifyPS, for example after `dotnet build`.
    Results are also written to TestResults/pester.xml (NUnit XML).

.EXAMPLE
    ./build.ps1 -Task Docs

    Regenerates docs/help/en-US/InotifyPS.dll-Help.xml and about_InotifyPS.help.txt from the markdown in docs/help.

.EXAMPLE
    ./build.ps1 -Task Package

    Writes out/InotifyPS-<version>.zip and out/InotifyPS.<version>.nupkg from a clean Release build.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Shell', 'Docs', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Root = $PSScriptRoot
$Solution = Join-Path $Root 'InotifyPS.sln'
$ModuleFolder = Join-Path $Root 'out/InotifyPS'
$PesterTests = Join-Path $Root 'tests/Pester'
$PesterRestore = Join-Path $Root 'tests/Pester.Restore/Pester.Restore.csproj'
$HelpSource = Join-Path $Root 'docs/help'
$HelpOutput = Join-Path $Root 'docs/help/en-US'

# pwsh itself, for child processes. Under `dotnet pwsh` the process is `dotnet`, so never take the main module's
# path; the PowerShell tool ships an apphost named pwsh in $PSHOME, as every other install does.
$Pwsh = Join-Path $PSHOME 'pwsh'

# Filled by the test tasks, printed at the end.
$Totals = [ordered]@{}

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @())
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor Cyan
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', $Solution, '--configuration', $Configuration, '--nologo')
    if (-not (Test-Path (Join-Path $ModuleFolder 'InotifyPS.dll'))) {
        throw "The build did not lay out the module in $ModuleFolder."
    }
}

function Invoke-Xunit {
    # -m:1: dotnet test passes its own -maxcpucount, so only this makes the test projects run one after another.
    # Some tests lower a /proc/sys/fs/inotify limit for a moment, which a test in a parallel process would feel.
    $arguments = @('test', $Solution, '--configuration', $Configuration, '--no-build', '--nologo', '-m:1')
    Write-Host "> dotnet $($arguments -join ' ')" -ForegroundColor Cyan
    $passed = 0; $failed = 0; $skipped = 0
    & dotnet @arguments | ForEach-Object {
        Write-Host $_
        # VSTest's per-assembly summary: "Passed!  - Failed:     0, Passed:   129, Skipped:     0, Total: ..."
        if ($_ -match 'Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+),\s*Total:') {
            $failed += [int]$Matches[1]; $passed += [int]$Matches[2]; $skipped += [int]$Matches[3]
        }
    }
    $exit = $LASTEXITCODE
    $Totals['xunit'] = "$passed passed, $failed failed, $skipped skipped"
    if ($exit -ne 0 -or $failed -gt 0) {
        throw "xunit tests failed (exit code $exit): $($Totals['xunit'])."
    }
    if ($passed -eq 0) {
        throw 'xunit ran no tests: the summary lines were not found in its output.'
    }
}

function Get-PesterPath {
    # Pester comes from the NuGet package folder (PackageDownload in tests/Pester.Restore): no module gallery needed.
    Invoke-Native dotnet @('restore', $PesterRestore, '--nologo', '--verbosity', 'quiet')
    $properties = (& dotnet msbuild $PesterRestore -nologo -getProperty:NuGetPackageRoot -getProperty:PesterVersion | ConvertFrom-Json).Properties
    if ($LASTEXITCODE -ne 0) {
        throw "Could not read where NuGet put Pester (exit code $LASTEXITCODE)."
    }
    $path = Join-Path $properties.NuGetPackageRoot "pester/$($properties.PesterVersion)/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Pester $($properties.PesterVersion) was restored, but $path does not exist."
    }
    $path
}

function Invoke-PesterSuite {
    if (-not (Test-Path (Join-Path $ModuleFolder 'InotifyPS.dll'))) {
        throw "No module in ${ModuleFolder}: run ./build.ps1 -Task Build (or dotnet build) first."
    }
    $pester = Get-PesterPath

    # A fresh pwsh: the tests import the module just built, and nothing of this session leaks into them.
    $results = Join-Path $Root 'TestResults/pester.xml'
    $summary = Join-Path $Root 'TestResults/pester-summary.json'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $results)
    Remove-Item -LiteralPath $summary -ErrorAction Ignore
    Write-Host "> ${Pwsh}: Pester $pester on $PesterTests" -ForegroundColor Cyan
    & $Pwsh -NoProfile -NonInteractive -Command {
        param($PesterPath, $TestPath, $ResultPath, $SummaryPath)
        Import-Module $PesterPath
        $config = New-PesterConfiguration
        $config.Run.Path = $TestPath
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $ResultPath
        $result = Invoke-Pester -Configuration $config
        @{
            Result = $result.Result; Passed = $result.PassedCount; Failed = $result.FailedCount; Skipped = $result.SkippedCount
            FailedBlocks = $result.FailedBlocksCount; FailedContainers = $result.FailedContainersCount
        } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
        if ($result.Result -ne 'Passed' -or $result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0) {
            exit 1
        }
        exit 0
    } -args $pester, $PesterTests, $results, $summary
    $exit = $LASTEXITCODE
    if (Test-Path -LiteralPath $summary) {
        $s = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
        $Totals['Pester'] = "$($s.Passed) passed, $($s.Failed) failed, $($s.Skipped) skipped" +
            $(if ($s.FailedBlocks -or $s.FailedContainers) { ", $($s.FailedBlocks) failed blocks, $($s.FailedContainers) failed containers" })
    }
    else {
        $Totals['Pester'] = 'did not finish'
    }
    if ($exit -ne 0) {
        throw "Pester tests failed (exit code $exit): $($Totals['Pester']); see the output above and $results."
    }
}

function Invoke-Shell {
    $script:Configuration = 'Release'
    Invoke-Build
    $manifest = Join-Path $ModuleFolder 'InotifyPS.psd1'
    $greeting = @"
Import-Module '$($manifest -replace "'", "''")'
Write-Host 'InotifyPS is imported. Try:  Wait-InotifyEvent . -Recurse   (Ctrl+C stops it)   ;   Get-Command -Module InotifyPS   ;   Get-Help about_InotifyPS   ;   exit to leave.' -ForegroundColor Green
"@
    & $Pwsh -NoLogo -NoExit -Command $greeting
}

function Invoke-Docs {
    # The help itself belongs to docs/help: its Build-Help.ps1 knows the markdown layout and the about topic.
    $builder = Join-Path $HelpSource 'Build-Help.ps1'
    if (-not (Test-Path -LiteralPath $builder)) {
        throw "No $builder to turn the markdown help into MAML."
    }
    Write-Host "> $builder -OutputPath $HelpOutput" -ForegroundColor Cyan
    & $builder -OutputPath $HelpOutput
}

function Invoke-Package {
    $script:Configuration = 'Release'
    # A clean folder: the build copies into it file by file, so anything an earlier build left would ship too.
    Remove-Item -LiteralPath $ModuleFolder -Recurse -Force -ErrorAction Ignore
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $Root 'InotifyPS.psd1')).ModuleVersion
    $out = Join-Path $Root 'out'
    $zip = Join-Path $out "InotifyPS-$version.zip"
    Remove-Item -LiteralPath $zip -ErrorAction Ignore
    [System.IO.Compression.ZipFile]::CreateFromDirectory($ModuleFolder, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    Write-Host "Wrote $zip"

    Remove-Item -Path (Join-Path $out "InotifyPS.$version.nupkg") -ErrorAction Ignore
    Compress-PSResource -Path $ModuleFolder -DestinationPath $out
    Write-Host "Wrote $(Join-Path $out "InotifyPS.$version.nupkg") (Install-PSResource takes it from a file repository)"
}

try {
    foreach ($name in $Task) {
        Write-Host "=== $name ===" -ForegroundColor Green
        switch ($name) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Build; Invoke-Xunit; Invoke-PesterSuite }
            'Pester' { Invoke-PesterSuite }
            'Shell' { Invoke-Shell }
            'Docs' { Invoke-Docs }
            'Package' { Invoke-Package }
        }
        Write-Host "=== $name succeeded ===" -ForegroundColor Green
    }
}
finally {
    foreach ($suite in $Totals.Keys) {
        Write-Host "${suite}: $($Totals[$suite])" -ForegroundColor Yellow
    }
}
