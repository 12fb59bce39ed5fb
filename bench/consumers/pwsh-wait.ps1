# pwsh-wait.ps1 DIR OUT: InotifyPS's pipeline form, `Wait-InotifyEvent | ForEach-Object`.
# Contract: bench/README.md.  Needs the module built at out/InotifyPS ($env:BENCH_MODULE).
#
# READY must mean "the watches are in place".  `Wait-InotifyEvent -Path` adds its watches in
# ProcessRecord, after every BeginProcessing of the pipeline (so a `ForEach-Object -Begin`
# would say READY too early), so the watcher is made first with New-InotifyWatcher and then
# read with `Wait-InotifyEvent -Watcher`: the same reading loop, an honest READY.
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir $Out 'pwsh-wait'

# The change set of the C reader, inotifywait and CoreConsumer (bench/creader/creader.c WATCH_MASK).
$w = New-InotifyWatcher -Path $S.Root -Recurse -Event $BenchInotifyMask
Write-BenchReady

# `break` inside ForEach-Object ends the whole pipeline (Wait-InotifyEvent is stopped and
# disposed with it); the one-pass loop is what it breaks out of, so the script carries on.
# -Timeout ends the wait at BENCH_TIMEOUT when __STOP__ never comes.
do {
    Wait-InotifyEvent -Watcher $w -Timeout $S.Timeout | ForEach-Object {
        Invoke-BenchInotifyEvent $S $_
        if ($S.stop_seen) { break }
    }
} while ($false)
Save-BenchResult $S
Remove-InotifyWatcher -Watcher $w
Exit-Bench
