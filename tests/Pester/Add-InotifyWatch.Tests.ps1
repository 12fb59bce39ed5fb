Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Add-InotifyWatch' {
    BeforeEach {
        $w = New-InotifyWatcher
        $dir = New-TestDirectory
    }

    It 'takes the watcher from the pipeline and returns the watch with -PassThru' {
        $watch = $w | Add-InotifyWatch -Path $dir -PassThru

        $watch | Should -BeOfType Inotify.InotifyWatch
        $watch.Path | Should -Be $dir
        $watch.WatcherId | Should -Be $w.Id
    }

    It 'writes nothing without -PassThru' {
        $w | Add-InotifyWatch -Path $dir | Should -BeNullOrEmpty
        $w.WatchCount | Should -Be 1
    }

    It 'takes paths from the pipeline by property name' {
        1..3 | ForEach-Object { $null = New-Item -ItemType Directory (Join-Path $dir "d$_") }

        Get-ChildItem -LiteralPath $dir -Directory | Add-InotifyWatch -Watcher $w

        @($w.Watches.Path | Sort-Object) | Should -Be @(1..3 | ForEach-Object { Join-Path $dir "d$_" })
    }

    It 'resolves paths relative to the current location' {
        Push-Location -LiteralPath $dir
        try {
            $null = New-Item -ItemType Directory 'rel'
            ($w | Add-InotifyWatch -Path ./rel -PassThru).Path | Should -Be (Join-Path $dir 'rel')
        }
        finally {
            Pop-Location
        }
    }

    It 'resolves ~ and PowerShell drives' {
        ($w | Add-InotifyWatch -LiteralPath ~ -PassThru).Path | Should -Be ([Environment]::GetFolderPath('UserProfile'))

        $null = New-PSDrive -Name InotifyPSTest -PSProvider FileSystem -Root $dir
        try {
            $null = New-Item -ItemType Directory (Join-Path $dir 'onDrive')
            ($w | Add-InotifyWatch -Path 'InotifyPSTest:/onDrive' -PassThru).Path | Should -Be (Join-Path $dir 'onDrive')
        }
        finally {
            Remove-PSDrive -Name InotifyPSTest
        }
    }

    It 'expands wildcards for -Path only' {
        $null = New-Item -ItemType Directory (Join-Path $dir 'x1'), (Join-Path $dir 'x2')

        @($w | Add-InotifyWatch -Path (Join-Path $dir 'x*') -PassThru).Count | Should -Be 2
        { $w | Add-InotifyWatch -LiteralPath (Join-Path $dir 'x*') -ErrorAction Stop } | Should -Throw -ErrorId 'WatchPathNotFound,InotifyPS.AddInotifyWatchCommand'
        { $w | Add-InotifyWatch -Path (Join-Path $dir 'nothing*') -ErrorAction Stop } | Should -Throw -ErrorId 'WatchPathNotFound,InotifyPS.AddInotifyWatchCommand'
    }

    It 'adds the good paths when one of several is bad' {
        $missing = Join-Path $dir 'missing'
        $other = (New-Item -ItemType Directory (Join-Path $dir 'other')).FullName

        $added = @($w | Add-InotifyWatch -LiteralPath $dir, $missing, $other -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)

        $added.Path | Should -Be @($dir, $other)
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'WatchPathNotFound,InotifyPS.AddInotifyWatchCommand'
        $failures[0].TargetObject | Should -Be $missing
    }

    It 'reports -OnlyDirectory on a file as NotADirectory' {
        $file = (New-Item -ItemType File (Join-Path $dir 'file')).FullName

        { $w | Add-InotifyWatch -Path $file -OnlyDirectory -ErrorAction Stop } | Should -Throw -ErrorId 'NotADirectory,InotifyPS.AddInotifyWatchCommand'
        $w | Add-InotifyWatch -Path $file -OnlyDirectory -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].TargetObject | Should -Be $file
    }

    It 'reports -Exclusive on a watched object as AlreadyWatched' {
        $w | Add-InotifyWatch -Path $dir

        { $w | Add-InotifyWatch -Path $dir -Exclusive -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyWatched,InotifyPS.AddInotifyWatchCommand'
    }

    It 'merges masks with -Merge and replaces them without' {
        $w | Add-InotifyWatch -Path $dir -Event Create
        ($w | Add-InotifyWatch -Path $dir -Event Delete -Merge -PassThru).Mask | Should -Be ([Inotify.InotifyEventMask]'Create, Delete')
    }

    It 'ends a -OneShot watch after its first event' {
        $watch = $w | Add-InotifyWatch -Path $dir -Event Create -OneShot -PassThru
        $watch.Flags | Should -Be 'OneShot'

        $null = New-Item -ItemType File (Join-Path $dir 'a'), (Join-Path $dir 'b')

        Wait-Until { -not $watch.IsActive } | Should -BeTrue
        @(Get-InotifyEvent $w | Where-Object Kind -EQ 'Create').Count | Should -Be 1
    }

    It 'watches a symbolic link itself with -NoFollow' {
        $link = New-Item -ItemType SymbolicLink -Path (Join-Path $TestDrive "link$([guid]::NewGuid().ToString('N'))") -Target $dir

        ($w | Add-InotifyWatch -LiteralPath $link.FullName -NoFollow -PassThru).Flags | Should -Be 'NoFollow'
    }

    It 'adds a recursive watch with -Recurse' {
        $null = New-Item -ItemType Directory (Join-Path $dir 'a/b')

        $tree = $w | Add-InotifyWatch -Path $dir -Recurse -PassThru

        $tree | Should -BeOfType Inotify.RecursiveWatch
        $tree.DirectoryCount | Should -Be 3
    }

    It 'refuses switches that do not go together' {
        { $w | Add-InotifyWatch -Path $dir -Recurse -OneShot } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.AddInotifyWatchCommand'
    }

    It 'reports a disposed watcher as WatcherDisposed' {
        Remove-InotifyWatcher $w

        { $w | Add-InotifyWatch -Path $dir -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.AddInotifyWatchCommand'
    }

    It 'reports an unreadable directory as PermissionDenied' {
        # In a child pwsh that file permissions apply to, even as root (see Invoke-Unprivileged).
        $locked = New-Item -ItemType Directory (Join-Path $dir 'locked')
        chmod 000 $locked.FullName
        try {
            $r = Invoke-Unprivileged @"
try { New-InotifyWatcher | Add-InotifyWatch -LiteralPath '$($locked.FullName)' -ErrorAction Stop; 'null' }
catch { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Target = [string]`$_.TargetObject } | ConvertTo-Json }
"@
        }
        finally {
            chmod 755 $locked.FullName
        }

        $r.Id | Should -Be 'PermissionDenied,InotifyPS.AddInotifyWatchCommand'
        $r.Target | Should -Be $locked.FullName
    }

    It 'leaves nothing half-built when stopped (Ctrl+C) during the walk of a large tree' {
        $root = New-TestDirectory
        foreach ($i in 0..199) {
            foreach ($j in 0..99) { $null = [System.IO.Directory]::CreateDirectory((Join-Path $root "d$i/e$j")) }
        }
        $kernelWatches = (Get-InotifyLimit).ProcessWatches
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().
                AddCommand('Add-InotifyWatch').AddParameter('Watcher', $w).AddParameter('LiteralPath', $root).AddParameter('Recurse')
            $async = $ps.BeginInvoke()
            Wait-Until { $w.WatchCount -ge 100 } | Should -BeTrue

            $ps.Stop()

            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $w.RecursiveWatches.Count | Should -Be 0
            $w.WatchCount | Should -Be 0
            Wait-Until { (Get-InotifyLimit).ProcessWatches -eq $kernelWatches } | Should -BeTrue -Because 'the kernel holds none of its watches'
            $null = $async
        }
        finally {
            $ps.Dispose()
            [System.IO.Directory]::Delete($root, $true)
        }
    }

    It 'completes -Event values from the mask enum' {
        $line = 'Add-InotifyWatch -Event Close'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText

        $completions | Should -Contain 'CloseWrite'
        $completions | Should -Contain 'CloseNoWrite'
    }
}
