Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'Get-InotifyWatcher' {
    BeforeEach {
        Get-InotifyWatcher | Remove-InotifyWatcher
        $plain = New-InotifyWatcher
        $files = New-InotifyWatcher -SourceIdentifier 'GetInotifyWatcher.Files'
        $logs = New-InotifyWatcher -SourceIdentifier 'GetInotifyWatcher.Logs'
    }

    It 'lists the watchers of the session in the order they were made' {
        Get-InotifyWatcher | Should -Be @($plain, $files, $logs)
        Get-InotifyWatcher | Should -BeOfType Inotify.InotifyWatcher
    }

    It 'finds watchers by id' {
        Get-InotifyWatcher -Id $files.Id | Should -Be $files
        Get-InotifyWatcher $logs.Id, $plain.Id | Should -Be @($logs, $plain)
    }

    It 'finds watchers by source identifier, with wildcards' {
        Get-InotifyWatcher -SourceIdentifier 'getinotifywatcher.logs' | Should -Be $logs
        Get-InotifyWatcher -SourceIdentifier 'GetInotifyWatcher.*' | Should -Be @($files, $logs)
        Get-InotifyWatcher -SourceIdentifier 'Nothing*' | Should -BeNullOrEmpty
    }

    It 'reports an id or identifier that matches nothing as WatcherNotFound' {
        { Get-InotifyWatcher -Id 999999 -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherNotFound,InotifyPS.GetInotifyWatcherCommand'
        { Get-InotifyWatcher -SourceIdentifier 'Nothing' -ErrorAction Stop } | Should -Throw -ErrorId 'WatcherNotFound,InotifyPS.GetInotifyWatcherCommand'
    }

    It 'drops watchers that were disposed' {
        $files.Dispose()

        Get-InotifyWatcher | Should -Be @($plain, $logs)
    }

    It 'shows the watchers as a table with their source identifiers' {
        $text = Get-InotifyWatcher | Out-String -Width 200

        $text | Should -Match 'Id\s+Watches\s+Queued\s+Events\s+Dropped\s+Overflows\s+Disposed\s+SourceIdentifier'
        $text | Should -Match 'GetInotifyWatcher\.Files'
    }

    It 'does not see the watchers of another runspace' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement().AddCommand('Get-InotifyWatcher')
            $ps.Invoke() | Should -BeNullOrEmpty
        }
        finally {
            $ps.Dispose()
        }
    }
}
