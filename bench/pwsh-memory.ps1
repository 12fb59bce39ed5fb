# pwsh-memory.ps1: the memory InotifyPS adds to a pwsh session (issue 16), by hand:
#
#   flock /tmp/inotifyps-tests.lock dotnet pwsh -NoProfile -File bench/pwsh-memory.ps1 [-Rounds 3] [-Dirs 10000] [-Flood 200000]
#
# Each figure comes from a fresh child pwsh (the same pwsh: $PSHOME) that sets up one state, collects the
# garbage twice, and reports its resident set (VmRSS, VmHWM) and managed heap (GC.GetTotalMemory after a full
# collection).  States:
#   bare        pwsh alone (no module), the baseline
#   module      Import-Module InotifyPS
#   watch       the module and a recursive watch of a tree of -Dirs directories (gen setup-tree: 100 per level)
#   flood       that watch, then -Flood files created in the root (gen burst) while nobody reads the watcher:
#               the watcher's queue (65,536 events by default) fills and the rest is counted as dropped
#   flood-read  the same flood while Wait-InotifyEvent | ForEach-Object {} drains it, until a second passes
#               with nothing more (the repair after the gap included)
# The module's cost is watch − bare (and module − bare for the import alone); "bounded" means the flood's
# figures stay near the watch's, whatever the flood's size.  Needs the module at out/InotifyPS and
# bench/build/gen (bench/run builds it).
param([int]$Rounds = 3, [int]$Dirs = 10000, [int]$Flood = 200000, [string]$Module)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
if (-not $Module) { $Module = Join-Path $repo 'out/InotifyPS/InotifyPS.psd1' }
$gen = Join-Path $repo 'bench/build/gen'
$pwsh = Join-Path $PSHOME 'pwsh'
foreach ($need in $Module, $gen) { if (-not (Test-Path $need)) { throw "missing $need (dotnet build; bench/run builds bench/build)" } }

$child = {
    param($State, $Module, $Tree, $Gen, $Flood)
    $ErrorActionPreference = 'Stop'
    $events = 0L
    if ($State -ne 'bare') { Import-Module $Module }
    if ($State -notin 'bare', 'module') {
        $w = New-InotifyWatcher -Path $Tree -Recurse -Event Create, Delete, Modify, CloseWrite, Attrib, MovedFrom, MovedTo, DeleteSelf, MoveSelf
        $flat = Join-Path $Tree 'flood'
        if ($State -eq 'flood') {
            & $Gen burst $Tree -n $Flood | Out-Null
            # The reader thread has moved what the kernel still held into the queue (or counted it dropped).
            $last = -1; while ($w.QueuedCount + $w.DroppedCount -ne $last) { $last = $w.QueuedCount + $w.DroppedCount; Start-Sleep -Milliseconds 200 }
        }
        elseif ($State -eq 'flood-read') {
            $p = [Diagnostics.Process]::Start($Gen, [string[]]@('burst', $Tree, '-n', "$Flood"))
            # Until the generator is done and a whole second brought nothing (the repair after a gap included).
            do {
                $before = $events
                Wait-InotifyEvent -Watcher $w -Timeout 1 | ForEach-Object { $events++ }
            } while ($events -gt $before -or -not $p.HasExited)
        }
    }
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $status = Get-Content /proc/self/status
    $kib = { param($k) [long](($status -match "^${k}:")[0] -replace '\D', '') }
    [ordered]@{
        state = $State; rss_mib = (& $kib VmRSS) / 1024; hwm_mib = (& $kib VmHWM) / 1024
        heap_mib = [GC]::GetTotalMemory($true) / 1MB; committed_mib = [GC]::GetGCMemoryInfo().TotalCommittedBytes / 1MB
        watches = if ($w) { $w.WatchCount } else { 0 }; queued = if ($w) { $w.QueuedCount } else { 0 }
        dropped = if ($w) { $w.DroppedCount } else { 0 }; read = $events
    } | ConvertTo-Json -Compress
}

$scratch = if (Test-Path /dev/shm) { '/dev/shm' } else { [IO.Path]::GetTempPath() }
$runs = [Collections.Generic.List[object]]::new()
foreach ($round in 1..$Rounds) {
    foreach ($state in 'bare', 'module', 'watch', 'flood', 'flood-read') {
        $tree = Join-Path $scratch "inotifyps-mem-$PID"
        $null = New-Item -ItemType Directory $tree
        try {
            & $gen setup-tree $tree -n $Dirs | Out-Null
            $line = & $pwsh -NoProfile -NonInteractive -c "& {$child} $state '$Module' '$tree' '$gen' $Flood" | Select-Object -Last 1
            $r = $line | ConvertFrom-Json
            $runs.Add($r)
            Write-Host ("round {0} {1,-10} RSS {2,6:n1} MiB  peak {3,6:n1}  heap {4,6:n1}  GC committed {9,6:n1}  watches {5,6} queued {6,6} dropped {7,7} read {8}" -f
                $round, $state, $r.rss_mib, $r.hwm_mib, $r.heap_mib, $r.watches, $r.queued, $r.dropped, $r.read, $r.committed_mib)
        }
        finally { [IO.Directory]::Delete($tree, $true) }
    }
}

function Median($xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
$bare = $runs | Where-Object state -EQ bare
$b = @{ rss = Median $bare.rss_mib; heap = Median $bare.heap_mib; gc = Median $bare.committed_mib }
''
"| state | RSS MiB | over bare | peak RSS MiB | managed heap MiB | over bare | GC committed MiB | over bare |"
"|---|--:|--:|--:|--:|--:|--:|--:|"
foreach ($state in 'bare', 'module', 'watch', 'flood', 'flood-read') {
    $rs = $runs | Where-Object state -EQ $state
    $rss = Median $rs.rss_mib; $heap = Median $rs.heap_mib; $gc = Median $rs.committed_mib
    "| {0} | {1:n1} | {2:+0.0;-0.0;0.0} | {3:n1} | {4:n1} | {5:+0.0;-0.0;0.0} | {6:n1} | {7:+0.0;-0.0;0.0} |" -f $state, $rss, ($rss - $b.rss), (Median $rs.hwm_mib), $heap, ($heap - $b.heap), $gc, ($gc - $b.gc)
}
