Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Remove-InotifyWatch' {
    BeforeEach {
        $w = New-InotifyWatcher
        $dir = New-TestDirectory
        $a = (New-Item -ItemType Directory (Join-Path $dir 'a')).FullName
        $b = (New-Item -ItemType Directory (Join-Path $dir 'b')).FullName
        $tree = (New-Item -ItemType Directory (Join-Path $dir 'tree/sub')).Parent.FullName
    }

    It 'removes single and recursive watches piped from Get-InotifyWatch' {
        $w | Add-InotifyWatch -LiteralPath $a, $b
        $w | Add-InotifyWatch -LiteralPath $tree -Recurse

        Get-InotifyWatch $w | Remove-InotifyWatch

        Get-InotifyWatch $w | Should -BeNullOrEmpty
        Wait-Until { $w.WatchCount -eq 0 } | Should -BeTrue
    }

    It 'removes by -Path, matching wildcards against the watched paths' {
        $w | Add-InotifyWatch -LiteralPath $a, $b

        $w | Remove-InotifyWatch -Path (Join-Path $dir '[a]')

        @(Get-InotifyWatch $w).Path | Should -Be @($b)
    }

    It 'removes a recursive watch by its root with -LiteralPath' {
        $w | Add-InotifyWatch -LiteralPath $tree -Recurse

        Remove-InotifyWatch -Watcher $w -LiteralPath $tree

        $w.RecursiveWatches | Should -BeNullOrEmpty
    }

    It 'removes the watch of a directory that is no longer at its path' {
        $w | Add-InotifyWatch -LiteralPath $a -Event Create
        $w | Add-InotifyWatch -LiteralPath $b -Event Create
        Move-Item -LiteralPath $b -Destination (Join-Path $dir 'moved')

        Remove-InotifyWatch -Watcher $w -LiteralPath $b -ErrorAction Stop

        @(Get-InotifyWatch $w).Path | Should -Be @($a)
    }

    It 'reports a watch the kernel already ended (its directory was deleted) as WatchNotFound' {
        $w | Add-InotifyWatch -LiteralPath $b -Event Create
        Remove-Item -LiteralPath $b
        Wait-Until { $w.WatchCount -eq 0 } | Should -BeTrue

        { Remove-InotifyWatch -Watcher $w -LiteralPath $b -ErrorAction Stop } | Should -Throw -ErrorId 'WatchNotFound,InotifyPS.RemoveInotifyWatchCommand'
    }

    It 'still delivers the events queued before the removal' {
        $watch = $w | Add-InotifyWatch -LiteralPath $a -Event Create -PassThru
        $null = New-Item -ItemType File (Join-Path $a 'before')
        Wait-Until { $w.QueuedCount -ge 1 } | Should -BeTrue

        $watch | Remove-InotifyWatch

        (Get-InotifyEvent $w | Where-Object Kind -EQ 'Create').Path | Should -Be (Join-Path $a 'before')
    }

    It 'reports a path the watcher does not watch as WatchNotFound' {
        { Remove-InotifyWatch -Watcher $w -LiteralPath $a -ErrorAction Stop } | Should -Throw -ErrorId 'WatchNotFound,InotifyPS.RemoveInotifyWatchCommand'
    }

    It 'removes nothing with -WhatIf' {
        $w | Add-InotifyWatch -LiteralPath $a

        Get-InotifyWatch $w | Remove-InotifyWatch -WhatIf

        $w.WatchCount | Should -Be 1
    }

    It 'reports a disposed watcher as WatcherDisposed' {
        $watch = $w | Add-InotifyWatch -LiteralPath $a -PassThru
        Remove-InotifyWatcher $w

        { $watch | Remove-InotifyWatch -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.RemoveInotifyWatchCommand'
    }
}
