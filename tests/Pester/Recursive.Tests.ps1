Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Read-Until {
        # Reads a watcher until $Done is true for the events read so far (a possibly empty list); returns them.
        # (Not named $Condition: Wait-Until's own parameter would shadow it inside the script block.)
        param($Watcher, [scriptblock] $Done)
        $events = [System.Collections.Generic.List[object]]::new()
        $null = Wait-Until {
            foreach ($e in @(Get-InotifyEvent $Watcher)) { $events.Add($e) }
            & $Done $events
        }
        , $events
    }
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Recursive watches' {
    BeforeEach {
        $root = New-TestDirectory
    }

    It 'sees files in directories created after the watch' {
        $w = New-InotifyWatcher -LiteralPath $root -Recurse -Event Create, CloseWrite

        $null = Start-Writer -Arguments $root -Script 'mkdir -p "$1/new/deeper" && echo x > "$1/new/deeper/file.txt"'

        $events = Read-Until $w { param($e) $e | Where-Object Path -EQ (Join-Path $root 'new/deeper/file.txt') }
        $events.Path | Should -Contain (Join-Path $root 'new/deeper/file.txt')
        $w.RecursiveWatches[0].DirectoryCount | Should -Be 3
    }

    It 'reports every file created in many brand-new directories' {
        $w = New-InotifyWatcher -LiteralPath $root -Recurse -Event Create
        $dirs = 200

        $null = Start-Writer -Arguments $root, $dirs -Script 'i=0; while [ $i -lt "$2" ]; do mkdir "$1/d$i" && : > "$1/d$i/f"; i=$((i+1)); done'

        $events = Read-Until $w { param($e) @($e | Where-Object Name -EQ 'f').Count -ge $dirs }
        @($events | Where-Object Name -EQ 'f' | Select-Object -ExpandProperty Path -Unique).Count | Should -Be $dirs
        $w.DroppedCount | Should -Be 0
    }

    It 'does not watch excluded directories' {
        $null = New-Item -ItemType Directory (Join-Path $root 'src'), (Join-Path $root 'obj/sub')
        $w = New-InotifyWatcher -LiteralPath $root -Recurse -Exclude 'obj' -Event Create

        $null = Start-Writer -Arguments $root -Script ': > "$1/obj/sub/skip"; : > "$1/src/take"'

        $events = Read-Until $w { param($e) $e | Where-Object Name -EQ 'take' }
        $events.Name | Should -Not -Contain 'skip'
        $w.RecursiveWatches[0].DirectoryCount | Should -Be 2
    }

    It 'reports only included names, while still descending' {
        $null = New-Item -ItemType Directory (Join-Path $root 'a/b')
        $w = New-InotifyWatcher -LiteralPath $root -Recurse -Include '*.txt' -Event Create

        $null = Start-Writer -Arguments $root -Script ': > "$1/a/b/x.log"; : > "$1/a/b/y.txt"'

        $events = Read-Until $w { param($e) $e | Where-Object Name -EQ 'y.txt' }
        $events.Name | Should -Not -Contain 'x.log'
    }

    It 'keeps following a directory renamed inside the tree' {
        $null = New-Item -ItemType Directory (Join-Path $root 'before')
        $w = New-InotifyWatcher -LiteralPath $root -Recurse -Event Create, Move

        $null = Start-Writer -Arguments $root -Script 'mv "$1/before" "$1/after" && : > "$1/after/inside"'

        $events = Read-Until $w { param($e) $e | Where-Object Path -EQ (Join-Path $root 'after/inside') }
        $renamed = @($events | Where-Object Kind -EQ 'Renamed')
        $renamed.Count | Should -Be 1
        $renamed[0].OldPath | Should -Be (Join-Path $root 'before')
        $renamed[0].IsDirectory | Should -BeTrue
    }

    It 'shows progress while a large tree is being watched, then completes it' {
        $dirs = 20000
        foreach ($i in 0..($dirs / 100 - 1)) {
            foreach ($j in 0..99) { $null = [System.IO.Directory]::CreateDirectory((Join-Path $root "d$i/e$j")) }
        }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().
                AddCommand('New-InotifyWatcher').AddParameter('LiteralPath', $root).AddParameter('Recurse')
            $elapsed = Measure-Command { $w = $ps.Invoke() }
            $w[0].RecursiveWatches[0].DirectoryCount | Should -Be ($dirs + $dirs / 100 + 1)
            $w[0].Dispose()

            $progress = @($ps.Streams.Progress)
            if ($elapsed.TotalSeconds -lt 0.5) {
                Set-ItResult -Inconclusive -Because "the walk took only $($elapsed.TotalMilliseconds) ms, too quick for progress"
                return
            }
            $progress.Count | Should -BeGreaterThan 1
            $progress[0].Activity | Should -BeLike "Watching $root*"
            $progress[0].StatusDescription | Should -Match '\d+ directories watched'
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally {
            $ps.Dispose()
            [System.IO.Directory]::Delete($root, $true)
        }
    }
}
