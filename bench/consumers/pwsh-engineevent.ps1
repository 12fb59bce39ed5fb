# pwsh-engineevent.ps1 DIR OUT: an InotifyPS watcher forwarding to a -SourceIdentifier,
# handled by Register-EngineEvent -Action.  Contract: bench/README.md.
#
# TO FINISH when the cmdlets land: the watcher cmdlet's name and parameters are a guess
# (Register-InotifyWatcher -Path -Recurse -SourceIdentifier), and the handler accepts
# either one event or a batch of events per engine event, in SourceArgs or SourceEventArgs.
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir

$null = Register-EngineEvent -SourceIdentifier InotifyBench -MessageData $S -Action {
    $s = $global:BenchState  # Register-EngineEvent's -MessageData does not reach engine events
    $items = if ($null -ne $Event.SourceEventArgs) { $Event.SourceEventArgs } else { $Event.SourceArgs }
    foreach ($e in @($items)) {
        foreach ($x in @($e)) {
            if ($null -eq $x -or $null -eq $x.PSObject.Properties['Kind']) { continue }
            $s.events_total++
            switch ([string]$x.Kind) {
                'Create' { Add-BenchCreated $s $x.Name $x.Path (Get-BenchNs) }
                'MovedTo' { if ($x.Name.StartsWith('r')) { $s.renamed_to++ } }
                'MovedFrom' { if ($x.Name.StartsWith('f')) { $s.renamed_from++ } }
                'Renamed' {
                    if ($x.Name.StartsWith('r')) { $s.renamed_to++ }
                    if ([IO.Path]::GetFileName($x.OldPath).StartsWith('f')) { $s.renamed_from++ }
                }
                { $_ -in 'QueueOverflow', 'EventsDropped' } { $s.overflow_count++ }
            }
        }
    }
    if ($s.stop_seen) { $null = New-Event -SourceIdentifier BenchStop }
}
$global:BenchState = $S

$watcher = Register-InotifyWatcher -Path $S.Root -Recurse -SourceIdentifier InotifyBench
Write-BenchReady
$null = Wait-Event -SourceIdentifier BenchStop -Timeout $S.Timeout
Write-BenchResult $S $Out 'pwsh-engine'
if ($watcher -is [IDisposable]) { $watcher.Dispose() }
Exit-Bench
