Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'New-InotifyWatcher' {
    It 'makes a watcher and registers it in the session' {
        $w = New-InotifyWatcher

        $w | Should -BeOfType Inotify.InotifyWatcher
        $w.IsDisposed | Should -BeFalse
        $w.WatchCount | Should -Be 0
        Get-InotifyWatcher | Should -Contain $w
    }

    It 'adds the first watches, expanding wildcards in -Path' {
        $root = New-TestDirectory
        $a1 = New-Item -ItemType Directory (Join-Path $root 'a1')
        $a2 = New-Item -ItemType Directory (Join-Path $root 'a2')
        $null = New-Item -ItemType Directory (Join-Path $root 'b1')

        $w = New-InotifyWatcher -Path (Join-Path $root 'a*')

        @($w.Watches.Path | Sort-Object) | Should -Be @($a1.FullName, $a2.FullName)
    }

    It 'takes -LiteralPath literally' {
        $root = New-TestDirectory
        $odd = New-Item -ItemType Directory -Path (Join-Path $root '[x]')

        $w = New-InotifyWatcher -LiteralPath $odd.FullName

        $w.Watches[0].Path | Should -Be $odd.FullName
        { New-InotifyWatcher -Path $odd.FullName -ErrorAction Stop } | Should -Throw -ErrorId 'WatchPathNotFound,InotifyPS.NewInotifyWatcherCommand'
    }

    It 'makes one watcher for every directory piped to it' {
        $root = New-TestDirectory
        1..3 | ForEach-Object { $null = New-Item -ItemType Directory (Join-Path $root "d$_") }

        $w = @(Get-ChildItem -LiteralPath $root -Directory | New-InotifyWatcher)

        $w.Count | Should -Be 1
        $w[0].WatchCount | Should -Be 3
    }

    It 'binds -Event from a comma-separated string and from an array' {
        $dir = New-TestDirectory

        $a = New-InotifyWatcher -Path $dir -Event 'CloseWrite,MovedTo'
        $b = New-InotifyWatcher -Path $dir -Event CloseWrite, MovedTo

        $a.Watches[0].Mask | Should -Be ([Inotify.InotifyEventMask]'CloseWrite, MovedTo')
        $b.Watches[0].Mask | Should -Be ([Inotify.InotifyEventMask]'CloseWrite, MovedTo')
    }

    It 'watches a tree with -Recurse' {
        $root = New-TestDirectory
        $null = New-Item -ItemType Directory (Join-Path $root 'a/b/c')

        $w = New-InotifyWatcher -Path $root -Recurse

        $w.RecursiveWatches.Count | Should -Be 1
        $w.RecursiveWatches[0].DirectoryCount | Should -Be 4
    }

    It 'reports a bad path as a non-terminating error against that path and adds the others' {
        $good = New-TestDirectory
        $missing = Join-Path $TestDrive 'missing'

        $w = New-InotifyWatcher -LiteralPath $missing, $good -ErrorVariable failures -ErrorAction SilentlyContinue

        $w.WatchCount | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'WatchPathNotFound,*'
        $failures[0].TargetObject | Should -Be $missing
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'disposes the watcher it made when an error stops it' {
        $before = @(Get-InotifyWatcher).Count

        { New-InotifyWatcher -LiteralPath (Join-Path $TestDrive 'missing') -ErrorAction Stop } | Should -Throw -ErrorId 'WatchPathNotFound,InotifyPS.NewInotifyWatcherCommand'

        @(Get-InotifyWatcher).Count | Should -Be $before
    }

    It 'filters a single watch with -Include and -Exclude' {
        $dir = New-TestDirectory
        $w = New-InotifyWatcher -Path $dir -Event CloseWrite -Include '*.txt' -Exclude 'skip*'
        try {
            Set-Content (Join-Path $dir 'a.log') 'no'
            Set-Content (Join-Path $dir 'skip.txt') 'no'
            Set-Content (Join-Path $dir 'b.txt') 'yes'

            $events = @(Wait-InotifyEvent -Watcher $w -Timeout $QuietTimeoutSeconds)
            $events.Name | Should -Be @('b.txt')
        }
        finally {
            Remove-InotifyWatcher $w
        }
    }

    It 'refuses a path of another provider' {
        { New-InotifyWatcher -Path 'env:PATH' -ErrorAction Stop } | Should -Throw -ErrorId 'NotFileSystemPath,InotifyPS.NewInotifyWatcherCommand'
    }

    It 'refuses a source identifier another watcher of the session forwards under' {
        $null = New-InotifyWatcher -SourceIdentifier 'NewInotifyWatcher.Twice'

        { New-InotifyWatcher -SourceIdentifier 'NewInotifyWatcher.Twice' } | Should -Throw -ErrorId 'SourceIdentifierInUse,InotifyPS.NewInotifyWatcherCommand'
    }

    It 'shows the source identifier on the watcher' {
        $w = New-InotifyWatcher -SourceIdentifier 'NewInotifyWatcher.Shown'

        $w.SourceIdentifier | Should -Be 'NewInotifyWatcher.Shown'
        (New-InotifyWatcher).SourceIdentifier | Should -BeNullOrEmpty
    }

    It 'passes -QueueCapacity and -NoRenamePairing to the engine' {
        $w = New-InotifyWatcher -QueueCapacity 123 -NoRenamePairing

        $w.Options.QueueCapacity | Should -Be 123
        $w.Options.PairRenames | Should -BeFalse
        { New-InotifyWatcher -QueueCapacity 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,InotifyPS.NewInotifyWatcherCommand'
    }

    It 'reports what the watches see' {
        $dir = New-TestDirectory
        $w = New-InotifyWatcher -Path $dir -Event Create

        $null = New-Item -ItemType File (Join-Path $dir 'one')

        Wait-Until { $w.QueuedCount -ge 1 } | Should -BeTrue
        $e = Get-InotifyEvent $w
        $e.Kind | Should -Be 'Create'
        $e.Path | Should -Be (Join-Path $dir 'one')
    }
}
