# pwsh-engineevent.ps1 DIR OUT: an InotifyPS watcher forwarding to a -SourceIdentifier,
# handled by Register-EngineEvent -Action.  Contract: bench/README.md.
#
# Built like pwsh-fsw.ps1 (FileSystemWatcher + Register-ObjectEvent -Action) so that the two
# compare the event sources, not the scripts: one -Action call per event, the state passed
# as -MessageData, and the same idle loop (Wait-Bench: a `Start-Sleep -Milliseconds 10` loop, or
# `Start-Sleep -Seconds 1` with BENCH_IDLE=sleep1).
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$batchSize = if ($env:BENCH_BATCH) { [int]$env:BENCH_BATCH } else { 1 }
$S = New-BenchState $Dir $Out (Get-BenchName $(if ($batchSize -gt 1) { 'pwsh-engine-batch' } else { 'pwsh-engine' }))

# Subscribe first, so that no forwarded event can arrive before its handler exists.
# (Register-EngineEvent's own -MessageData does not reach forwarded events; the watcher's does.)
# BENCH_BATCH=N (the pwsh-engine-batch consumer) forwards up to N events per engine event instead.
if ($batchSize -gt 1) {
    $null = Register-EngineEvent -SourceIdentifier InotifyBench -Action {
        foreach ($e in $Event.SourceEventArgs.Events) { Invoke-BenchInotifyEvent $Event.MessageData $e }
    }
}
else {
    $null = Register-EngineEvent -SourceIdentifier InotifyBench -Action {
        Invoke-BenchInotifyEvent $Event.MessageData $Event.SourceEventArgs
    }
}
# The change set of the C reader, inotifywait and CoreConsumer (bench/creader/creader.c WATCH_MASK).
$w = New-InotifyWatcher -Path $S.Root -Recurse -Event $BenchInotifyMask -SourceIdentifier InotifyBench -MessageData $S -BatchSize $batchSize
Write-BenchReady

Wait-Bench $S
Save-BenchResult $S
Unregister-Event -SourceIdentifier InotifyBench
Remove-InotifyWatcher -Watcher $w
Exit-Bench
