# pwsh-wait.ps1 DIR OUT: InotifyPS's pipeline form, `Wait-InotifyEvent | ForEach-Object`.
# Contract: bench/README.md.  Needs the module built at out/InotifyPS ($env:BENCH_MODULE).
#
# TO FINISH when the cmdlets land: parameter names (-Path, -Recurse) and the output
# object's properties (Kind, Name, Path, OldPath, IsDirectory) follow the planned API.
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir

# `break` inside ForEach-Object ends the whole pipeline (and Wait-InotifyEvent with it);
# the one-pass loop is what it breaks out of, so the script carries on to write the result.
do {
    # READY is printed in -Begin: PowerShell runs every BeginProcessing upstream first, so
    # this relies on Wait-InotifyEvent adding its watches in BeginProcessing.
    Wait-InotifyEvent -Path $S.Root -Recurse | ForEach-Object -Begin { Write-BenchReady } -Process {
        $e = $_
        $S.events_total++
        switch ([string]$e.Kind) {
            'Create' { Add-BenchCreated $S $e.Name $e.Path (Get-BenchNs) }
            'MovedTo' { if ($e.Name.StartsWith('r')) { $S.renamed_to++ } }
            'MovedFrom' { if ($e.Name.StartsWith('f')) { $S.renamed_from++ } }
            'Renamed' {
                if ($e.Name.StartsWith('r')) { $S.renamed_to++ }
                if ([IO.Path]::GetFileName($e.OldPath).StartsWith('f')) { $S.renamed_from++ }
            }
            { $_ -in 'QueueOverflow', 'EventsDropped' } { $S.overflow_count++ }
        }
        if ($S.stop_seen) { break }
    }
} while ($false)
Write-BenchResult $S $Out 'pwsh-wait'
Exit-Bench
