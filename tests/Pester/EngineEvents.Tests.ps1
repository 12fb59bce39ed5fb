Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
    Get-EventSubscriber | Where-Object SourceIdentifier -Like 'EngineEvents.*' | Unregister-Event
    Get-Event -ErrorAction SilentlyContinue | Where-Object SourceIdentifier -Like 'EngineEvents.*' | Remove-Event
}

Describe 'Forwarding to engine events' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    It 'gives an -Action handler the event as $Event.SourceEventArgs, the watcher as sender, and -MessageData' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Action' -MessageData @{ Purpose = 'test' }
        $global:EngineEventsSeen = $null
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Action' -Action {
            $global:EngineEventsSeen = [pscustomobject]@{ Args = $Event.SourceEventArgs; EventArgs = $EventArgs; Sender = $Event.Sender; Data = $Event.MessageData }
        }

        $null = New-Files -Directory $dir -Count 1

        Wait-Until { $null -ne $global:EngineEventsSeen } | Should -BeTrue
        $global:EngineEventsSeen.Args | Should -BeOfType Inotify.InotifyEvent
        $global:EngineEventsSeen.Args.Path | Should -Be (Join-Path $dir 'f0')
        $global:EngineEventsSeen.EventArgs.Kind | Should -Be 'Create'
        $global:EngineEventsSeen.Sender | Should -Be $w
        $global:EngineEventsSeen.Data.Purpose | Should -Be 'test'
        Unregister-Event -SourceIdentifier 'EngineEvents.Action'
    }

    It 'queues events for Wait-Event and Get-Event when no action takes them' {
        $null = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Queue'

        $null = New-Files -Directory $dir -Count 2

        $first = Wait-Event -SourceIdentifier 'EngineEvents.Queue' -Timeout $EventTimeoutSeconds
        $first.SourceEventArgs.Name | Should -Be 'f0'
        Wait-Until { @(Get-Event -SourceIdentifier 'EngineEvents.Queue' -ErrorAction SilentlyContinue).Count -eq 2 } | Should -BeTrue
        @(Get-Event -SourceIdentifier 'EngineEvents.Queue').SourceEventArgs.Name | Should -Be @('f0', 'f1')
        Remove-Event -SourceIdentifier 'EngineEvents.Queue'
    }

    It 'delivers 10,000 events in order to an -Action handler while the session stays responsive' {
        $count = 10000
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Ordered'
        $global:EngineEventsSequence = [System.Collections.Generic.List[long]]::new()
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Ordered' -Action { $global:EngineEventsSequence.Add($Event.SourceEventArgs.Sequence) }

        $null = New-Files -Directory $dir -Count $count
        # The foreground keeps working; handlers run between its statements.
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $longestGap = [TimeSpan]::Zero
        $last = $clock.Elapsed
        while ($global:EngineEventsSequence.Count -lt $count -and $clock.Elapsed.TotalSeconds -lt $BulkTimeoutSeconds) {
            Start-Sleep -Milliseconds 10
            $now = $clock.Elapsed
            if ($now - $last -gt $longestGap) { $longestGap = $now - $last }
            $last = $now
        }

        $global:EngineEventsSequence.Count | Should -Be $count
        Test-Ascending $global:EngineEventsSequence | Should -BeTrue
        $w.DroppedCount | Should -Be 0
        $longestGap.TotalSeconds | Should -BeLessThan 1
        Unregister-Event -SourceIdentifier 'EngineEvents.Ordered'
    }

    It 'delivers 10,000 events in order in batches with -BatchSize, each action taking many' {
        $count = 10000
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Batched' -BatchSize 500
        $global:EngineEventsBatched = [System.Collections.Generic.List[long]]::new()
        $global:EngineEventsActions = 0
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Batched' -Action {
            $global:EngineEventsActions++
            $Event.SourceEventArgs | Should -BeOfType InotifyPS.InotifyEventBatch
            foreach ($e in $Event.SourceEventArgs.Events) { $global:EngineEventsBatched.Add($e.Sequence) }
        }

        $null = New-Files -Directory $dir -Count $count
        $null = Wait-Until -TimeoutSeconds $BulkTimeoutSeconds { $global:EngineEventsBatched.Count -ge $count }

        $global:EngineEventsBatched.Count | Should -Be $count
        Test-Ascending $global:EngineEventsBatched | Should -BeTrue
        $global:EngineEventsActions | Should -BeLessThan $count
        $w.DroppedCount | Should -Be 0
        Unregister-Event -SourceIdentifier 'EngineEvents.Batched'
    }

    It 'fills batches while the handler is behind, so a burst after a trickle is not dropped (100,000 files, -BatchSize 1000)' {
        # Issue 10 #12. The first action stays busy until the trickle is over (it waits for the writer's 'go' file), as a
        # handler that is behind would. Batches were cut from whatever was queued at the moment, so the trickle became a
        # thousand one-event engine events that PowerShell then ran two per checkpoint while the burst overflowed the
        # watcher's queue (about 30 % dropped). Now a few engine events wait at a time and the rest go over in full batches.
        $state = [hashtable]::Synchronized(@{
            Handled = 0L; Actions = 0; Go = (Join-Path $dir 'go')
            Sequence = [System.Collections.Generic.List[long]]::new(); Sizes = [System.Collections.Generic.List[int]]::new()
        })
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Ramp' -Action {
            $s = $Event.MessageData
            $s.Sizes.Add($Event.SourceEventArgs.Count)
            if ($s.Actions++ -eq 0) {
                while (-not [IO.File]::Exists($s.Go)) { [Threading.Thread]::Sleep(2) }
            }
            foreach ($e in $Event.SourceEventArgs.Events) { $s.Handled++; $s.Sequence.Add($e.Sequence) }
        }
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Ramp' -BatchSize 1000 -MessageData $state
        $writer = Start-Writer -Arguments $dir -Script 'cd "$1" && i=0; while [ $i -lt 1000 ]; do : > "f$i"; sleep 0.001; i=$((i+1)); done; : > go; while [ $i -lt 100000 ]; do : > "f$i"; i=$((i+1)); done'

        $deadline = [DateTime]::UtcNow.AddSeconds($BulkTimeoutSeconds)
        while ($state.Handled + $w.DroppedCount -lt 100001 -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 10
        }

        $writer.HasExited | Should -BeTrue
        $w.DroppedCount | Should -Be 0
        $state.Handled | Should -Be 100001
        Test-Ascending $state.Sequence | Should -BeTrue
        # Three engine events wait while the first action is busy; the fourth is cut when the second is taken: full.
        $state.Sizes[1] | Should -Be 1
        $state.Sizes[3] | Should -BeGreaterOrEqual 900
        Unregister-Event -SourceIdentifier 'EngineEvents.Ramp'
        & rm -rf -- $dir
    }

    It 'says so, and counts the events lost, when an -Action fails and PowerShell stops running it' {
        # Issue 10 #4: PowerShell marks the action's job Failed at its first error and skips every event queued for it.
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Throws'
        $global:EngineEventsRan = 0
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Throws' -Action {
            $global:EngineEventsRan++
            if ($Event.SourceEventArgs.Name -eq 'f0') { throw 'handler broke' }
        }
        $writer = New-Files -Directory $dir -Count 2000
        $writer.WaitForExit()

        # The writer has exited, but its last events may still be on their way from the kernel to the watcher's queue.
        Wait-Until { $w.ForwardingError -and $w.EventCount -eq 2000 } | Should -BeTrue
        # Every event is forwarded or still queued, but for the one the forwarder may hold while it waits for room.
        ($w.ForwardedCount + $w.QueuedCount) | Should -BeIn 1999, 2000
        $w.ForwardingError | Should -BeLike "*'EngineEvents.Throws'*failed on the event with Sequence 1: handler broke.*$($w.ForwardingLostCount) event(s) forwarded after that were not handled*"
        $w.ForwardingLostCount | Should -BeGreaterThan 0
        $w.ForwardingLostCount | Should -Be ($w.ForwardedCount - 1)
        $global:EngineEventsRan | Should -Be 1
        (Get-Job -Name 'EngineEvents.Throws').State | Should -Be 'Failed'

        # Once the failed subscriber is gone, forwarding goes on: the events wait in the session's queue.
        Unregister-Event -SourceIdentifier 'EngineEvents.Throws'
        $null = New-Item -Path (Join-Path $dir 'after')
        Wait-Until { @(Get-Event -SourceIdentifier 'EngineEvents.Throws' -ErrorAction Ignore | ForEach-Object { $_.SourceEventArgs.Name }) -contains 'after' } | Should -BeTrue
        Remove-InotifyWatcher $w
        Remove-Event -SourceIdentifier 'EngineEvents.Throws'
        Get-Job -Name 'EngineEvents.Throws' | Remove-Job
    }

    It 'delivers 10,000 events in order to a Wait-Event loop' {
        $count = 10000
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.WaitLoop'
        $sequence = [System.Collections.Generic.List[long]]::new()

        $null = New-Files -Directory $dir -Count $count
        while ($sequence.Count -lt $count) {
            $e = Wait-Event -SourceIdentifier 'EngineEvents.WaitLoop' -Timeout $EventTimeoutSeconds
            if (-not $e) { break }
            $sequence.Add($e.SourceEventArgs.Sequence)
            $e | Remove-Event
        }

        $sequence.Count | Should -Be $count
        Test-Ascending $sequence | Should -BeTrue
        $w.DroppedCount | Should -Be 0
    }

    It 'holds only a bounded number of events for a slow handler and reports what it drops' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Slow' -QueueCapacity 500
        $global:EngineEventsSlowHandled = 0
        $global:EngineEventsSlow = $true
        $null = Register-EngineEvent -SourceIdentifier 'EngineEvents.Slow' -Action {
            if ($global:EngineEventsSlow) { Start-Sleep -Milliseconds 20 }
            $global:EngineEventsSlowHandled++
        }

        $writer = New-Files -Directory $dir -Count 20000
        $mostPending = 0
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        # Watched until every file's event was read (a dropped event is numbered too); the pause only paces the samples.
        while (-not ($writer.HasExited -and $w.EventCount -ge 20000) -and $clock.Elapsed.TotalSeconds -lt $BulkTimeoutSeconds) {
            Start-Sleep -Milliseconds 50
            $mostPending = [Math]::Max($mostPending, $w.ForwardingPending)
        }

        $w.DroppedCount | Should -BeGreaterThan 0
        $mostPending | Should -BeLessOrEqual 4096
        $w.QueuedCount | Should -BeLessOrEqual 500
        $global:EngineEventsSlowHandled | Should -BeGreaterThan 0
        $w.ForwardingError | Should -BeNullOrEmpty
        Remove-InotifyWatcher $w
        # Unregister-Event runs the handler for every event still queued for it: let that be quick.
        $global:EngineEventsSlow = $false
        Unregister-Event -SourceIdentifier 'EngineEvents.Slow'
    }

    It 'marks the gap in the stream when events were dropped, and counts them' {
        $count = 20000
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Gap' -QueueCapacity 1000

        # Nobody reads while the files are written: the session queue stays bounded and the watcher drops.
        $writer = New-Files -Directory $dir -Count $count
        $writer.WaitForExit()
        Wait-Until { $w.DroppedCount + $w.ForwardedCount + $w.QueuedCount -ge $count } | Should -BeTrue
        @(Get-Event -SourceIdentifier 'EngineEvents.Gap').Count | Should -BeLessOrEqual 4096

        $created = 0
        $dropped = 0
        while ($e = Wait-Event -SourceIdentifier 'EngineEvents.Gap' -Timeout 2) {
            switch ($e.SourceEventArgs.Kind) {
                'Create' { $created++ }
                'EventsDropped' { $dropped += $e.SourceEventArgs.DroppedCount }
            }
            $e | Remove-Event
        }

        $dropped | Should -BeGreaterThan 0
        $dropped | Should -Be $w.DroppedCount
        ($created + $dropped) | Should -Be $count
    }

    It 'stops forwarding when its watcher is removed' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'EngineEvents.Removed'
        Remove-InotifyWatcher $w

        # A second watcher on the same directory sees the files: by then the removed one would have had them too.
        $control = New-InotifyWatcher -LiteralPath $dir -Event Create
        $null = New-Files -Directory $dir -Count 3
        @($control | Wait-InotifyEvent -Count 3 -Timeout $EventTimeoutSeconds).Count | Should -Be 3

        Get-Event -SourceIdentifier 'EngineEvents.Removed' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Remove-InotifyWatcher $control
    }
}

Describe 'The session owns its watchers' {
    It 'disposes them when the runspace closes' {
        $rs = [runspacefactory]::CreateRunspace()
        $rs.Open()
        $ps = [powershell]::Create($rs)
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().
                AddCommand('New-InotifyWatcher').AddParameter('SourceIdentifier', 'EngineEvents.Closing')
            $w = $ps.Invoke()[0]
            $w.IsDisposed | Should -BeFalse

            $rs.Close()

            Wait-Until { $w.IsDisposed } | Should -BeTrue
        }
        finally {
            $ps.Dispose()
            $rs.Dispose()
        }
    }
}
