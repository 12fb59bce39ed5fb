Set-StrictMode -Version Latest

# Recursive watches that could not watch every directory say so, the same way in the three cmdlets that make them.
# Some tests here lower fs.inotify.max_user_watches for a moment (restored in finally): run them by hand only under
# the shared lock, flock /tmp/inotifyps-tests.lock (the full test command holds it).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Set-MaxUserWatches {
        # Lets only about $Spare more watches fit for this user; returns the value to restore.
        param([int] $Spare)
        Set-InotifySysctl max_user_watches ((Get-InotifyLimit).VisibleWatches + $Spare)
    }
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Directories a recursive watch cannot watch' {
    BeforeEach {
        $root = New-TestDirectory
    }

    It 'are one PermissionDenied error naming the directory, from Add-InotifyWatch, New-InotifyWatcher and Wait-InotifyEvent' {
        $null = New-Item -ItemType Directory (Join-Path $root 'open/deeper'), (Join-Path $root 'locked')
        $locked = Join-Path $root 'locked'
        chmod 000 $locked
        try {
            $result = Invoke-Unprivileged @"
`$report = foreach (`$command in 'Add-InotifyWatch', 'New-InotifyWatcher', 'Wait-InotifyEvent') {
    `$errs = `$null
    `$written = switch (`$command) {
        'Add-InotifyWatch' { New-InotifyWatcher | Add-InotifyWatch -LiteralPath '$root' -Recurse -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue }
        'New-InotifyWatcher' { New-InotifyWatcher -LiteralPath '$root' -Recurse -ErrorVariable errs -ErrorAction SilentlyContinue }
        'Wait-InotifyEvent' { Wait-InotifyEvent -LiteralPath '$root' -Recurse -Timeout 0 -ErrorVariable errs -ErrorAction SilentlyContinue }
    }
    [pscustomobject]@{
        Command = `$command
        Errors = @(`$errs | ForEach-Object { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Target = [string]`$_.TargetObject; Category = [string]`$_.CategoryInfo.Category } })
        WatchFailedEvents = @(`$written | Where-Object { `$_ -is [Inotify.InotifyEvent] -and `$_.Kind -eq 'WatchFailed' }).Count
    }
}
ConvertTo-Json -InputObject @(`$report) -Depth 4
"@
        }
        finally {
            chmod 755 $locked
        }

        $result.Count | Should -Be 3
        foreach ($r in $result) {
            $r.Errors.Count | Should -Be 1 -Because "$($r.Command) reports the one unwatched directory once"
            $r.Errors[0].Id | Should -Be "PermissionDenied,InotifyPS.$($r.Command -replace '-')Command"
            $r.Errors[0].Target | Should -Be $locked
            $r.Errors[0].Category | Should -Be 'PermissionDenied'
            $r.WatchFailedEvents | Should -Be 0 -Because 'the error already said it; Wait-InotifyEvent does not write it again as an event'
        }
    }

    It 'past max_user_watches are a few WatchLimitReached errors and one summary naming the sysctl, and the rest keeps reporting' {
        foreach ($i in 1..300) { $null = [System.IO.Directory]::CreateDirectory((Join-Path $root "d$i")) }
        $original = Set-MaxUserWatches -Spare 40
        try {
            $w = New-InotifyWatcher -LiteralPath $root -Recurse -Event Create -ErrorVariable errs -ErrorAction SilentlyContinue
            $tree = $w.RecursiveWatches[0]
            $unwatched = $tree.UnwatchedDirectories.Count

            $null = New-Item -ItemType File (Join-Path $root 'still-reported')
            $null = New-Item -ItemType Directory (Join-Path $root 'later')
            $events = [System.Collections.Generic.List[object]]::new()
            $null = Wait-Until { $events.AddRange(@(Get-InotifyEvent $w)); $events.Count -gt 0 -and $events.Path -contains (Join-Path $root 'later') -and $events.Kind -contains 'WatchFailed' }
        }
        finally {
            $null = Set-InotifySysctl max_user_watches $original
        }

        $unwatched | Should -BeGreaterThan 200
        $errs.Count | Should -BeLessOrEqual 11 -Because 'a capped list plus one summary, never one record per directory'
        $errs[0].FullyQualifiedErrorId | Should -Be 'WatchLimitReached,InotifyPS.NewInotifyWatcherCommand'
        $errs[0].TargetObject | Should -BeLike "$root/d*"
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        "$($errs[0])" | Should -Match 'max_user_watches'
        $errs[0].ErrorDetails.RecommendedAction | Should -Match 'sysctl fs\.inotify\.max_user_watches=\d+'
        $summary = $errs[-1]
        $summary.FullyQualifiedErrorId | Should -Be 'DirectoriesNotWatched,InotifyPS.NewInotifyWatcherCommand'
        $summary.TargetObject | Should -Be $root
        "$summary" | Should -Match "$($unwatched - ($errs.Count - 1)) more directories"
        "$summary" | Should -Match 'fs\.inotify\.max_user_watches'
        $summary.ErrorDetails.RecommendedAction | Should -Match 'sysctl fs\.inotify\.max_user_watches=\d+'

        $events.Path | Should -Contain (Join-Path $root 'still-reported')
        $failed = @($events | Where-Object Kind -EQ 'WatchFailed')
        $failed.Path | Should -Contain (Join-Path $root 'later')
        ($failed | Where-Object Path -EQ (Join-Path $root 'later')).Message | Should -Match 'max_user_watches'
    }

    It 'that become unwatchable later reach a -SourceIdentifier watcher''s engine events like its other events' {
        $original = Set-MaxUserWatches -Spare 3
        try {
            $w = New-InotifyWatcher -LiteralPath $root -Recurse -Event Create -SourceIdentifier 'PartialFailures.Later'
            foreach ($i in 1..5) { $null = New-Item -ItemType Directory (Join-Path $root "new$i") }
            $found = @{}
            $null = Wait-Until {
                $e = Wait-Event -SourceIdentifier 'PartialFailures.Later' -Timeout 1
                if ($e) {
                    Remove-Event -EventIdentifier $e.EventIdentifier
                    if ($e.SourceEventArgs.Kind -eq 'WatchFailed') { $found.Event = $e.SourceEventArgs }
                }
                $found.ContainsKey('Event')
            }
        }
        finally {
            $null = Set-InotifySysctl max_user_watches $original
            Remove-InotifyWatcher -SourceIdentifier 'PartialFailures.Later'
            Get-Event -SourceIdentifier 'PartialFailures.Later' -ErrorAction Ignore | Remove-Event
        }

        $found.Event | Should -Not -BeNullOrEmpty
        $found.Event.Path | Should -BeLike "$root/new*"
        $found.Event.Message | Should -Match 'max_user_watches'
    }
}

Describe 'A second path to an object already watched' {
    BeforeEach {
        $dir = New-TestDirectory
        $link = Join-Path $TestDrive "link-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $dir
    }

    It 'warns, naming both paths, for a single watch' {
        $w = New-InotifyWatcher -LiteralPath $dir

        $w | Add-InotifyWatch -LiteralPath $link -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match ([regex]::Escape($link))
        "$($warnings[0])" | Should -Match ([regex]::Escape($dir))
    }

    It 'warns, naming both paths, for a recursive watch and for Wait-InotifyEvent' {
        $w = New-InotifyWatcher -LiteralPath $dir -Recurse

        $w | Add-InotifyWatch -LiteralPath $link -Recurse -WarningVariable w1 -WarningAction SilentlyContinue
        Wait-InotifyEvent -LiteralPath $dir, $link -Timeout 0 -WarningVariable w2 -WarningAction SilentlyContinue

        foreach ($warnings in $w1, $w2) {
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match ([regex]::Escape($link))
            "$($warnings[0])" | Should -Match ([regex]::Escape($dir))
        }
    }
}
