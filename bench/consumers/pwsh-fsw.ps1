# pwsh-fsw.ps1 DIR OUT: FileSystemWatcher + Register-ObjectEvent -Action, the way
# PowerShell scripts watch directories today.  Contract: bench/README.md.
#
# The -Action blocks run only at the engine's checkpoints, so this measures PowerShell's
# event plumbing as much as FileSystemWatcher.  The script idles in a Start-Sleep loop (Wait-Bench;
# BENCH_IDLE=sleep1 sleeps a second at a time, a script doing other work):
# inside `Wait-Event -Timeout` the actions got a checkpoint only every 200 ms (about 10
# events/s measured here), the short sleep loop is the faster of the two common idioms.
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
$S = New-BenchState $Dir $Out (Get-BenchName 'pwsh-fsw')

$fsw = [IO.FileSystemWatcher]::new($S.Root)
$fsw.IncludeSubdirectories = $true
$fsw.InternalBufferSize = 64KB

$null = Register-ObjectEvent $fsw Created -MessageData $S -Action {
    $s = $Event.MessageData
    $ns = Get-BenchNs
    $s.events_total++
    Add-BenchCreated $s ([IO.Path]::GetFileName($EventArgs.Name)) $EventArgs.FullPath $ns
    if ($s.stop_pending) { Complete-Bench $s }
}
$null = Register-ObjectEvent $fsw Renamed -MessageData $S -Action {
    $s = $Event.MessageData
    $s.events_total++
    if ([IO.Path]::GetFileName($EventArgs.Name).StartsWith('r')) { $s.renamed_to++ }
    if ([IO.Path]::GetFileName($EventArgs.OldName).StartsWith('f')) { $s.renamed_from++ }
}
$null = Register-ObjectEvent $fsw Deleted -MessageData $S -Action {
    $s = $Event.MessageData
    $s.events_total++
    # An unpaired rename source arrives as Deleted: still a departure of an f* name.
    if ([IO.Path]::GetFileName($EventArgs.Name).StartsWith('f')) { $s.renamed_from++ }
}
$null = Register-ObjectEvent $fsw Changed -MessageData $S -Action { $Event.MessageData.events_total++ }
$null = Register-ObjectEvent $fsw Error -MessageData $S -Action {
    $s = $Event.MessageData
    $s.events_total++
    if ($EventArgs.GetException() -is [IO.InternalBufferOverflowException]) { $s.overflow_count++ }
}

$fsw.EnableRaisingEvents = $true
Write-BenchReady

Wait-Bench $S
$fsw.EnableRaisingEvents = $false
Save-BenchResult $S
$fsw.Dispose()
Exit-Bench
