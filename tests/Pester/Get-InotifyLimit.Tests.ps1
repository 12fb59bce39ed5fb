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

    It 'reads the limits of the caller''s user namespace, and a limit error says which and where to raise it' {
        # A user namespace whose own limits are lower than the host's, as in a container.
        $module = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
        $dir = New-TestDirectory
        foreach ($i in 1..25) { $null = New-Item -ItemType Directory (Join-Path $dir "d$i") }
        $script = @"
Import-Module '$module'
`$limit = Get-InotifyLimit
`$w = New-InotifyWatcher
`$w | Add-InotifyWatch -Path '$dir/*' -ErrorVariable errs -ErrorAction SilentlyContinue
[pscustomobject]@{
    Limit = `$limit | Select-Object MaxUserWatches, MaxUserInstances, NamespaceMaxUserWatches, NamespaceMaxUserInstances, EffectiveMaxUserWatches, EffectiveMaxUserInstances, WatchLimitSetting, InstanceLimitSetting
    Watches = `$w.WatchCount
    ErrorId = `$errs[0].FullyQualifiedErrorId
    Message = "`$(`$errs[0])"
    RecommendedAction = `$errs[0].ErrorDetails.RecommendedAction
} | ConvertTo-Json -Depth 3
"@
        $output = & unshare --user --map-root-user sh -c 'echo 20 > /proc/sys/user/max_inotify_watches && echo 9 > /proc/sys/user/max_inotify_instances && exec "$0" "$@"' (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $r = ($output -join "`n") | ConvertFrom-Json

        $r.Limit.MaxUserWatches | Should -Be ([long](Get-Content /proc/sys/fs/inotify/max_user_watches))
        $r.Limit.NamespaceMaxUserWatches | Should -Be 20
        $r.Limit.EffectiveMaxUserWatches | Should -Be 20
        $r.Limit.WatchLimitSetting | Should -Be 'user.max_inotify_watches'
        $r.Limit.NamespaceMaxUserInstances | Should -Be 9
        $r.Limit.EffectiveMaxUserInstances | Should -Be 9
        $r.Limit.InstanceLimitSetting | Should -Be 'user.max_inotify_instances'
        $r.Watches | Should -Be 20
        $r.ErrorId | Should -Be 'WatchLimitReached,InotifyPS.AddInotifyWatchCommand'
        $r.Message | Should -Match 'limit of 20 inotify watches'
        $r.Message | Should -Match '/proc/sys/user/max_inotify_watches'
        $r.RecommendedAction | Should -Match 'user namespace'
    }

    It 'shows the limits and the processes that use the most watches' {
        $null = New-InotifyWatcher -LiteralPath (New-TestDirectory)

        $text = Get-InotifyLimit | Out-String

        $text | Should -Match 'MaxUserWatches\s+:\s+\d+'
        $text | Should -Match "TopProcesses\s+:.*\($PID\)"
    }
}
