Set-StrictMode -Version Latest

# InotifyPS over PowerShell remoting, the way a user watches other machines: SSH sessions to an sshd of the test's
# own on loopback (SshServer.ps1), two addresses standing for two hosts. The remote pwsh processes run on this
# machine, so the test can see their inotify descriptors in /proc and start writers once their watches exist.
# No sshd and no way to install one is a failure with the reason, not a skip.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'SshServer.ps1')

    $ModuleFull = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
    # The folder that holds InotifyPS (or InotifyPS/<version>), for PSModulePath.
    $ModuleRoot = Split-Path -Parent $ModuleFull
    if ((Split-Path -Leaf $ModuleRoot) -eq 'InotifyPS') { $ModuleRoot = Split-Path -Parent $ModuleRoot }

    function Start-WriterAfterRemoteWatch {
        # Start-Writer for a watch held by other processes (the remote pwsh): the script runs once every one of
        # them holds an inotify watch on that inode, so the writer cannot act before the remote watch exists.
        param([Parameter(Mandatory)] [int[]] $ProcessId, [Parameter(Mandatory)] [string] $AfterWatchOn, [Parameter(Mandatory)] [string] $Script, [string[]] $Arguments = @())
        $inode = '{0:x}' -f [long](& stat -c '%i' -- $AfterWatchOn)
        $waits = foreach ($p in $ProcessId) {
            "until grep -qs 'inotify wd:[0-9]* ino:$inode ' /proc/$p/fdinfo/*; do n=`$((n+1)); [ `$n -gt 6000 ] && exit 3; sleep 0.01; done;"
        }
        $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
        foreach ($a in @('-c', "n=0; $($waits -join ' ') $Script", 'sh') + $Arguments) { $psi.ArgumentList.Add($a) }
        [System.Diagnostics.Process]::Start($psi)
    }

    function Get-InotifyDescriptorCount {
        # The inotify instances a process holds, from its descriptor table.
        param([Parameter(Mandatory)] [int] $ProcessId)
        @(Get-ChildItem -LiteralPath "/proc/$ProcessId/fd" -ErrorAction Ignore | Where-Object { $_.LinkTarget -eq 'anon_inode:inotify' }).Count
    }

    # The sessions keep India's time (UTC+05:30, no daylight saving): times must arrive in the local zone anyway.
    $Server = Start-TestSshServer -Address '127.0.0.1', '127.0.0.2' -TimeZone 'Asia/Kolkata'
    $S1 = New-TestSshSession -Server $Server -HostName '127.0.0.1'
    $S2 = New-TestSshSession -Server $Server -HostName '127.0.0.2'
    # The remote side runs the module under test; on PSModulePath too, for Import-Module -PSSession by name.
    Invoke-Command -Session $S1, $S2 {
        $env:PSModulePath = $using:ModuleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
        Import-Module $using:ModuleFull -ErrorAction Stop
    }
    $Pid1 = Invoke-Command -Session $S1 { $PID }
    $Pid2 = Invoke-Command -Session $S2 { $PID }
}

AfterAll {
    foreach ($s in @(Get-Variable -Name S1, S2 -ValueOnly -ErrorAction Ignore)) {
        if ($s) { Remove-PSSession -Session $s -ErrorAction Ignore }
    }
    Stop-TestSshServer (Get-Variable -Name Server -ValueOnly -ErrorAction Ignore)
}

Describe 'Watching another machine with Invoke-Command' {
    It 'streams events that keep Kind, Path, TimeStamp, Sequence and the OldPath of a rename, with PSComputerName' {
        $dir = New-TestDirectory
        $null = Start-WriterAfterRemoteWatch -ProcessId $Pid1 -AfterWatchOn $dir -Arguments $dir -Script 'printf x > "$1/a"; mv "$1/a" "$1/b"'

        $events = @(Invoke-Command -Session $S1 {
                Wait-InotifyEvent -LiteralPath $using:dir -Event CloseWrite, MovedFrom, MovedTo -Count 2 -Timeout $using:EventTimeoutSeconds
            })

        $events.Count | Should -Be 2
        $events.PSComputerName | Should -Be @('127.0.0.1', '127.0.0.1')
        $events[0].pstypenames[0] | Should -Be 'Deserialized.Inotify.InotifyEvent'
        $events.Kind | Should -Be @('CloseWrite', 'Renamed')
        @($events | Where-Object Kind -EQ 'Renamed').Count | Should -Be 1
        $events[0].Path | Should -Be (Join-Path $dir 'a')
        $events[1].Path | Should -Be (Join-Path $dir 'b')
        $events[1].OldPath | Should -Be (Join-Path $dir 'a')
        $events[1].Sequence | Should -BeGreaterThan $events[0].Sequence
        $events[0].TimeStamp | Should -BeOfType [datetime]
        $events[0].TimeStamp.Kind | Should -Be 'Utc'
        ([datetime]::UtcNow - $events[0].TimeStamp).TotalMinutes | Should -BeLessThan 5
        # LocalTime was the remote machine's local time; it arrives as the same moment in this machine's.
        Invoke-Command -Session $S1 { [System.TimeZoneInfo]::Local.BaseUtcOffset } | Should -Be ([timespan]'05:30')
        $events[0].LocalTime.Kind | Should -Be 'Local'
        $events[0].LocalTime | Should -Be $events[0].TimeStamp.ToLocalTime()
        $events[0].Mask | Should -Be 'CloseWrite'
        $events[0].Source | Should -Be 'Kernel'
    }

    It 'shows remote watchers and watches in the same tables as local ones' {
        $dir = New-TestDirectory
        $null = New-Item -ItemType Directory -Path (Join-Path $dir 'tree/sub')

        $remote = @(Invoke-Command -Session $S1 {
                $w = New-InotifyWatcher -LiteralPath $using:dir -SourceIdentifier 'Remoting.Shown'
                $null = $w | Add-InotifyWatch -LiteralPath (Join-Path $using:dir 'tree') -Recurse
                $w
                Get-InotifyWatch -Watcher $w
                Remove-InotifyWatcher $w
            })

        $remote.Count | Should -Be 3
        $watcherText = $remote[0] | Out-String -Width 200
        # PowerShell adds the PSComputerName column to tables of objects from Invoke-Command.
        $watcherText | Should -Match '(?m)^\s*Id\s+Watches\s+Queued\s+Events\s+Dropped\s+Overflows\s+Disposed\s+SourceIdentifier\s+PSComputerName\s*$'
        # Queued is a live count (the forwarder may not have taken the last events yet): any number.
        $watcherText | Should -Match '(?m)^\s*\d+\s+3\s+\d+\s+\d+\s+0\s+0\s+False\s+Remoting\.Shown\s+127\.0\.0\.1\s*$'
        $watchText = $remote[1..2] | Out-String -Width 200
        $watchText | Should -Match ('(?m)^\s*\d+\s+Active\s+' + [regex]::Escape($dir) + '\s+127\.0\.0\.1\s*$')
        $watchText | Should -Match ('(?m)^\s*\d+\s+Active\s+2\s+' + [regex]::Escape((Join-Path $dir 'tree')) + '\s+127\.0\.0\.1\s*$')
    }

    It 'fans out to two sessions with -AsJob, and Stop-Job disposes both remote watchers' {
        $dir = New-TestDirectory
        $before1 = Get-InotifyDescriptorCount $Pid1
        $before2 = Get-InotifyDescriptorCount $Pid2
        $null = Start-WriterAfterRemoteWatch -ProcessId $Pid1, $Pid2 -AfterWatchOn $dir -Arguments $dir -Script 'printf x > "$1/one"'

        $job = Invoke-Command -Session $S1, $S2 -ThrottleLimit 2 -AsJob { Wait-InotifyEvent -LiteralPath $using:dir -Event CloseWrite }
        try {
            $received = [System.Collections.Generic.List[object]]::new()
            Wait-Until { $received.AddRange(@(Receive-Job $job)); @($received | ForEach-Object PSComputerName | Sort-Object -Unique).Count -eq 2 } | Should -BeTrue
            # Both remote commands are still waiting, each with its own inotify instance.
            $job.State | Should -Be 'Running'
            Get-InotifyDescriptorCount $Pid1 | Should -Be ($before1 + 1)
            Get-InotifyDescriptorCount $Pid2 | Should -Be ($before2 + 1)
            $received.Path | Should -Be @((Join-Path $dir 'one'), (Join-Path $dir 'one'))
            $received.Kind | Should -Be @('CloseWrite', 'CloseWrite')
        }
        finally {
            Stop-Job $job
        }

        $job.State | Should -Be 'Stopped'
        Wait-Until { (Get-InotifyDescriptorCount $Pid1) -eq $before1 -and (Get-InotifyDescriptorCount $Pid2) -eq $before2 } | Should -BeTrue
        Remove-Job $job
        # The sessions are usable again, and no watcher was left in them.
        Invoke-Command -Session $S1, $S2 { @(Get-InotifyWatcher).Count } | Should -Be @(0, 0)
    }

    It 'delivers -BatchSize batches whole: their Events arrive as events, not strings' {
        $dir = New-TestDirectory
        $count = 300
        $writer = Start-WriterAfterRemoteWatch -ProcessId $Pid1 -AfterWatchOn $dir -Arguments $dir, $count -Script 'cd "$1" && i=0; while [ $i -lt "$2" ]; do : > "f$i"; i=$((i+1)); done'

        $batches = @(Invoke-Command -Session $S1 {
                $w = New-InotifyWatcher -LiteralPath $using:dir -Event Create -SourceIdentifier 'Remoting.Batch' -BatchSize 100
                try {
                    $n = 0
                    while ($n -lt $using:count) {
                        $e = Wait-Event -SourceIdentifier 'Remoting.Batch' -Timeout $using:EventTimeoutSeconds
                        if (-not $e) { break }
                        Remove-Event -EventIdentifier $e.EventIdentifier
                        $n += $e.SourceEventArgs.Count
                        $e.SourceEventArgs
                    }
                }
                finally {
                    Remove-InotifyWatcher $w
                }
            })
        $writer.WaitForExit()

        $batches[0].pstypenames[0] | Should -Be 'Deserialized.InotifyPS.InotifyEventBatch'
        $events = @($batches.Events)
        $events.Count | Should -Be $count
        ($batches | Measure-Object Count -Sum).Sum | Should -Be $count
        $events[0].pstypenames[0] | Should -Be 'Deserialized.Inotify.InotifyEvent'
        @($events | Where-Object Kind -EQ 'Create').Count | Should -Be $count
        $events.Name | Should -Be @(0..($count - 1) | ForEach-Object { "f$_" })
        $events.Sequence | Should -Be @($events.Sequence | Sort-Object)
    }
}

Describe 'Forwarding engine events from a session (Register-EngineEvent -Forward)' {
    BeforeAll {
        function Receive-ForwardedEvent {
            # Takes forwarded engine events from this session's queue until they carry $Count file events.
            param([Parameter(Mandatory)] [string] $SourceIdentifier, [Parameter(Mandatory)] [int] $Count)
            $taken = [System.Collections.Generic.List[object]]::new()
            $n = 0
            while ($n -lt $Count) {
                $e = Wait-Event -SourceIdentifier $SourceIdentifier -Timeout $EventTimeoutSeconds
                if (-not $e) { break }
                Remove-Event -EventIdentifier $e.EventIdentifier
                $taken.Add($e)
                $n += if ($e.SourceArgs[0].pstypenames[0] -eq 'Deserialized.InotifyPS.InotifyEventBatch') { $e.SourceArgs[0].Count } else { 1 }
            }
            $taken.ToArray()
        }
    }

    AfterEach {
        Invoke-Command -Session $S1 {
            Get-InotifyWatcher | Remove-InotifyWatcher
            Get-EventSubscriber | Where-Object SourceIdentifier -Like 'Remoting.*' | Unregister-Event
        }
        Get-Event -ErrorAction Ignore | Where-Object SourceIdentifier -Like 'Remoting.*' | Remove-Event
    }

    It 'arrives as $Event.SourceArgs[0], with a small watcher as $Event.Sender' {
        $dir = New-TestDirectory
        $count = 20
        Invoke-Command -Session $S1 {
            $null = New-InotifyWatcher -LiteralPath $using:dir -Event Create -SourceIdentifier 'Remoting.Forward'
            $null = Register-EngineEvent -SourceIdentifier 'Remoting.Forward' -Forward
        }
        # Both exist when Invoke-Command returns: every event from here on is forwarded.
        $null = New-Files -Directory $dir -Count $count

        $forwarded = @(Receive-ForwardedEvent -SourceIdentifier 'Remoting.Forward' -Count $count)

        $forwarded.Count | Should -Be $count
        $first = $forwarded[0]
        $first.SourceEventArgs | Should -BeOfType [System.Management.Automation.ForwardedEventArgs]
        $first.SourceArgs[0].pstypenames[0] | Should -Be 'Deserialized.Inotify.InotifyEvent'
        $first.ComputerName | Should -Be '127.0.0.1'
        # The console may queue forwarded events out of order: the kernel's order is the Sequence.
        $events = @($forwarded | ForEach-Object { $_.SourceArgs[0] } | Sort-Object Sequence)
        $events.Name | Should -Be @(0..($count - 1) | ForEach-Object { "f$_" })
        @($events | Where-Object Kind -EQ 'Create').Count | Should -Be $count
        # Serialized on the forwarder's thread, where no script runs: the table's Time still arrives.
        ($events[0] | Out-String -Width 200) | Should -Match ('(?m)^\d\d:\d\d:\d\d\.\d{3}\s+Create\s+' + [regex]::Escape((Join-Path $dir 'f0')) + '\s*$')
        # The sender is the watcher as its serialization set describes it: id, source identifier, counts.
        $first.Sender.SourceIdentifier | Should -Be 'Remoting.Forward'
        $first.Sender.psobject.Properties.Name | Sort-Object |
            Should -Be @('DroppedCount', 'EventCount', 'Id', 'IsDisposed', 'OverflowCount', 'QueuedCount', 'SourceIdentifier', 'WatchCount')
    }

    It 'forwards -BatchSize batches whole as $Event.SourceArgs[0].Events' {
        $dir = New-TestDirectory
        $count = 200
        Invoke-Command -Session $S1 {
            $null = New-InotifyWatcher -LiteralPath $using:dir -Event Create -SourceIdentifier 'Remoting.ForwardBatch' -BatchSize 50
            $null = Register-EngineEvent -SourceIdentifier 'Remoting.ForwardBatch' -Forward
        }
        $null = New-Files -Directory $dir -Count $count

        $forwarded = @(Receive-ForwardedEvent -SourceIdentifier 'Remoting.ForwardBatch' -Count $count)

        $forwarded | ForEach-Object { $_.SourceArgs[0].pstypenames[0] } | Sort-Object -Unique | Should -Be 'Deserialized.InotifyPS.InotifyEventBatch'
        $events = @($forwarded | ForEach-Object { $_.SourceArgs[0].Events })
        $events.Count | Should -Be $count
        $sorted = @($events | Sort-Object Sequence)
        $sorted.Name | Should -Be @(0..($count - 1) | ForEach-Object { "f$_" })
        @($sorted | Where-Object Kind -EQ 'Create').Count | Should -Be $count
    }
}

Describe 'Implicit remoting (Import-Module -PSSession)' {
    It 'imports the commands and the views: a proxy Wait-InotifyEvent shows the table with the time filled' {
        $dir = New-TestDirectory
        $null = Start-WriterAfterRemoteWatch -ProcessId $Pid1 -AfterWatchOn $dir -Arguments $dir -Script 'printf x > "$1/from-proxy"'

        # A runspace of its own, without InotifyPS: the views it shows can only be the imported ones.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Session, $Directory, $Timeout)
                    $ErrorActionPreference = 'Stop'
                    $module = Import-Module -PSSession $Session -Name InotifyPS -PassThru
                    $events = @(Wait-InotifyEvent -LiteralPath $Directory -Event CloseWrite -Count 1 -Timeout $Timeout)
                    [pscustomobject]@{
                        Commands = @($module.ExportedCommands.Keys)
                        Events = $events
                        Text = $events | Out-String -Width 120
                    }
                }).AddArgument($S1).AddArgument($dir).AddArgument($EventTimeoutSeconds)
            $result = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
        }
        finally {
            $ps.Dispose()
        }

        $result.Count | Should -Be 1
        $result[0].Commands | Should -Contain 'Wait-InotifyEvent'
        $result[0].Events.Count | Should -Be 1
        $result[0].Events[0].Path | Should -Be (Join-Path $dir 'from-proxy')
        $result[0].Text | Should -Match '(?m)^Time\s+Kind\s+Path\s*$'
        # The time of this machine, though the session keeps another zone's.
        $time = $result[0].Events[0].TimeStamp.ToLocalTime().ToString('HH:mm:ss.fff')
        $result[0].Text | Should -Match ('(?m)^' + [regex]::Escape($time) + '\s+CloseWrite\s+' + [regex]::Escape((Join-Path $dir 'from-proxy')) + '\s*$')
    }
}

Describe 'Export-Clixml and Import-Clixml' {
    It 'keep Kind, Mask and Source as names: Where-Object Kind -eq CloseWrite still matches' {
        $dir = New-TestDirectory
        $w = New-InotifyWatcher -LiteralPath $dir -Event CloseWrite, Create
        try {
            $null = New-Files -Directory $dir -Count 3
            Wait-Until { $w.QueuedCount -eq 6 } | Should -BeTrue
            $file = Join-Path $TestDrive 'events.clixml'
            Get-InotifyEvent $w | Export-Clixml -LiteralPath $file
        }
        finally {
            Remove-InotifyWatcher $w
        }

        $back = @(Import-Clixml -LiteralPath $file)

        $back.Count | Should -Be 6
        @($back | Where-Object Kind -EQ 'CloseWrite').Count | Should -Be 3
        @($back | Where-Object Kind -EQ 'Create').Name | Should -Be @('f0', 'f1', 'f2')
        @($back | Where-Object Mask -EQ 'CloseWrite').Count | Should -Be 3
        @($back | Where-Object Source -EQ 'Kernel').Count | Should -Be 6
    }
}
