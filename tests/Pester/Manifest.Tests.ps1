Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $ManifestPath = Join-Path $ModulePath 'InotifyPS.psd1'
    $Manifest = Import-PowerShellDataFile $ManifestPath
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
}

Describe 'The module' {
    It 'has a valid manifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'is the manifest at the root of the repository' {
        Get-Content -Raw $ManifestPath | Should -Be (Get-Content -Raw (Join-Path $PSScriptRoot '../../InotifyPS.psd1'))
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $commands = Get-Command -Module InotifyPS

        @($commands.Name | Sort-Object) | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        $commands.CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
    }

    It 'declares Core, PowerShell 7.4 and its gallery data' {
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
        $Manifest.PowerShellVersion | Should -Be '7.4'
        $Manifest.PrivateData.PSData.Tags | Should -Contain 'Linux'
        $Manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $Manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'has the manifest''s version in its assemblies' {
        $version = [version]$Manifest.ModuleVersion
        $assembly = [InotifyPS.InotifyCmdlet].Assembly.GetName().Version

        [version]::new($assembly.Major, $assembly.Minor, $assembly.Build) | Should -Be $version
        (Get-Module InotifyPS).Version | Should -Be $version
    }

    It 'declares an output type for every cmdlet' {
        foreach ($command in Get-Command -Module InotifyPS) {
            $command.OutputType | Should -Not -BeNullOrEmpty -Because "$($command.Name) should declare OutputType"
        }
    }

    It 'brings its own formats and type data' {
        Get-FormatData -TypeName Inotify.InotifyEvent | Should -Not -BeNullOrEmpty
        Get-FormatData -TypeName Inotify.InotifyWatcher | Should -Not -BeNullOrEmpty
        (Get-TypeData -TypeName Inotify.InotifyWatcher).Members.Keys | Should -Contain 'SourceIdentifier'
    }

    It 'does not ship PowerShell itself' {
        Get-ChildItem -LiteralPath $ModulePath -Recurse -Filter 'System.Management.Automation*' | Should -BeNullOrEmpty
    }

    It 'has help for every cmdlet' {
        Join-Path $ModulePath 'en-US/InotifyPS.dll-Help.xml' | Should -Exist
        foreach ($command in Get-Command -Module InotifyPS) {
            (Get-Help $command.Name).Synopsis | Should -Not -BeLike "*$($command.Name)*[[]*" -Because "$($command.Name) should have a synopsis"
        }
    }

    It 'disposes the session''s watchers when it is removed' {
        $w = New-InotifyWatcher -SourceIdentifier 'Manifest.Removal'

        Remove-Module InotifyPS
        try {
            $w.IsDisposed | Should -BeTrue
            @(Get-EventSubscriber -Force | Where-Object SourceIdentifier -Like 'InotifyPS.Acknowledge.*').Count | Should -Be 0
        }
        finally {
            Import-Module $ModulePath -Force
        }
    }
}
