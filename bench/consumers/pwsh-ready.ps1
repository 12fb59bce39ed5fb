# pwsh-ready.ps1 DIR OUT: the ready workload (bench/README.md) with InotifyPS's drop-folder one-liner,
# `Wait-InotifyEvent -Event Ready | ForEach-Object`. Every Ready is a "this file is complete" report, written as
# "name<TAB>receive_ns" to OUT.recv. Needs the module built at out/InotifyPS ($env:BENCH_MODULE).
# The watcher is made first so that READY means "watching" (see pwsh-wait.ps1).
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir

$w = New-InotifyWatcher -Path $S.Root -Event Ready
Write-BenchReady
do {
    Wait-InotifyEvent -Watcher $w -Timeout $S.Timeout | ForEach-Object {
        $S.events_total++
        if ($_.Name -eq '__STOP__') { $S.stop_seen = $true; break }
        $S.Received.Add("$($_.Name)`t$(Get-BenchNs)")
    }
} while ($false)
[IO.File]::WriteAllLines("$Out.recv", $S.Received)
$result = [ordered]@{ consumer = 'pwsh-ready'; reports = $S.Received.Count; events_total = $S.events_total; stop_seen = [bool]$S.stop_seen }
[IO.File]::WriteAllText($Out, ($result | ConvertTo-Json -Compress) + "`n")
Remove-InotifyWatcher -Watcher $w
Exit-Bench
