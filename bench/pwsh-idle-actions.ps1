# pwsh-idle-actions.ps1: how fast PowerShell runs Register-EngineEvent -Action blocks in a runspace that is
# idle (no pipeline running: a hosted runspace, a session between commands), for the two ways to raise an
# engine event from a background thread:
#
#   4-argument    PSEventManager.GenerateEvent(id, sender, args, data): each event goes to the thread pool,
#                 which queues its action
#   in-thread     GenerateEvent(..., processInCurrentThread: true, waitForCompletionInCurrentThread: false),
#                 from one thread, as InotifyPS's forwarder does: the action is queued on the caller's thread
#
# and, for comparison, New-InotifyWatcher -Action's own pipeline fed the same number of objects.
# Prints events handled per second and how many arrived out of order. Not part of bench/run (no files, no
# inotify): it measures PowerShell's eventing, the ceiling of any engine-event consumer.
#
#   pwsh -NoProfile -File bench/pwsh-idle-actions.ps1 [-Count 3000] [-Seconds 10] [-PipelineCount 100000]
param([int]$Count = 3000, [double]$Seconds = 10, [int]$PipelineCount = 100000)
$ErrorActionPreference = 'Stop'

Add-Type -TypeDefinition @'
using System.Management.Automation;
using System.Threading;
public static class IdleActionsBench
{
    public static Thread Raise(PSEventManager events, int count, bool inThread)
    {
        var t = new Thread(() =>
        {
            for (int i = 1; i <= count; i++)
            {
                if (inThread)
                    events.GenerateEvent("IdleBench", null, new object[] { i }, null, true, false);
                else
                    events.GenerateEvent("IdleBench", null, new object[] { i }, null);
            }
        }) { IsBackground = true };
        t.Start();
        return t;
    }
}
'@

function Measure-IdleRunspace([bool]$InThread) {
    $rs = [runspacefactory]::CreateRunspace()
    $rs.Open()
    try {
        $seen = [System.Collections.Generic.List[int]]::new()
        $rs.SessionStateProxy.SetVariable('seen', $seen)
        $ps = [powershell]::Create($rs)
        $null = $ps.AddScript('$null = Register-EngineEvent -SourceIdentifier IdleBench -Action { $seen.Add($args[0]) }').Invoke()
        $ps.Dispose()
        # From here on no pipeline runs in $rs: only PowerShell's own pulses run the actions.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = [IdleActionsBench]::Raise($rs.Events, $Count, $InThread)
        while ($seen.Count -lt $Count -and $clock.Elapsed.TotalSeconds -lt $Seconds) { [Threading.Thread]::Sleep(20) }
        $elapsed = $clock.Elapsed.TotalSeconds
        $copy = @(Copy-Racy $seen)
        [pscustomobject]@{
            Path = if ($InThread) { 'GenerateEvent in-thread, idle runspace' } else { 'GenerateEvent 4-argument, idle runspace' }
            Handled = $copy.Count; Seconds = [math]::Round($elapsed, 2); PerSecond = [math]::Round($copy.Count / $elapsed)
            OutOfOrder = (Get-OutOfOrder $copy)
        }
    }
    finally { $rs.Dispose() }
}

function Copy-Racy($list) {
    # The action adds on its own thread; ToArray during a resize throws, so try again.
    while ($true) { try { return $list.ToArray() } catch [System.ArgumentException] { } }
}

function Get-OutOfOrder([int[]]$Numbers) {
    $n = 0
    for ($i = 1; $i -lt $Numbers.Count; $i++) { if ($Numbers[$i] -lt $Numbers[$i - 1]) { $n++ } }
    $n
}

function Measure-ActionPipeline {
    # The shape of New-InotifyWatcher -Action: a process block over a blocking sequence, in a runspace of its own.
    $rs = [runspacefactory]::CreateRunspace()
    $rs.Open()
    try {
        $feed = [System.Collections.Concurrent.BlockingCollection[int]]::new()
        $seen = [System.Collections.Generic.List[int]]::new()
        $ps = [powershell]::Create($rs).AddScript('param($feed, $seen) function f { process { $seen.Add($_) } }; $feed.GetConsumingEnumerable() | f').
            AddParameter('feed', $feed).AddParameter('seen', $seen)
        $async = $ps.BeginInvoke()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        foreach ($i in 1..$PipelineCount) { $feed.Add($i) }
        $feed.CompleteAdding()
        $null = $ps.EndInvoke($async)
        $elapsed = $clock.Elapsed.TotalSeconds
        [pscustomobject]@{
            Path = 'process block fed from another thread (New-InotifyWatcher -Action)'
            Handled = $seen.Count; Seconds = [math]::Round($elapsed, 2); PerSecond = [math]::Round($seen.Count / $elapsed)
            OutOfOrder = (Get-OutOfOrder $seen.ToArray())
        }
        $ps.Dispose()
    }
    finally { $rs.Dispose() }
}

Measure-IdleRunspace $false
Measure-IdleRunspace $true
Measure-ActionPipeline
