<#
.SYNOPSIS
    Builds, tests, documents and packages InotifyPS.

.DESCRIPTION
    Runs the tasks given to -Task, in that order. Every task stops the script with an error as soon as a
    step fails (a failing dotnet command, a failing test, a missing tool a task cannot do without), so a
    caller can rely on the exit code.

    Build    dotnet build of InotifyPS.sln; the importable module is laid out in out/InotifyPS.
    Test     Build, the xunit suites (dotnet test), then the Pester suite. Without Pester 5 the Pester part
             is skipped with a warning that says so; the xunit part still has to pass.
    Pester   Only the Pester suite, against the module already in out/InotifyPS. Needs Pester 5.
    Docs     Runs docs/help/Build-Help.ps1: the markdown in docs/help becomes the MAML and about-topic
             help in docs/help/en-US, with Microsoft.PowerShell.PlatyPS 1.x (which must be installed).
             The next Build copies them into out/InotifyPS/en-US.
    Package  A Release build, then out/InotifyPS-<version>.zip, and a .nupkg for a PowerShell
             repository when Compress-PSResource (PSResourceGet 1.1+) is available.

.PARAMETER Task
    One or more of Build, Test, Pester, Docs, Package.

.PARAMETER Configuration
    Debug (default) or Release.

.EXAMPLE
    ./build.ps1 -Task Build

    Builds everything; then Import-Module ./out/InotifyPS loads the module.

.EXAMPLE
    ./build.ps1 -Task Test

    Builds, runs the xunit tests and then the Pester tests (or says plainly that Pester was skipped).

.EXAMPLE
    ./build.ps1 -Task Pester

    Runs only the Pester tests against out/InotifyPS, for example after `dotnet test` has built it.
    Results are also written to TestResults/pester.xml (NUnit XML).

.EXAMPLE
    ./build.ps1 -Task Docs

    Regenerates docs/help/en-US/InotifyPS.dll-Help.xml and about_InotifyPS.help.txt from the markdown in docs/help.

.EXAMPLE
    ./build.ps1 -Task Package

    Writes out/InotifyPS-<version>.zip (and out/InotifyPS.<version>.nupkg when it can) from a Release build.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Docs', 'Package')]
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
$HelpSource = Join-Path $Root 'docs/help'
$HelpOutput = Join-Path $Root 'docs/help/en-US'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @())
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor Cyan
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-Pester {
    Get-Module -ListAvailable -Name Pester |
        Where-Object { $_.Version -ge [version]'5.0' } |
        Sort-Object Version -Descending |
        Select-Object -First 1
}

function Invoke-Build {
    Invoke-Native dotnet @('build', $Solution, '--configuration', $Configuration, '--nologo')
    if (-not (Test-Path (Join-Path $ModuleFolder 'InotifyPS.dll'))) {
        throw "The build did not lay out the module in $ModuleFolder."
    }
}

function Invoke-Xunit {
    Invoke-Native dotnet @('test', $Solution, '--configuration', $Configuration, '--no-build', '--nologo')
}

function Invoke-PesterSuite {
    param([switch] $SkipIfUnavailable)

    $pester = Get-Pester
    if (-not $pester) {
        $message = 'Pester 5 is not installed (Install-PSResource Pester), so the Pester tests did not run.'
        if ($SkipIfUnavailable) {
            Write-Warning "SKIPPED: $message"
            return
        }
        throw $message
    }
    if (-not (Test-Path (Join-Path $ModuleFolder 'InotifyPS.dll'))) {
        throw "No module in ${ModuleFolder}: run ./build.ps1 -Task Build (or dotnet build) first."
    }

    # A fresh pwsh: the tests import the module just built, and nothing of this session leaks into them.
    $results = Join-Path $Root 'TestResults/pester.xml'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $results)
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    Write-Host "> Pester $($pester.Version) on $PesterTests" -ForegroundColor Cyan
    & $pwsh -NoProfile -NonInteractive -Command {
        param($PesterPath, $TestPath, $ResultPath)
        Import-Module $PesterPath
        $config = New-PesterConfiguration
        $config.Run.Path = $TestPath
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $ResultPath
        $result = Invoke-Pester -Configuration $config
        if ($result.Result -ne 'Passed' -or $result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0) {
            exit 1
        }
        exit 0
    } -args $pester.Path, $PesterTests, $results
    if ($LASTEXITCODE -ne 0) {
        throw "Pester tests failed (exit code $LASTEXITCODE); see the output above and $results."
    }
}

function Invoke-Docs {
    # The help itself belongs to docs/help: its Build-Help.ps1 knows the markdown layout and the about topic.
    $builder = Join-Path $HelpSource 'Build-Help.ps1'
    if (-not (Test-Path -LiteralPath $builder)) {
        throw "No $builder to turn the markdown help into MAML."
    }
    $platyPS = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Where-Object { $_.Version.Major -ge 1 }
    if (-not $platyPS) {
        throw 'Docs needs Microsoft.PowerShell.PlatyPS 1.x: Install-PSResource Microsoft.PowerShell.PlatyPS'
    }
    Write-Host "> $builder -OutputPath $HelpOutput" -ForegroundColor Cyan
    & $builder -OutputPath $HelpOutput
}

function Invoke-Package {
    $script:Configuration = 'Release'
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $Root 'InotifyPS.psd1')).ModuleVersion
    $out = Join-Path $Root 'out'
    $zip = Join-Path $out "InotifyPS-$version.zip"
    # .NET's zip rather than Compress-Archive, which lives in a separately shipped module.
    Remove-Item -LiteralPath $zip -ErrorAction SilentlyContinue
    [System.IO.Compression.ZipFile]::CreateFromDirectory($ModuleFolder, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    Write-Host "Wrote $zip"

    if (Get-Command Compress-PSResource -ErrorAction SilentlyContinue) {
        Compress-PSResource -Path $ModuleFolder -DestinationPath $out
        Write-Host "Wrote the .nupkg for InotifyPS $version to $out"
    }
    else {
        Write-Warning 'Compress-PSResource (Microsoft.PowerShell.PSResourceGet 1.1+) is not available: no .nupkg, only the zip.'
    }
}

foreach ($name in $Task) {
    Write-Host "=== $name ===" -ForegroundColor Green
    switch ($name) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Build; Invoke-Xunit; Invoke-PesterSuite -SkipIfUnavailable }
        'Pester' { Invoke-PesterSuite }
        'Docs' { Invoke-Docs }
        'Package' { Invoke-Package }
    }
    Write-Host "=== $name succeeded ===" -ForegroundColor Green
}
