Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Get-InotifyLimit' {
    It 'reads the kernel''s limits' {
        $limit = Get-InotifyLimit

        $limit | Should -BeOfType InotifyPS.InotifyLimitInfo
        $limit.MaxUserWatches | Should -Be ([long](Get-Content /proc/sys/fs/inotify/max_user_watches))
        $limit.MaxUserInstances | Should -Be ([long](Get-Content /proc/sys/fs/inotify/max_user_instances))
        $limit.MaxQueuedEvents | Should -Be ([long](Get-Content /proc/sys/fs/inotify/max_queued_events))
    }

    It 'counts this process''s instances and watches' {
        $before = Get-InotifyLimit
        $dir = New-TestDirectory
        $null = New-Item -ItemType Directory (Join-Path $dir 'a/b')

        $w = New-InotifyWatcher -LiteralPath $dir -Recurse
        $after = Get-InotifyLimit

        $after.ProcessInstances | Should -Be ($before.ProcessInstances + 1)
        $after.ProcessWatches | Should -Be ($before.ProcessWatches + 3)
        $after.VisibleWatches | Should -BeGreaterOrEqual $after.ProcessWatches
        ($after.Processes | Where-Object ProcessId -EQ $PID).Watches | Should -Be $after.ProcessWatches
        Remove-InotifyWatcher $w
    }

    It 'shows the limits and the processes that use the most watches' {
        $null = New-InotifyWatcher -LiteralPath (New-TestDirectory)

        $text = Get-InotifyLimit | Out-String

        $text | Should -Match 'MaxUserWatches\s+:\s+\d+'
        $text | Should -Match "TopProcesses\s+:.*\($PID\)"
    }
}
