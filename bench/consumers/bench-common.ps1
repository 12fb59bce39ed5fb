# Shared by the pwsh consumers: the benchmark contract (bench/README.md) in PowerShell.
# Dot-sourced; the functions are global because -Action blocks run in their own module
# scope and would not see script-scope functions.

function global:New-BenchState([string]$Dir, [string]$Out, [string]$Consumer) {
    $root = [IO.Path]::GetFullPath($Dir).TrimEnd('/')
    [hashtable]::Synchronized(@{
        Root = $root
        Out = $Out; Consumer = $Consumer; Written = $false
        StopPath = [IO.Path]::Combine($root, '__STOP__')
        Timeout = if ($env:BENCH_TIMEOUT) { [int]$env:BENCH_TIMEOUT } else { 120 }
        Latency = $env:BENCH_LATENCY -eq '1'
        files_created = 0L; dirs_created = 0L; renamed_to = 0L; renamed_from = 0L
        events_total = 0L; overflow_count = 0L; dropped = 0L; rescans = 0L; rescan_files = 0L; kernel_overflows = 0L
        stop_pending = $false; rescanning = $false; repair_owed = $false; stop_seen = $false; stop_handled = $false
        Received = [System.Collections.Generic.List[string]]::new()
    })
}

# CLOCK_REALTIME nanoseconds, comparable with the generator's send times.
function global:Get-BenchNs { ([DateTime]::UtcNow.Ticks - 621355968000000000L) * 100L }

# One creation or arrival, counted by the contract's name prefixes.
function global:Add-BenchCreated($S, [string]$Name, [string]$FullPath, [long]$Ns) {
    if ($Name.Length -eq 0) { return }
    switch -CaseSensitive ($Name[0]) {
        'd' { $S.dirs_created++ }
        'f' { $S.files_created++ }
        'l' { $S.files_created++; if ($S.Latency) { $S.Received.Add("$Name`t$Ns") } }
        'r' { $S.renamed_to++ }
    }
    if ($FullPath -eq $S.StopPath) { $S.stop_pending = $true }
}

# The change set every inotify consumer of the benchmark subscribes to (bench/creader/creader.c
# WATCH_MASK): changes, not reads (no Open, Access, CloseNoWrite).
$global:BenchInotifyMask = @('Create', 'Delete', 'Modify', 'CloseWrite', 'Attrib', 'MovedFrom', 'MovedTo',
    'DeleteSelf', 'MoveSelf')

# One Inotify.InotifyEvent from InotifyPS (Wait-InotifyEvent or an engine event), counted. After a gap (overflow
# or drop) the engine's repair reports what the consumer missed, Source Rescan: its creations count as creations
# (the files were delivered, late), and rescans / rescan_files in the result say how many came that way.
# Renames within the tree arrive paired (Renamed, with OldPath); a rescan after a gap reports
# in directory order, so __STOP__ ends the run only once the rescan is over (as CoreConsumer).
# A gap (QueueOverflow, EventsDropped) owes a repair that may start after __STOP__ was read, and a gap
# during a repair (its own reports dropped) owes another: the run ends when none is owed or running.
# (Ending at the first RescanCompleted lost 23,179 of 50,000 files in a 50k burst.)
function global:Invoke-BenchInotifyEvent($S, $E) {
    $S.events_total++
    switch ([string]$E.Kind) {
        'Create' {
            Add-BenchCreated $S $E.Name $E.Path (Get-BenchNs)
            if ($E.Source -eq 'Rescan') { $S.rescan_files++ }
        }
        'Renamed' {
            if ($E.Name.StartsWith('r')) { $S.renamed_to++ }
            if ([IO.Path]::GetFileName($E.OldPath).StartsWith('f')) { $S.renamed_from++ }
        }
        'MovedTo' { if ($E.Name.StartsWith('r')) { $S.renamed_to++ } }
        'MovedFrom' { if ($E.Name.StartsWith('f')) { $S.renamed_from++ } }
        'QueueOverflow' { $S.overflow_count++; $S.kernel_overflows++; $S.repair_owed = $true }
        'EventsDropped' { $S.overflow_count++; $S.dropped += $E.DroppedCount; $S.repair_owed = $true }
        'RescanStarted' { $S.rescanning = $true; $S.repair_owed = $false; $S.rescans++ }
        'RescanCompleted' { $S.rescanning = $false }
    }
    if ($S.stop_pending -and -not $S.rescanning -and -not $S.repair_owed) { Complete-Bench $S }
}

# __STOP__ was handled: write the result at once, from whichever handler saw it, so that the wall time
# (the result file's mtime) is the handler's and not the idle loop's, which may sleep a whole second.
function global:Complete-Bench($S) {
    # Written before stop_seen is set: the idle loop exits (and kills the process) as soon as it sees it.
    $S.stop_handled = $true
    Save-BenchResult $S
    $S.stop_seen = $true
}

# Writes the result once (at __STOP__, or at the end of a run that timed out).
function global:Save-BenchResult($S) {
    if (-not $S.Written) {
        $S.Written = $true
        Write-BenchResult $S $S.Out $S.Consumer
    }
}

# How the session waits while handlers work: BENCH_IDLE=sleep1 is `Start-Sleep -Seconds 1` (a script doing
# other work, which gives PowerShell no event checkpoint at all); the default a `Start-Sleep -Milliseconds 10`
# loop, whose iterations are checkpoints. Returns when __STOP__ was handled or BENCH_TIMEOUT passed.
function global:Wait-Bench($S) {
    $deadline = [DateTime]::UtcNow.AddSeconds($S.Timeout)
    $long = $env:BENCH_IDLE -eq 'sleep1'
    while (-not $S.stop_seen -and [DateTime]::UtcNow -lt $deadline) {
        if ($long) { Start-Sleep -Seconds 1 } else { Start-Sleep -Milliseconds 10 }
    }
}

# The consumer's name in the results: BENCH_IDLE=sleep1 adds -sleep.
function global:Get-BenchName([string]$Base) { if ($env:BENCH_IDLE -eq 'sleep1') { "$Base-sleep" } else { $Base } }

function global:Write-BenchResult($S, [string]$Out, [string]$Consumer) {
    $o = [ordered]@{
        consumer = $Consumer
        files_created = $S.files_created; dirs_created = $S.dirs_created
        renamed_to = $S.renamed_to; renamed_from = $S.renamed_from
        events_total = $S.events_total; overflow = $S.overflow_count -gt 0
        overflow_count = $S.overflow_count; dropped = $S.dropped
        rescans = $S.rescans; rescan_files = $S.rescan_files; kernel_overflows = $S.kernel_overflows; stop_seen = [bool]($S.stop_seen -or $S.stop_handled)
    }
    [IO.File]::WriteAllText($Out, ($o | ConvertTo-Json -Compress) + "`n")
    if ($S.Latency) {
        [IO.File]::WriteAllLines("$Out.recv", $S.Received)
    }
}

function global:Write-BenchReady {
    [Console]::Out.WriteLine('READY')
    [Console]::Out.Flush()
}

# After a busy -Action session pwsh idled about 8 s on its way out (every thread waiting,
# with or without [Environment]::Exit; measured with 2,000 files).  The result is written
# by then, so end the process at once: its CPU time and peak RSS still reach the runner.
function global:Exit-Bench {
    [Console]::Out.Flush()
    [Diagnostics.Process]::GetCurrentProcess().Kill()
}
