Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Wait-InotifyEvent' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    Context 'with its own watcher' {
        It 'returns the first CloseWrite with -Count 1 -Timeout' {
            $null = Start-Writer -AfterWatchOn $dir -Arguments (Join-Path $dir 'done.txt') -Script 'echo data > "$1"'

            $e = @(Wait-InotifyEvent $dir -Event CloseWrite -Count 1 -Timeout $EventTimeoutSeconds)

            $e.Count | Should -Be 1
            $e[0] | Should -BeOfType Inotify.InotifyEvent
            $e[0].Kind | Should -Be 'CloseWrite'
            $e[0].Path | Should -Be (Join-Path $dir 'done.txt')
        }

        It 'streams the events of a drop folder to ForEach-Object as they arrive' {
            $done = New-TestDirectory
            $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'echo a > "$1/a.csv"; echo b > "$1/b.part"; mv "$1/b.part" "$1/b.csv"'

            $handled = Wait-InotifyEvent $dir -Event CloseWrite, MovedTo -Count 3 -Timeout $EventTimeoutSeconds | ForEach-Object {
                if ($_.Path -like '*.csv') { Move-Item -LiteralPath $_.Path -Destination $done; $_.Name }
            }

            $handled | Should -Be @('a.csv', 'b.csv')
            @(Get-ChildItem -LiteralPath $done).Name | Should -Be @('a.csv', 'b.csv')
        }

        It 'writes nothing when -Timeout passes, after about that long' {
            $elapsed = Measure-Command { $out = Wait-InotifyEvent $dir -Timeout $QuietTimeoutSeconds }

            $out | Should -BeNullOrEmpty
            $elapsed.TotalSeconds | Should -BeGreaterOrEqual ($QuietTimeoutSeconds - 0.05)
            $elapsed.TotalSeconds | Should -BeLessThan ($QuietTimeoutSeconds + 3)
        }

        It 'stops after -Count events' {
            $null = New-Files -Directory $dir -Count 10 -AfterWatch

            @(Wait-InotifyEvent $dir -Event Create -Count 4 -Timeout $EventTimeoutSeconds).Name | Should -Be @('f0', 'f1', 'f2', 'f3')
        }

        It 'stops cleanly for Select-Object -First and disposes its watcher' {
            $before = Get-ProcessInotifyInstances
            $null = New-Files -Directory $dir -Count 10 -AfterWatch

            $first = Wait-InotifyEvent $dir -Event Create | Select-Object -First 2

            $first.Name | Should -Be @('f0', 'f1')
            Get-ProcessInotifyInstances | Should -Be $before
        }

        It 'stops at once when the pipeline is stopped (Ctrl+C) and disposes its watcher' {
            $before = Get-ProcessInotifyInstances
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().
                    AddCommand('Wait-InotifyEvent').AddParameter('LiteralPath', $dir)
                $async = $ps.BeginInvoke()
                Wait-Until { (Get-ProcessInotifyInstances) -gt $before } | Should -BeTrue

                $elapsed = Measure-Command { $ps.Stop() }

                $elapsed.TotalSeconds | Should -BeLessThan 2
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                Get-ProcessInotifyInstances | Should -Be $before
                $null = $async
            }
            finally {
                $ps.Dispose()
            }
        }

        It 'takes paths from the pipeline by property name' {
            $null = Start-Writer -AfterWatchOn $dir -Arguments (Join-Path $dir 'x') -Script ': > "$1"'

            (Get-Item -LiteralPath $dir | Wait-InotifyEvent -Event Create -Count 1 -Timeout $EventTimeoutSeconds).Name | Should -Be 'x'
        }

        It 'watches trees with -Recurse and filters with -Include' {
            $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'mkdir -p "$1/a/b"; : > "$1/a/b/skip.log"; : > "$1/a/b/take.txt"'

            $e = Wait-InotifyEvent $dir -Recurse -Include '*.txt' -Event Create -Count 1 -Timeout $EventTimeoutSeconds

            $e.Path | Should -Be (Join-Path $dir 'a/b/take.txt')
        }

        It 'reports a rename inside the folder as one Renamed event with the old path' {
            $null = New-Item -ItemType File (Join-Path $dir 'old.txt')
            $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'mv "$1/old.txt" "$1/new.txt"'

            $e = Wait-InotifyEvent $dir -Event Move -Count 1 -Timeout $EventTimeoutSeconds

            $e.Kind | Should -Be 'Renamed'
            $e.OldPath | Should -Be (Join-Path $dir 'old.txt')
            $e.Path | Should -Be (Join-Path $dir 'new.txt')
        }

        It 'does not wait when no path could be watched' {
            $elapsed = Measure-Command {
                Wait-InotifyEvent (Join-Path $dir 'missing') -ErrorVariable failures -ErrorAction SilentlyContinue
            }

            $elapsed.TotalSeconds | Should -BeLessThan 5
            $failures[0].FullyQualifiedErrorId | Should -Be 'WatchPathNotFound,InotifyPS.WaitInotifyEventCommand'
            $failures[0].TargetObject | Should -Be (Join-Path $dir 'missing')
        }

        It 'reports only the names -Include selects, without -Recurse too' {
            $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'echo x > "$1/skip.log"; echo y > "$1/take.csv"'

            $e = Wait-InotifyEvent $dir -Event CloseWrite -Include '*.csv' -Count 1 -Timeout $EventTimeoutSeconds

            $e.Name | Should -Be 'take.csv'
        }

        It 'accepts fractional seconds and -1, and refuses other negative timeouts' {
            { Wait-InotifyEvent $dir -Timeout 0.05 } | Should -Not -Throw
            { Wait-InotifyEvent $dir -Timeout -2 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,InotifyPS.WaitInotifyEventCommand'
            # An event is queued, so a command that took -0.2 for "no deadline" would return it rather than hang.
            $w = New-InotifyWatcher -LiteralPath $dir -Event Create
            $null = New-Item -ItemType File (Join-Path $dir 'queued')
            foreach ($timeout in -0.2, -1.5) {
                { $w | Wait-InotifyEvent -Count 1 -Timeout $timeout } | Should -Throw -ErrorId 'ParameterArgumentValidationError,InotifyPS.WaitInotifyEventCommand'
            }
            @($w | Wait-InotifyEvent -Count 1 -Timeout -1).Name | Should -Be 'queued'
        }

        It 'ends when nothing is left to watch, writing no event kind the user did not ask for' {
            # The drop folder one-liner, and the folder is deleted. The -Timeout only keeps a failure from hanging.
            $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'echo a > "$1/a.csv"; rm -rf "$1"'

            $out = @(Wait-InotifyEvent $dir -Event CloseWrite, MovedTo -Timeout 30 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)

            $out.Kind | Should -Be @('CloseWrite')
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -Be 'NothingLeftToWatch,InotifyPS.WaitInotifyEventCommand'
            $errs[0].TargetObject | Should -Be $dir
            "$($errs[0])" | Should -Match 'deleted'
        }

        It 'ends when the root of a recursive watch is deleted, saying why instead of writing DeleteSelf' {
            $null = New-Item -ItemType Directory (Join-Path $dir 'sub')
            $null = Start-Writer -AfterWatchOn (Join-Path $dir 'sub') -Arguments $dir -Script 'echo a > "$1/sub/a.csv"; rm -rf "$1"'

            $out = @(Wait-InotifyEvent $dir -Recurse -Event CloseWrite -Timeout 30 -ErrorVariable errs -ErrorAction SilentlyContinue)

            $out.Kind | Should -Be @('CloseWrite')
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -Be 'NothingLeftToWatch,InotifyPS.WaitInotifyEventCommand'
        }
    }

    Context 'with -Watcher' {
        It 'reads from a watcher piped to it' {
            $w = New-InotifyWatcher -LiteralPath $dir -Event Create
            $null = New-Files -Directory $dir -Count 3

            @($w | Wait-InotifyEvent -Count 3 -Timeout $EventTimeoutSeconds).Name | Should -Be @('f0', 'f1', 'f2')
            $w.IsDisposed | Should -BeFalse
        }

        It 'refuses a watcher whose events go to engine events' {
            $w = New-InotifyWatcher -LiteralPath $dir -SourceIdentifier 'WaitInotifyEvent.Forwarding'

            { $w | Wait-InotifyEvent -Timeout 0 -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherForwardsEvents,InotifyPS.WaitInotifyEventCommand'
        }

        It 'keeps -Timeout while events are still queued' {
            $w = New-InotifyWatcher -LiteralPath $dir -Event Create
            $null = New-Files -Directory $dir -Count 3000
            Wait-Until { $w.QueuedCount -ge 3000 } | Should -BeTrue

            # 2 ms per event: the 3,000 queued events would take 6 s or more; the deadline is 1 s.
            $handled = 0
            $w | Wait-InotifyEvent -Timeout 1 | ForEach-Object { Start-Sleep -Milliseconds 2; $handled++ }

            $handled | Should -BeLessThan 3000
            $w.QueuedCount | Should -Be (3000 - $handled)
        }

        It 'takes with -Timeout 0 only what is queued when it starts, though a writer stays ahead' {
            $w = New-InotifyWatcher -LiteralPath $dir -Event Create
            # Creates files until told to stop (at most 20,000), several times faster than the loop below handles them.
            $writer = Start-Writer -Arguments $dir -Script 'cd "$1" && i=0; while [ ! -e stop ] && [ $i -lt 20000 ]; do : > "f$i"; i=$((i+1)); done'
            try {
                Wait-Until { $w.QueuedCount -ge 100 } | Should -BeTrue

                $handled = 0
                $w | Wait-InotifyEvent -Timeout 0 | ForEach-Object { Start-Sleep -Milliseconds 5; $handled++ }

                $writer.HasExited | Should -BeFalse -Because 'the command returned while the writer was still ahead of it'
                $handled | Should -BeGreaterOrEqual 100
            }
            finally {
                $null = New-Item -ItemType File (Join-Path $dir 'stop') -Force
                $writer.WaitForExit()
            }
        }

        It 'reports a disposed watcher as WatcherDisposed' {
            $w = New-InotifyWatcher -LiteralPath $dir
            Remove-InotifyWatcher $w

            { $w | Wait-InotifyEvent -Timeout 0 -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.WaitInotifyEventCommand'
        }

        It 'reports a watcher disposed during the wait as WatcherDisposed' {
            $w = New-InotifyWatcher -LiteralPath $dir
            # Disposed from a timer thread, which has no runspace: a plain delegate, not a script block.
            $dispose = [Inotify.InotifyWatcher].GetMethod('Dispose', [type[]]@()).CreateDelegate([Action], $w)
            $timer = [System.Threading.CancellationTokenSource]::new(300)
            $null = $timer.Token.Register($dispose)
            try {
                { $w | Wait-InotifyEvent -Timeout $EventTimeoutSeconds -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.WaitInotifyEventCommand'
            }
            finally {
                $timer.Dispose()
            }
        }
    }
}
