Set-StrictMode -Version Latest

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A user of the PowerShell Gallery: publish the built module to a file repository, install it by name and
    # import it by name, in pwsh processes whose HOME is a scratch folder, so neither PSResourceGet's repository
    # list nor the installed module touches the real user's.
    function Invoke-PwshAsNewUser {
        param([Parameter(Mandatory)] [string] $UserHome, [Parameter(Mandatory)] [string] $Command)
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Command) { $psi.ArgumentList.Add($a) }
        $psi.WorkingDirectory = $UserHome
        $psi.Environment['HOME'] = $UserHome
        $psi.Environment['XDG_DATA_HOME'] = Join-Path $UserHome '.local/share'
        $psi.Environment['XDG_CONFIG_HOME'] = Join-Path $UserHome '.config'
        $psi.Environment['XDG_CACHE_HOME'] = Join-Path $UserHome '.cache'
        $null = $psi.Environment.Remove('PSModulePath')
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Errors = $stderr.Result }
    }
}

Describe 'The package' {
    BeforeAll {
        $userHome = New-TestDirectory 'home'
        $repository = New-TestDirectory 'repository'
        $version = (Import-PowerShellDataFile (Join-Path $ModulePath 'InotifyPS.psd1')).ModuleVersion
        $publish = Invoke-PwshAsNewUser -UserHome $userHome -Command @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name InotifyPSTest -Uri '$repository' -Trusted
Publish-PSResource -Path '$ModulePath' -Repository InotifyPSTest
Install-PSResource -Name InotifyPS -Repository InotifyPSTest -Scope CurrentUser
"@
        # Import by name only, in a new process: what a user does after Install-PSResource.
        $use = Invoke-PwshAsNewUser -UserHome $userHome -Command @'
$ErrorActionPreference = 'Stop'
Import-Module InotifyPS
$m = Get-Module InotifyPS
[pscustomobject]@{
    Path = $m.Path
    Version = "$($m.Version)"
    Commands = @(Get-Command -Module InotifyPS | Sort-Object Name | ForEach-Object Name)
    Synopsis = (Get-Help Wait-InotifyEvent).Synopsis
    Examples = @((Get-Help Wait-InotifyEvent).examples.example).Count
    About = @(Get-Help about_InotifyPS).Count
} | ConvertTo-Json -Compress
'@
    }

    It 'publishes to a file repository and installs with Install-PSResource' {
        $publish.ExitCode | Should -Be 0 -Because $publish.Errors
        Join-Path $repository "InotifyPS.$version.nupkg" | Should -Exist
    }

    It 'imports by name in a new pwsh, with every cmdlet and its help' {
        $use.ExitCode | Should -Be 0 -Because $use.Errors
        $module = $use.Output | ConvertFrom-Json
        $module.Path | Should -BeLike "$userHome/*"
        $module.Version | Should -Be $version
        $module.Commands | Should -Be @((Import-PowerShellDataFile (Join-Path $ModulePath 'InotifyPS.psd1')).CmdletsToExport | Sort-Object)
        $module.Synopsis | Should -Not -BeLike '*Wait-InotifyEvent*[[]*'
        $module.Examples | Should -BeGreaterThan 1
        $module.About | Should -Be 1
    }

    It 'ships the licence its manifest names' {
        $installed = Split-Path ($use.Output | ConvertFrom-Json).Path
        Join-Path $installed 'LICENSE' | Should -Exist
        (Import-PowerShellDataFile (Join-Path $ModulePath 'InotifyPS.psd1')).PrivateData.PSData.LicenseUri | Should -BeLike '*/LICENSE'
    }
}
