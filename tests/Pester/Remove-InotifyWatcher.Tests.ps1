Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Remove-InotifyWatcher' {
    BeforeEach {
        Get-InotifyWatcher | Remove-InotifyWatcher
        $dir = New-TestDirectory
    }

    It 'disposes watchers piped to it and removes them from the session' {
        $a = New-InotifyWatcher
        $b = New-InotifyWatcher

        $a, $b | Remove-InotifyWatcher

        $a.IsDisposed | Should -BeTrue
        $b.IsDisposed | Should -BeTrue
        Get-InotifyWatcher | Should -BeNullOrEmpty
    }

    It 'disposes by id and by source identifier' {
        $a = New-InotifyWatcher
        $b = New-InotifyWatcher -SourceIdentifier 'RemoveInotifyWatcher.B'

        Remove-InotifyWatcher -Id $a.Id
        Remove-InotifyWatcher -SourceIdentifier 'RemoveInotifyWatcher.*'

        $a.IsDisposed | Should -BeTrue
        $b.IsDisposed | Should -BeTrue
    }

    It 'stops forwarding and removes its hidden subscriber, but not the user''s handler' {
        $subscribersBefore = @(Get-EventSubscriber -Force).Count
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'RemoveInotifyWatcher.Forwarding'
        $global:RemoveInotifyWatcherHandled = 0
        $null = Register-EngineEvent -SourceIdentifier 'RemoveInotifyWatcher.Forwarding' -Action { $global:RemoveInotifyWatcherHandled++ }
        $null = New-Files -Directory $dir -Count 1
        Wait-Until { $global:RemoveInotifyWatcherHandled -eq 1 } | Should -BeTrue

        Remove-InotifyWatcher $w
        # A second watcher on the same directory sees the files: by then the removed one would have had them too.
        $control = New-InotifyWatcher -LiteralPath $dir -Event Create
        $null = Start-Writer -Arguments $dir -Script 'for n in a b c; do : > "$1/$n"; done'
        @($control | Wait-InotifyEvent -Count 3 -Timeout $EventTimeoutSeconds).Count | Should -Be 3
        Remove-InotifyWatcher $control

        $global:RemoveInotifyWatcherHandled | Should -Be 1
        Get-Event -SourceIdentifier 'RemoveInotifyWatcher.Forwarding' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-EventSubscriber -Force).Count | Should -Be ($subscribersBefore + 1)
        Unregister-Event -SourceIdentifier 'RemoveInotifyWatcher.Forwarding'
    }

    It 'lets a handler remove its own watcher' {
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create -SourceIdentifier 'RemoveInotifyWatcher.Self'
        $null = Register-EngineEvent -SourceIdentifier 'RemoveInotifyWatcher.Self' -Action { Remove-InotifyWatcher $Event.Sender }

        $null = New-Files -Directory $dir -Count 5

        Wait-Until { $w.IsDisposed } | Should -BeTrue
        Unregister-Event -SourceIdentifier 'RemoveInotifyWatcher.Self'
    }

    It 'disposes a watcher the session did not make' {
        $w = [Inotify.InotifyWatcher]::new()

        Remove-InotifyWatcher $w

        $w.IsDisposed | Should -BeTrue
    }

    It 'disposes nothing with -WhatIf' {
        $w = New-InotifyWatcher

        Remove-InotifyWatcher $w -WhatIf

        $w.IsDisposed | Should -BeFalse
    }

    It 'reports an id that matches nothing as WatcherNotFound' {
        { Remove-InotifyWatcher -Id 999999 -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherNotFound,InotifyPS.RemoveInotifyWatcherCommand'
    }
}
