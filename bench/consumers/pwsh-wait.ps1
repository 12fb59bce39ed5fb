# pwsh-wait.ps1 DIR OUT: InotifyPS's pipeline form, `Wait-InotifyEvent | ForEach-Object`.
# Contract: bench/README.md.  Needs the module built at out/InotifyPS ($env:BENCH_MODULE).
#
# READY must mean "the watches are in place".  `Wait-InotifyEvent -Path` adds its watches in
# ProcessRecord, after every BeginProcessing of the pipeline (so a `ForEach-Object -Begin`
# would say READY too early), so the watcher is made first with New-InotifyWatcher and then
# read with `Wait-InotifyEvent -Watcher`: the same reading loop, an honest READY.
#
# The counting is Invoke-BenchInotifyEvent written out inline, in this script's own variables, as
# pwsh-action.ps1 does: the three function calls and the synchronized-hashtable updates of
# Invoke-BenchInotifyEvent cost about 75 µs an event here, the whole rest of an event (engine,
# Wait-InotifyEvent, WriteObject, ForEach-Object) 2–20.  bench-common.ps1 is loaded in a script
# block of its own for the same reason: a dot-source in this script's scope would make every variable
# lookup of the loop a dictionary lookup.
#
# The floor: after the result is written, `1..N | ForEach-Object {}` for the N events handled is timed in a
# fresh child of the same pwsh (cold, as this script's pipeline was) and again in this one (warm), and
# written to OUT.floor: bench/run shows it under the pwsh table and takes its CPU, the child's included,
# out of this consumer's.  Only after 10,000 events or more (the burst, the sweep: the fresh pwsh costs about a
# second of the run's time); BENCH_FLOOR=0 leaves it out.
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
& { . (Join-Path $PSScriptRoot 'bench-common.ps1') }
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir $Out 'pwsh-wait'

# The change set of the C reader, inotifywait and CoreConsumer (bench/creader/creader.c WATCH_MASK).
$w = New-InotifyWatcher -Path $S.Root -Recurse -Event $BenchInotifyMask

$create = [Inotify.InotifyEventKind]::Create
$renamed = [Inotify.InotifyEventKind]::Renamed
$stopPath = $S.StopPath
$latency = $S.Latency
$received = $S.Received
$total = 0L; $files = 0L; $dirs = 0L; $renamedTo = 0L; $renamedFrom = 0L; $overflows = 0L; $dropped = 0L
$stopPending = $false; $rescanning = $false; $owed = $false; $rescans = 0L; $rescanFiles = 0L; $kernelOverflows = 0L
$fromRescan = [Inotify.EventSource]::Rescan
Write-BenchReady

# `break` inside ForEach-Object ends the whole pipeline (Wait-InotifyEvent is stopped and
# disposed with it); the one-pass loop is what it breaks out of, so the script carries on.
# -Timeout ends the wait at BENCH_TIMEOUT when __STOP__ never comes.
# Renames within the tree arrive paired (Renamed, with OldPath); a rescan after a gap reports in
# directory order, so __STOP__ ends the run only once the rescan is over, and no gap still owes one
# (Invoke-BenchInotifyEvent in bench-common.ps1 says why).
do {
    Wait-InotifyEvent -Watcher $w -Timeout $S.Timeout | ForEach-Object {
        $total++
        $k = $_.Kind
        if ($k -eq $create) {
            $n = $_.Name
            if ($n.Length -gt 0) {
                $c = $n[0]
                if ($c -ceq 'f') { $files++; if ($_.Source -eq $fromRescan) { $rescanFiles++ } }
                elseif ($c -ceq 'd') { $dirs++ }
                elseif ($c -ceq 'r') { $renamedTo++ }
                elseif ($c -ceq 'l') {
                    $files++
                    if ($latency) { $received.Add("$n`t$(([DateTime]::UtcNow.Ticks - 621355968000000000L) * 100L)") }
                }
                elseif ($c -ceq '_' -and $_.Path -eq $stopPath) { $stopPending = $true }
            }
        }
        elseif ($k -eq $renamed) {
            if ($_.Name.StartsWith('r')) { $renamedTo++ }
            if ([IO.Path]::GetFileName($_.OldPath).StartsWith('f')) { $renamedFrom++ }
        }
        else {
            # Inside switch, $_ is the switch's value (the kind's name), not the event.
            $e = $_
            switch ([string]$k) {
                'MovedTo' { if ($e.Name.StartsWith('r')) { $renamedTo++ } }
                'MovedFrom' { if ($e.Name.StartsWith('f')) { $renamedFrom++ } }
                'QueueOverflow' { $overflows++; $kernelOverflows++; $owed = $true }
                'EventsDropped' { $overflows++; $dropped += $e.DroppedCount; $owed = $true }
                'RescanStarted' { $rescanning = $true; $owed = $false; $rescans++ }
                'RescanCompleted' { $rescanning = $false }
            }
        }
        if ($stopPending -and -not $rescanning -and -not $owed) { break }
    }
} while ($false)
$S.events_total = $total; $S.files_created = $files; $S.dirs_created = $dirs; $S.renamed_to = $renamedTo
$S.renamed_from = $renamedFrom; $S.overflow_count = $overflows; $S.dropped = $dropped
$S.rescans = $rescans; $S.rescan_files = $rescanFiles; $S.kernel_overflows = $kernelOverflows
$S.stop_seen = $stopPending -and -not $rescanning -and -not $owed
Save-BenchResult $S

if ($env:BENCH_FLOOR -ne '0' -and $total -ge 10000) {
    # Cold: a fresh pwsh (the same one, $PSHOME) runs its first pipeline of N, as this script ran its first
    # Wait-InotifyEvent pipeline. Warm: this pwsh, where ForEach-Object has just run N times.
    $n = [Math]::Max($total, 1L)
    $me = [Diagnostics.Process]::GetCurrentProcess()
    $cpu0 = $me.TotalProcessorTime
    # cutime + cstime of /proc/self/stat: CPU of waited-for children, in clock ticks (100 a second).
    $childTicks = { $f = ([IO.File]::ReadAllText('/proc/self/stat') -split '\) ')[1] -split ' '; [long]$f[13] + [long]$f[14] }
    $children0 = & $childTicks
    $cold = & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -Command "
        `$me = [Diagnostics.Process]::GetCurrentProcess(); `$c = `$me.TotalProcessorTime; `$t = [Diagnostics.Stopwatch]::StartNew()
        1..$n | ForEach-Object {}
        `$s = `$t.Elapsed.TotalSeconds; `$me.Refresh(); '{0} {1}' -f `$s, (`$me.TotalProcessorTime - `$c).TotalSeconds" |
        Select-Object -Last 1
    $coldS, $coldCpu = ($cold -split ' ') -as [double[]]
    $me.Refresh()
    $cpu1 = $me.TotalProcessorTime
    $clock = [Diagnostics.Stopwatch]::StartNew()
    1..$n | ForEach-Object {}
    $warmS = $clock.Elapsed.TotalSeconds
    $me.Refresh()
    # The child's whole CPU reaches this process's rusage (it was waited for); none of it is the workload's.
    $floor = [ordered]@{
        floor_events = $n; floor_s = $coldS; floor_cpu_s = $coldCpu
        warm_floor_s = $warmS; warm_floor_cpu_s = ($me.TotalProcessorTime - $cpu1).TotalSeconds
        not_workload_cpu_s = ($me.TotalProcessorTime - $cpu0).TotalSeconds + ((& $childTicks) - $children0) / 100.0
    }
    [IO.File]::WriteAllText("$Out.floor", ($floor | ConvertTo-Json -Compress) + "`n")
}
Remove-InotifyWatcher -Watcher $w
Exit-Bench
