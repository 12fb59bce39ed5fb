Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Get-InotifyWatch' {
    BeforeEach {
        Get-InotifyWatcher | Remove-InotifyWatcher
        $dir = New-TestDirectory
        $a = (New-Item -ItemType Directory (Join-Path $dir 'a')).FullName
        $b = (New-Item -ItemType Directory (Join-Path $dir 'b')).FullName
        $tree = (New-Item -ItemType Directory (Join-Path $dir 'tree/x/y')).Parent.Parent.FullName
        $w1 = New-InotifyWatcher -LiteralPath $a, $b
        $w2 = New-InotifyWatcher -LiteralPath $tree -Recurse
    }

    It 'lists the watches of a watcher given by position or pipeline' {
        @(Get-InotifyWatch $w1).Path | Should -Be @($a, $b)
        @($w1 | Get-InotifyWatch).Path | Should -Be @($a, $b)
        Get-InotifyWatch $w1 | Should -BeOfType Inotify.InotifyWatch
    }

    It 'shows a recursive watch as one object, not one per directory' {
        $watches = @(Get-InotifyWatch $w2)

        $watches.Count | Should -Be 1
        $watches[0] | Should -BeOfType Inotify.RecursiveWatch
        $watches[0].DirectoryCount | Should -Be 3
        $w2.WatchCount | Should -Be 3
    }

    It 'lists the watches of every watcher of the session without -Watcher' {
        @(Get-InotifyWatch).Count | Should -Be 3
    }

    It 'filters by path with wildcards' {
        @(Get-InotifyWatch -Path (Join-Path $dir '[ab]')).Count | Should -Be 2
        @(Get-InotifyWatch -Path (Join-Path $dir 'tr*')) | Should -BeOfType Inotify.RecursiveWatch
        Get-InotifyWatch -Path (Join-Path $dir 'none*') | Should -BeNullOrEmpty
    }

    It 'formats both kinds in one table' {
        $text = Get-InotifyWatch | Out-String -Width 200

        $text | Should -Match 'Wd\s+State\s+Dirs\s+Path'
        $text | Should -Match '\d+\s+Active\s+3\s+/'
        $text | Should -Match '\d+\s+Active\s+/'
    }
}
