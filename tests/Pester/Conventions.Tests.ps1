Set-StrictMode -Version Latest

# The PowerShell conventions a user tries first: wildcards, completion, pipeline binding, default parameter values,
# readable objects and messages, and parameters that do not go together.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Read-UntilMarker {
        # Reads $Watcher until an event named $Marker came; returns the names of the events before it.
        param($Watcher, [string] $Marker)
        $events = [System.Collections.Generic.List[object]]::new()
        $null = Wait-Until { $events.AddRange(@(Get-InotifyEvent $Watcher)); @($events | ForEach-Object Name) -contains $Marker }
        $names = @($events | ForEach-Object Name)
        $names -contains $Marker | Should -BeTrue -Because 'the marker event arrives'
        @($names | Select-Object -First ([array]::IndexOf($names, $Marker)))
    }
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe '-Include and -Exclude' {
    BeforeEach {
        $dir = New-TestDirectory
        $control = New-TestDirectory
        $names = 'a1.txt', 'b2.TXT', 'c3.txt', 'B4.log', '[x]5.txt', 'x6.txt'
        foreach ($n in $names) { [System.IO.File]::WriteAllText((Join-Path $dir $n), '') }
    }

    It 'select the names Get-ChildItem -Include <Pattern> selects' -ForEach @(
        @{ Pattern = '[ab]*' }, @{ Pattern = '*.TXT' }, @{ Pattern = '`[x`]*' }, @{ Pattern = '?6.TXT' }
    ) {
        $expected = @((Get-ChildItem -Path (Join-Path $dir '*') -Include $Pattern).Name | Sort-Object)
        $expected.Count | Should -BeGreaterThan 0
        # One watcher, so one kernel queue: the control directory's marker comes after every write before it.
        $w = New-InotifyWatcher -LiteralPath $dir -Event CloseWrite -Include $Pattern
        $w | Add-InotifyWatch -LiteralPath $control -Event CloseWrite

        foreach ($n in $names) { [System.IO.File]::AppendAllText((Join-Path $dir $n), 'x') }
        [System.IO.File]::WriteAllText((Join-Path $control 'marker'), '')

        @(Read-UntilMarker $w 'marker' | Sort-Object) | Should -Be $expected
    }

    It 'leave out the names Get-ChildItem -Exclude <Pattern> leaves out, and do not watch such directories' -ForEach @(
        @{ Pattern = '[ab]*' }, @{ Pattern = '*.TXT' }
    ) {
        $expected = @((Get-ChildItem -Path (Join-Path $dir '*') -Exclude $Pattern).Name | Sort-Object)
        $null = New-Item -ItemType Directory (Join-Path $dir 'A.dir'), (Join-Path $dir 'c.dir')
        $w = New-InotifyWatcher -LiteralPath $dir -Recurse -Event CloseWrite -Exclude $Pattern
        $w | Add-InotifyWatch -LiteralPath $control -Event CloseWrite

        foreach ($n in $names) { [System.IO.File]::AppendAllText((Join-Path $dir $n), 'x') }
        [System.IO.File]::WriteAllText((Join-Path $control 'marker'), '')

        @(Read-UntilMarker $w 'marker' | Sort-Object) | Should -Be $expected
        $watched = @(Get-InotifyWatch $w | Where-Object { $_ -is [Inotify.RecursiveWatch] })[0]
        $watched.DirectoryCount | Should -Be ($(if ($Pattern -eq '[ab]*') { 2 } else { 3 }))
    }

    It 'match a pattern with / against the path relative to the watched root, ignoring case (* crosses /, as in -like)' {
        $null = New-Item -ItemType Directory (Join-Path $dir 'Sub/deep'), (Join-Path $dir 'other')
        $w = New-InotifyWatcher -LiteralPath $dir -Recurse -Event CloseWrite -Include 'sub/*.TXT'
        $w | Add-InotifyWatch -LiteralPath $control -Event CloseWrite

        foreach ($p in 'Sub/in.txt', 'Sub/deep/deeper.txt', 'other/out.txt', 'top.txt') { [System.IO.File]::WriteAllText((Join-Path $dir $p), 'x') }
        [System.IO.File]::WriteAllText((Join-Path $control 'marker'), '')

        Read-UntilMarker $w 'marker' | Should -Be @('in.txt', 'deeper.txt')
    }

    It 'refuse an invalid pattern with an error naming it' {
        { New-InotifyWatcher -LiteralPath $dir -Include 'a[' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidWildcardPattern,InotifyPS.NewInotifyWatcherCommand'
        $err = $null
        try { New-InotifyWatcher -LiteralPath $dir -Include 'a[' -ErrorAction Stop } catch { $err = $_ }
        $err.TargetObject | Should -Be 'a['
    }
}

Describe 'Completion and pipeline binding' {
    It 'completes -Id and -SourceIdentifier from the session''s watchers' {
        $w = New-InotifyWatcher -SourceIdentifier 'Conventions.Complete Me'

        foreach ($line in 'Remove-InotifyWatcher -Id ', 'Get-InotifyWatcher -Id ') {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain "$($w.Id)"
        }
        foreach ($line in 'Remove-InotifyWatcher -SourceIdentifier Conventions.Comp', 'Get-InotifyWatcher -SourceIdentifier conventions.') {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @("'Conventions.Complete Me'")
        }
        Remove-InotifyWatcher $w
    }

    It 'removes the watcher whose Id a piped object carries' {
        $w = New-InotifyWatcher

        [pscustomobject]@{ Id = $w.Id } | Remove-InotifyWatcher

        $w.IsDisposed | Should -BeTrue
    }

    It 'takes -Event from $PSDefaultParameterValues in every parameter set' {
        $dir = New-TestDirectory
        $PSDefaultParameterValues = @{
            'New-InotifyWatcher:Event' = 'CloseWrite'
            'Add-InotifyWatch:Event' = 'CloseWrite'
            'Wait-InotifyEvent:Event' = 'CloseWrite'
        }
        $w = New-InotifyWatcher -LiteralPath $dir
        $all = New-InotifyWatcher -LiteralPath $dir -Event All
        $w.Watches[0].Mask | Should -Be 'CloseWrite'

        [System.IO.File]::WriteAllText((Join-Path $dir 'f'), 'x')

        @($w | Wait-InotifyEvent -Count 1 -Timeout $EventTimeoutSeconds).Kind | Should -Be 'CloseWrite'
        # A watcher that reports everything: the default -Event selects what Wait-InotifyEvent writes.
        @($all | Wait-InotifyEvent -Count 1 -Timeout $EventTimeoutSeconds).Kind | Should -Be 'CloseWrite'
        $all.QueuedCount | Should -Be 0
    }
}

Describe 'Readable objects and messages' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    It 'prints a watcher, a watch and a recursive watch so a person can tell them apart' {
        $w = New-InotifyWatcher -LiteralPath $dir
        $tree = $w | Add-InotifyWatch -LiteralPath (New-Item -ItemType Directory (Join-Path $dir 'tree')).FullName -Recurse -PassThru

        "$w" | Should -Be "InotifyWatcher #$($w.Id) (2 watches)"
        "$($w.Watches | Where-Object Path -EQ $dir)" | Should -Be $dir
        "$tree" | Should -Be "$(Join-Path $dir 'tree') (recursive, 1 directory, Active)"
        Remove-InotifyWatcher $w
        "$w" | Should -Be "InotifyWatcher #$($w.Id) (disposed)"
    }

    It 'says with -Verbose what was watched: directories, mask and filters' {
        $null = New-Item -ItemType Directory (Join-Path $dir 'a/b')
        $w = New-InotifyWatcher

        $verbose = $w | Add-InotifyWatch -LiteralPath $dir -Recurse -Event Create, CloseWrite -Include '*.cs' -Exclude obj -Verbose 4>&1

        $text = ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"
        $text | Should -Match ([regex]::Escape($dir))
        $text | Should -Match '3 directories'
        $text | Should -Match 'CloseWrite, Create'
        $text | Should -Match 'include \*\.cs'
        $text | Should -Match 'exclude obj'
    }

    It 'converts a watcher and its watches to JSON in size linear in the watches (no back-references)' {
        foreach ($i in 1..100) { $null = [System.IO.Directory]::CreateDirectory((Join-Path $dir "d$i")) }
        $w = New-InotifyWatcher -LiteralPath $dir -Recurse
        $watch = $w.Watches[0]

        $json = $w | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue
        $one = $watch | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue

        # Each watch appears once in the watcher's Watches, and the tree's root once more.
        ([regex]::Matches($json, '"Descriptor":')).Count | Should -Be ($w.WatchCount + 1)
        ([regex]::Matches($one, '"Descriptor":')).Count | Should -Be 1
        $watch.WatcherId | Should -Be $w.Id
        $w.RecursiveWatches[0].Options.Progress | Should -BeNullOrEmpty -Because 'the walk is over; the cmdlet it reported to is not kept'
    }
}

Describe 'Names and paths with wildcard characters' {
    BeforeEach {
        $dir = New-TestDirectory
        $bracket = New-InotifyWatcher -SourceIdentifier 'Conventions.Build[1]'
        $plain = New-InotifyWatcher -SourceIdentifier 'Conventions.Build1'
    }

    AfterEach {
        Get-InotifyWatcher | Remove-InotifyWatcher
    }

    It 'select by exact source identifier first, as Get-Job -Name does' {
        Get-InotifyWatcher -SourceIdentifier 'Conventions.Build[1]' | Should -Be $bracket

        Remove-InotifyWatcher -SourceIdentifier 'Conventions.Build[1]'

        $bracket.IsDisposed | Should -BeTrue
        $plain.IsDisposed | Should -BeFalse
        Get-InotifyWatcher -SourceIdentifier 'Conventions.Build[1]' | Should -Be $plain -Because 'without an exact match the pattern applies'
    }

    It 'select watches by exact path first' {
        $a1 = (New-Item -ItemType Directory (Join-Path $dir 'a1')).FullName
        $ab = (New-Item -ItemType Directory -Path (Join-Path $dir 'a[1]')).FullName
        $w = New-InotifyWatcher -LiteralPath $a1, $ab

        (Get-InotifyWatch $w -Path $ab).Path | Should -Be $ab
        Remove-InotifyWatch -Watcher $w -Path $ab
        @($w.Watches | Where-Object IsActive).Path | Should -Be @($a1)
    }

    It 'report an invalid pattern as InvalidWildcardPattern with the pattern as target' {
        $w = New-InotifyWatcher -LiteralPath $dir
        $cases = @(
            @{ Command = { Get-InotifyWatcher -SourceIdentifier 'Build[' -ErrorAction Stop }; Id = 'GetInotifyWatcherCommand' }
            @{ Command = { Remove-InotifyWatcher -SourceIdentifier 'Build[' -ErrorAction Stop }; Id = 'RemoveInotifyWatcherCommand' }
            @{ Command = { Get-InotifyWatch $w -Path "$dir/[" -ErrorAction Stop }; Id = 'GetInotifyWatchCommand' }
            @{ Command = { Remove-InotifyWatch -Watcher $w -Path "$dir/[" -ErrorAction Stop }; Id = 'RemoveInotifyWatchCommand' }
        )
        foreach ($case in $cases) {
            $err = $null
            try { & $case.Command } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "InvalidWildcardPattern,InotifyPS.$($case.Id)"
            $err.TargetObject.EndsWith('[') | Should -BeTrue -Because "the target is the pattern ($($err.TargetObject))"
        }
        $w.WatchCount | Should -Be 1
    }
}

Describe 'Parameters that are refused rather than ignored' {
    BeforeEach {
        $dir = New-TestDirectory
    }

    It 'New-InotifyWatcher whose every path failed leaves no watcher behind' {
        $before = @(Get-InotifyWatcher).Count
        $instances = Get-ProcessInotifyInstances

        $w = New-InotifyWatcher -LiteralPath (Join-Path $dir 'missing') -ErrorVariable errs -ErrorAction SilentlyContinue

        $w | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'WatchPathNotFound,InotifyPS.NewInotifyWatcherCommand'
        @(Get-InotifyWatcher).Count | Should -Be $before
        Get-ProcessInotifyInstances | Should -Be $instances
    }

    It 'refuses -BatchSize and -MessageData without -SourceIdentifier' {
        { New-InotifyWatcher -LiteralPath $dir -BatchSize 100 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.NewInotifyWatcherCommand'
        { New-InotifyWatcher -LiteralPath $dir -MessageData 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterConflict,InotifyPS.NewInotifyWatcherCommand'
    }

    It 'refuses -Event <Event> in <Command>, since it is not an event to ask for' -ForEach @(
        @{ Event = 'IsDirectory'; Command = 'New-InotifyWatcher' }
        @{ Event = 'Ignored'; Command = 'Add-InotifyWatch' }
        @{ Event = 'QueueOverflow'; Command = 'Wait-InotifyEvent' }
        @{ Event = 'CloseWrite, Ignored'; Command = 'New-InotifyWatcher' }
    ) {
        $w = New-InotifyWatcher
        $run = switch ($Command) {
            'New-InotifyWatcher' { { New-InotifyWatcher -LiteralPath $dir -Event $Event } }
            'Add-InotifyWatch' { { $w | Add-InotifyWatch -LiteralPath $dir -Event $Event } }
            'Wait-InotifyEvent' { { Wait-InotifyEvent -LiteralPath $dir -Event $Event -Timeout 0 } }
        }

        $run | Should -Throw -ErrorId "ParameterArgumentValidationError,InotifyPS.$($Command -replace '-')Command"
        $w.WatchCount | Should -Be 0
    }

    It 'Get-InotifyWatch and Remove-InotifyWatch -Path report a disposed watcher as WatcherDisposed' {
        $w = New-InotifyWatcher -LiteralPath $dir
        Remove-InotifyWatcher $w

        { Get-InotifyWatch $w -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.GetInotifyWatchCommand'
        { Remove-InotifyWatch -Watcher $w -LiteralPath $dir -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherDisposed,InotifyPS.RemoveInotifyWatchCommand'
    }

    It 'names what InstanceLimitReached is about, with the remedy as RecommendedAction' {
        # Lowers fs.inotify.max_user_instances for a moment: run by hand only under flock /tmp/inotifyps-tests.lock.
        $original = Set-InotifySysctl max_user_instances 0
        try {
            $err = $null
            try { New-InotifyWatcher -LiteralPath $dir -ErrorAction Stop } catch { $err = $_ }
        }
        finally {
            $null = Set-InotifySysctl max_user_instances $original
        }

        $err.FullyQualifiedErrorId | Should -Be 'InstanceLimitReached,InotifyPS.NewInotifyWatcherCommand'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.TargetObject | Should -Be 'fs.inotify.max_user_instances'
        $err.ErrorDetails.RecommendedAction | Should -Match 'sysctl fs\.inotify\.max_user_instances=\d+'
    }
}
