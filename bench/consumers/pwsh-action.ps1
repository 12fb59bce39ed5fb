# pwsh-action.ps1 DIR OUT: an InotifyPS watcher with a handler of its own, New-InotifyWatcher -Action.
# Contract: bench/README.md.  Needs the module built at out/InotifyPS ($env:BENCH_MODULE).
#
# The action runs in the watcher's own runspace, as the process block of one long-running pipeline, so
# the session's idle loop (Wait-Bench: a 10 ms sleep loop, or `Start-Sleep -Seconds 1` with
# BENCH_IDLE=sleep1) does not pace it.  bench-common.ps1 is dot-sourced into the handler's runspace in
# its begin block.  The counting is Invoke-BenchInotifyEvent written out inline, with the counters in the
# handler's own variables (they live as long as its pipeline), published to the shared -MessageData state
# every 4,096 events and when __STOP__ was handled, when the handler also writes the result itself.  That
# is the "trivial action" of the issue's target: a PowerShell function call, or a synchronized hashtable
# update, costs more than everything else an event costs here.  (The other pwsh consumers' handlers are
# separate invocations, so they keep their counts in the shared state and call the functions; that is not
# what limits them.)
param([Parameter(Mandatory)][string]$Dir, [Parameter(Mandatory)][string]$Out)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'bench-common.ps1')
Import-Module (Join-Path $env:BENCH_MODULE 'InotifyPS.psd1')
$S = New-BenchState $Dir $Out (Get-BenchName 'pwsh-action')
$S.Common = Join-Path $PSScriptRoot 'bench-common.ps1'

# The change set of the C reader, inotifywait and CoreConsumer (bench/creader/creader.c WATCH_MASK).
$w = New-InotifyWatcher -Path $S.Root -Recurse -Event $BenchInotifyMask -MessageData $S -Action {
    begin {
        # Dot-sourced in a script block of its own: a dot-source in the action's own blocks would make every
        # variable of the action a dictionary lookup (7.8 against 28 µs an event here). Its functions are global.
        & { . $Event.MessageData.Common }
        $s = $Event.MessageData
        $create = [Inotify.InotifyEventKind]::Create
        $renamed = [Inotify.InotifyEventKind]::Renamed
        $stopPath = $s.StopPath
        $latency = $s.Latency
        $total = 0L; $files = 0L; $dirs = 0L; $renamedTo = 0L; $renamedFrom = 0L; $overflows = 0L; $dropped = 0L
        $stopPending = $false; $rescanning = $false; $owed = $false; $done = $false
    }
    process {
        $total++
        $k = $_.Kind
        if ($k -eq $create) {
            $n = $_.Name
            if ($n.Length -gt 0) {
                $c = $n[0]
                if ($c -ceq 'f') { $files++ }
                elseif ($c -ceq 'd') { $dirs++ }
                elseif ($c -ceq 'r') { $renamedTo++ }
                elseif ($c -ceq 'l') {
                    $files++
                    if ($latency) { $s.Received.Add("$n`t$(([DateTime]::UtcNow.Ticks - 621355968000000000L) * 100L)") }
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
                # A gap owes a repair, which may start after __STOP__ (Invoke-BenchInotifyEvent says more).
                'QueueOverflow' { $overflows++; $owed = $true }
                'EventsDropped' { $overflows++; $dropped += $e.DroppedCount; $owed = $true }
                'RescanStarted' { $rescanning = $true; $owed = $false }
                'RescanCompleted' { $rescanning = $false }
            }
        }
        $finished = $stopPending -and -not $rescanning -and -not $owed -and -not $done
        if ($finished -or -not ($total -band 4095)) {
            $s.events_total = $total; $s.files_created = $files; $s.dirs_created = $dirs; $s.renamed_to = $renamedTo
            $s.renamed_from = $renamedFrom; $s.overflow_count = $overflows; $s.dropped = $dropped
        }
        if ($finished) {
            $done = $true
            Complete-Bench $s
        }
    }
}
Write-BenchReady

Wait-Bench $S
Save-BenchResult $S
# For a reader of stderr: kernel overflows and the engine's own drops (the result counts both as overflow).
[Console]::Error.WriteLine("watcher: $($w.OverflowCount) kernel overflow(s), $($w.DroppedCount) dropped; $($w.ActionHandledCount) handled, $($w.ActionFailedCount) failed")
if ($w.ForwardingError) { [Console]::Error.WriteLine($w.ForwardingError) }
Remove-InotifyWatcher -Watcher $w
Exit-Bench
