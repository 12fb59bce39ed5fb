Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Ready events (-Event Ready)' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    It 'reports each dropped file once it is complete, under its final name' {
        # Written, closed, reopened and appended; and a download written as .part, then renamed.
        $null = Start-Writer -AfterWatchOn $dir -Arguments $dir -Script 'echo a > "$1/a.csv"; echo more >> "$1/a.csv"; echo b > "$1/b.part"; mv "$1/b.part" "$1/b.csv"'

        $ready = @(Wait-InotifyEvent $dir -Event Ready -Count 2 -Timeout $EventTimeoutSeconds)

        $ready.Name | Sort-Object | Should -Be @('a.csv', 'b.csv')
        $ready.Kind | Should -Be @('Ready', 'Ready')
        $ready | ForEach-Object { $_.ReadyReason | Should -Be ([Inotify.ReadyReason]'NoWriters, Quiet') }
        Get-Content -LiteralPath (Join-Path $dir 'a.csv') | Should -Be @('a', 'more')
    }

    It 'reports the files already there with -IncludeExisting, from the scan' {
        'x' | Set-Content (Join-Path $dir 'one.txt')
        'y' | Set-Content (Join-Path $dir 'two.txt')
        'z' | Set-Content (Join-Path $dir 'partial.part')

        $ready = @(Wait-InotifyEvent $dir -Event Ready -IncludeExisting -Count 2 -Timeout $EventTimeoutSeconds)

        $ready.Name | Sort-Object | Should -Be @('one.txt', 'two.txt')
        $ready.Source | Should -Be @('Scan', 'Scan')
    }

    It 'refuses -IncludeExisting without Ready in -Event' {
        { Wait-InotifyEvent $dir -Event CloseWrite -IncludeExisting -Timeout 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterConflict,InotifyPS.WaitInotifyEventCommand'
    }

    It 'New-InotifyWatcher takes -Settle, -MaxWait and -TemporaryName for its watches' {
        $w = New-InotifyWatcher $dir -Event Ready -Settle 0.2 -MaxWait 1 -TemporaryName '*.uploading'
        try {
            $w.Options.Readiness.Settle | Should -Be ([timespan]::FromSeconds(0.2))
            $w.Options.Readiness.TemporaryNames | Should -Be @('*.uploading')
            # A file kept open and written: reported once, after MaxWait, as not complete. The temporary name never.
            $writer = Start-Writer -Arguments $dir -Script 'echo x > "$1/y.uploading"; exec 3>"$1/app.log"; i=0; while [ $i -lt 30 ]; do echo line >&3; sleep 0.1; i=$((i+1)); done'

            $stuck = @(Wait-InotifyEvent -Watcher $w -Count 1 -Timeout $EventTimeoutSeconds)

            $stuck.Name | Should -Be 'app.log'
            $stuck[0].ReadyReason | Should -Be 'MaxWaitExceeded'
            $stuck[0].WaitTime.TotalSeconds | Should -BeGreaterOrEqual 1
            $writer.WaitForExit()

            $done = @(Wait-InotifyEvent -Watcher $w -Count 1 -Timeout $EventTimeoutSeconds)
            $done.Name | Should -Be 'app.log'
            $done[0].ReadyReason | Should -Be ([Inotify.ReadyReason]'NoWriters, Quiet')
        }
        finally {
            $w | Remove-InotifyWatcher
        }
    }

    It 'Add-InotifyWatch -IncludeExisting reports what a directory already holds' {
        $w = New-InotifyWatcher
        try {
            'x' | Set-Content (Join-Path $dir 'old.txt')
            Add-InotifyWatch -Watcher $w $dir -Event Ready -IncludeExisting

            $e = @(Wait-InotifyEvent -Watcher $w -Count 1 -Timeout $EventTimeoutSeconds)

            $e.Name | Should -Be 'old.txt'
            $e.Source | Should -Be 'Scan'
        }
        finally {
            $w | Remove-InotifyWatcher
        }
    }
}
