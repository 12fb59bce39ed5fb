Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Get-InotifyEvent' {
    BeforeEach {
        $dir = New-TestDirectory
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create
    }

    It 'returns what is queued, in order, without waiting' {
        $null = New-Files -Directory $dir -Count 5
        Wait-Until { $w.QueuedCount -eq 5 } | Should -BeTrue

        $events = @(Get-InotifyEvent $w)

        $events.Name | Should -Be @('f0', 'f1', 'f2', 'f3', 'f4')
        $events | Should -BeOfType Inotify.InotifyEvent
        $w.QueuedCount | Should -Be 0
    }

    It 'returns nothing at once when nothing is queued' {
        $elapsed = Measure-Command { $out = $w | Get-InotifyEvent }

        $out | Should -BeNullOrEmpty
        $elapsed.TotalSeconds | Should -BeLessThan 1
    }

    It 'leaves the rest queued with -MaxCount' {
        $null = New-Files -Directory $dir -Count 5
        Wait-Until { $w.QueuedCount -eq 5 } | Should -BeTrue

        @(Get-InotifyEvent $w -MaxCount 2).Name | Should -Be @('f0', 'f1')
        @(Get-InotifyEvent $w).Name | Should -Be @('f2', 'f3', 'f4')
    }

    It 'formats events as a table of time, kind and path' {
        $null = New-Files -Directory $dir -Count 1
        Wait-Until { $w.QueuedCount -eq 1 } | Should -BeTrue

        $text = Get-InotifyEvent $w | Out-String -Width 200

        $text | Should -Match 'Time\s+Kind\s+Path'
        $text | Should -Match '\d\d:\d\d:\d\d\.\d{3}\s+Create\s+'
    }

    It 'shows every property with Format-List *' {
        $null = New-Files -Directory $dir -Count 1
        Wait-Until { $w.QueuedCount -eq 1 } | Should -BeTrue

        $text = Get-InotifyEvent $w | Format-List * | Out-String

        foreach ($name in 'Kind', 'Mask', 'Path', 'Name', 'WatchPath', 'OldPath', 'IsDirectory', 'Cookie', 'Sequence', 'TimeStamp', 'Source') {
            $text | Should -Match "(?m)^$name\s+:"
        }
    }

    It 'converts to JSON and CSV and back' {
        $null = New-Files -Directory $dir -Count 2
        Wait-Until { $w.QueuedCount -eq 2 } | Should -BeTrue
        $events = @(Get-InotifyEvent $w)
        $csv = Join-Path $TestDrive "events$([guid]::NewGuid().ToString('N')).csv"

        $json = $events | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $events | Export-Csv -LiteralPath $csv
        $rows = Import-Csv -LiteralPath $csv

        $json.Path | Should -Be $events.Path
        $json.Kind | Should -Be @('Create', 'Create')
        $rows.Path | Should -Be $events.Path
        $rows.Kind | Should -Be @('Create', 'Create')
        $rows[0].Sequence | Should -Be $events[0].Sequence
    }

    It 'converts an event about a name that is not UTF-8' {
        $null = Start-Writer -Arguments $dir -Script ': > "$1/$(printf ''bad\377.txt'')"'
        Wait-Until { $w.QueuedCount -eq 1 } | Should -BeTrue

        $e = Get-InotifyEvent $w
        try {
            $e.NameIsValidUtf8 | Should -BeFalse
            [Inotify.NativeFile]::Exists($e.Path) | Should -BeTrue
            { $e | ConvertTo-Json | ConvertFrom-Json } | Should -Not -Throw
        }
        finally {
            # .NET cannot name it, so neither can TestDrive's cleanup.
            [Inotify.NativeFile]::Delete($e.Path)
        }
    }

    It 'refuses a watcher whose events go to engine events' {
        $f = New-InotifyWatcher -SourceIdentifier 'GetInotifyEvent.Forwarding'

        { Get-InotifyEvent $f -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherForwardsEvents,InotifyPS.GetInotifyEventCommand'
    }

    It 'reports a disposed watcher as WatcherDisposed' {
        Remove-InotifyWatcher $w

        { Get-InotifyEvent $w -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.GetInotifyEventCommand'
    }
}
