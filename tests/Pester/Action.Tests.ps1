Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Get-ProcessThreads {
        # The process's threads by name, without the runtime's pool threads, which come and go on their own.
        @(Get-ChildItem /proc/self/task | ForEach-Object { (Get-Content -LiteralPath (Join-Path $_.FullName 'comm')).Trim() } |
            Where-Object { $_ -notmatch '^\.NET (TP |Long Runni|Timer)' } | Sort-Object) -join ','
    }

    function Get-ProcessFdCount { @(Get-ChildItem /proc/self/fd).Count }

    function Wait-Handled {
        # The session sleeps in Start-Sleep (no event checkpoints at all) while the handler works.
        param($Watcher, [long] $Count, [double] $TimeoutSeconds = $BulkTimeoutSeconds)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ($Watcher.ActionHandledCount + $Watcher.ActionFailedCount + $Watcher.DroppedCount -lt $Count -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Seconds 1
        }
    }
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
    Get-Job | Where-Object PSJobTypeName -EQ 'InotifyActionJob' | Remove-Job -Force
}

Describe 'New-InotifyWatcher -Action' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    AfterEach {
        # Pester's own clean-up of $TestDrive removes 100,000 files one by one, for a minute.
        Get-InotifyWatcher | Remove-InotifyWatcher
        & rm -rf -- $dir
    }

    It 'handles 100,000 events in order, none lost, while the session sits in Start-Sleep' {
        $count = 100000
        $sequences = [System.Collections.Concurrent.ConcurrentQueue[long]]::new()
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action { param($seen) $seen.Enqueue($_.Sequence) } -ArgumentList $sequences

        $null = New-Files -Directory $dir -Count $count
        Wait-Handled $w $count

        $w.ActionHandledCount | Should -Be $count
        $w.ActionFailedCount | Should -Be 0
        $w.DroppedCount | Should -Be 0
        $sequences.Count | Should -Be $count
        Test-Ascending $sequences.ToArray() | Should -BeTrue
        $w.Action.State | Should -Be 'Running'
        $w.Action.Error.Count | Should -Be 0
    }

    It 'keeps handling when the action throws on every 10th event, counts every error and keeps them for Receive-Job' {
        $count = 100000
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action { if ($_.Sequence % 10 -eq 0) { throw "tenth: $($_.Name)" } }

        $null = New-Files -Directory $dir -Count $count
        Wait-Handled $w $count

        $w.DroppedCount | Should -Be 0
        $w.ActionHandledCount | Should -Be 90000
        $w.ActionFailedCount | Should -Be 10000
        $job = $w.Action
        $job | Should -BeOfType InotifyPS.InotifyActionJob
        $job.ErrorCount | Should -Be 10000
        $job.Error.Count | Should -Be ([InotifyPS.InotifyActionJob]::StreamLimit)
        $job.DiscardedErrorCount | Should -Be (10000 - [InotifyPS.InotifyActionJob]::StreamLimit)
        $job.State | Should -Be 'Running'
        $job.HasMoreData | Should -BeTrue
        (Get-Job -Id $job.Id) | Should -Be $job

        $null = Receive-Job $job -ErrorVariable received -ErrorAction SilentlyContinue
        $received.Count | Should -Be ([InotifyPS.InotifyActionJob]::StreamLimit)
        $received[0].Exception.Message | Should -Be 'tenth: f9'
        $received[0].ErrorDetails.Message | Should -BeLike "tenth: f9 (handling Create '*f9', Sequence 10)"
        $job.HasMoreData | Should -BeFalse
    }

    It 'stops a handler sitting in Start-Sleep 60 within a second, and leaves no thread or descriptor behind' {
        # One handler first, so that what PowerShell loads once per process is not counted against this one.
        Remove-InotifyWatcher (New-InotifyWatcher -LiteralPath $dir -Action { })
        $threads = Get-ProcessThreads
        $fds = Get-ProcessFdCount

        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action { Start-Sleep 60 }
        $null = New-Item -Path (Join-Path $dir 'start')
        Wait-Until { $w.Action.PendingCount -eq 1 -and $w.QueuedCount -eq 0 } | Should -BeTrue
        $job = $w.Action

        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        Remove-InotifyWatcher $w
        $clock.Stop()

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1
        $job.State | Should -Be 'Stopped'
        $w.IsDisposed | Should -BeTrue
        # Both back at one moment is the assertion: read again later, the count may include a descriptor the runtime
        # opened meanwhile for something else.
        Wait-Until { (Get-ProcessThreads) -eq $threads -and (Get-ProcessFdCount) -eq $fds } | Should -BeTrue
    }

    It 'gives the action $_, $Event, -ArgumentList, -MessageData and $using:, and collects its output for Receive-Job' {
        $prefix = 'seen'
        $table = @{ Key = 'from using' }
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'Action.State' -MessageData 'message' -ArgumentList 7 -Action {
            param($number)
            [pscustomobject]@{
                Name = $_.Name; Same = [object]::ReferenceEquals($_, $Event.SourceEventArgs); Number = $number
                Data = $Event.MessageData; Sender = $Event.Sender.Id; Id = $Event.SourceIdentifier
                Prefix = $using:prefix; Key = $using:table.Key; Location = (Get-Location).Path
            }
        }
        $null = New-Files -Directory $dir -Count 1

        Wait-Until { $w.ActionHandledCount -eq 1 } | Should -BeTrue
        $out = Receive-Job -Name 'Action.State'
        $out.Name | Should -Be 'f0'
        $out.Same | Should -BeTrue
        $out.Number | Should -Be 7
        $out.Data | Should -Be 'message'
        $out.Sender | Should -Be $w.Id
        $out.Id | Should -Be 'Action.State'
        $out.Prefix | Should -Be 'seen'
        $out.Key | Should -Be 'from using'
        $out.Location | Should -Be (Get-Location).Path
        (Get-InotifyWatcher -SourceIdentifier 'Action.State') | Should -Be $w
    }

    It 'runs begin once and process per event; a non-terminating error is kept but the event counts as handled' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action {
            begin { $seen = 0; 'begin' }
            process {
                $seen++
                if ($_.Name -eq 'f1') { Write-Error -Message "not fatal: $($_.Name)" -ErrorId NotFatal; return }
                "event $seen $($_.Name)"
            }
        }
        $null = New-Files -Directory $dir -Count 3

        Wait-Until { $w.ActionHandledCount -eq 3 } | Should -BeTrue
        $w.ActionFailedCount | Should -Be 0
        $w.Action.ErrorCount | Should -Be 1
        $out = Receive-Job $w.Action -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -Be @('begin', 'event 1 f0', 'event 3 f2')
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NotFatal*'
    }

    It 'runs -ThrottleLimit runspaces, each path always in the same one, in order' {
        $seen = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create, Modify -ThrottleLimit 3 -Action {
            param($q) $q.Enqueue([pscustomobject]@{ Path = $_.Path; Sequence = $_.Sequence; Runspace = $Event.RunspaceIndex; Thread = [Environment]::CurrentManagedThreadId })
        } -ArgumentList $seen
        $writer = Start-Writer -Arguments $dir -Script 'cd "$1" && for i in $(seq 0 299); do echo a >> "f$i"; echo b >> "f$i"; echo c >> "f$i"; done; : > end'
        $writer.WaitForExit()
        Wait-Until { $seen.ToArray().Path -contains (Join-Path $dir 'end') -and $w.ActionPendingCount -eq 0 } | Should -BeTrue

        $all = $seen.ToArray()
        @($all.Runspace | Sort-Object -Unique) | Should -Be @(0, 1, 2)
        @($all.Thread | Sort-Object -Unique).Count | Should -Be 3
        foreach ($path in ($all | Group-Object Path)) {
            @($path.Group.Runspace | Sort-Object -Unique).Count | Should -Be 1
            Test-Ascending $path.Group.Sequence | Should -BeTrue
        }
        $all.Count | Should -Be $w.ActionHandledCount
    }

    It 'drops and marks what a handler that falls behind cannot take, holding no more than the queue' {
        $kinds = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -QueueCapacity 100 -Action {
            param($q) $q.Enqueue($_); Start-Sleep -Milliseconds 1
        } -ArgumentList $kinds
        $writer = New-Files -Directory $dir -Count 3000
        $writer.WaitForExit()

        Wait-Until -TimeoutSeconds $BulkTimeoutSeconds { $w.ActionPendingCount -eq 0 -and $w.QueuedCount -eq 0 -and $w.DroppedCount -gt 0 } | Should -BeTrue
        $events = $kinds.ToArray()
        $markers = @($events | Where-Object Kind -EQ 'EventsDropped')
        $markers.Count | Should -BeGreaterThan 0
        ($markers | Measure-Object DroppedCount -Sum).Sum | Should -Be $w.DroppedCount
        @($events | Where-Object Kind -EQ 'Create').Count + $w.DroppedCount | Should -Be 3000
    }

    It 'is stopped by Stop-Job, which disposes the watcher; Remove-Job then forgets it' {
        $w = New-InotifyWatcher -LiteralPath $dir -Action { }
        $job = $w.Action

        Stop-Job $job

        $job.State | Should -Be 'Stopped'
        $w.IsDisposed | Should -BeTrue
        Get-InotifyWatcher | Should -Not -Contain $w
        Remove-Job $job
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'lets an action remove its own watcher' {
        # The action's runspace is a session of its own: the watcher is named by object, not by the session's ids.
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action { $Event.Sender | Remove-InotifyWatcher }
        $job = $w.Action
        $null = New-Files -Directory $dir -Count 1

        Wait-Until { $w.IsDisposed -and $job.State -eq 'Stopped' } | Should -BeTrue
    }

    It 'fails the job, visibly, when the action leaves its pipeline (exit)' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -Action { exit }
        $null = New-Files -Directory $dir -Count 1

        Wait-Until { $w.Action.State -eq 'Failed' } | Should -BeTrue
        $w.ForwardingError | Should -BeLike '*-Action ended while its watcher still runs*'
        { Receive-Job $w.Action -ErrorAction Stop } | Should -Throw -ErrorId 'ActionFailed*'
    }

    It 'keeps its events for the action: Wait-InotifyEvent and Get-InotifyEvent refuse the watcher' {
        $w = New-InotifyWatcher -LiteralPath $dir -Action { }

        { Wait-InotifyEvent -Watcher $w -Timeout 0 -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherForwardsEvents,InotifyPS.WaitInotifyEventCommand'
        { Get-InotifyEvent -Watcher $w -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherForwardsEvents,InotifyPS.GetInotifyEventCommand'
    }

    It 'refuses -BatchSize with -Action, and -ArgumentList or -ThrottleLimit without it' {
        { New-InotifyWatcher -LiteralPath $dir -Action { } -BatchSize 10 } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.NewInotifyWatcherCommand'
        { New-InotifyWatcher -LiteralPath $dir -ThrottleLimit 2 } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.NewInotifyWatcherCommand'
        { New-InotifyWatcher -LiteralPath $dir -ArgumentList 1 } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.NewInotifyWatcherCommand'
        { New-InotifyWatcher -LiteralPath $dir -Action { dynamicparam { } } } | Should -Throw -ErrorId 'InvalidArgument,InotifyPS.NewInotifyWatcherCommand'
        Get-InotifyWatcher | Where-Object { $_.Watches.Path -contains $dir } | Should -BeNullOrEmpty
    }
}

Describe 'The session owns its handlers' {
    It 'stops them when the runspace closes, and when the module is removed' {
        $dir = New-TestDirectory
        foreach ($how in 'close', 'remove') {
            $rs = [runspacefactory]::CreateRunspace()
            $rs.Open()
            $ps = [powershell]::Create($rs)
            try {
                $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().
                    AddCommand('New-InotifyWatcher').AddParameter('LiteralPath', $dir).AddParameter('Action', { Start-Sleep 60 })
                $w = $ps.Invoke()[0]
                $job = $w.Action
                $job.State | Should -Be 'Running'

                if ($how -eq 'close') {
                    $rs.Close()
                }
                else {
                    $ps.Commands.Clear()
                    $null = $ps.AddCommand('Remove-Module').AddParameter('Name', 'InotifyPS').Invoke()
                }

                Wait-Until { $w.IsDisposed -and $job.State -eq 'Stopped' } | Should -BeTrue
            }
            finally {
                $ps.Dispose()
                $rs.Dispose()
            }
        }
    }
}
