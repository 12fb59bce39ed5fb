# Get-Help as a user runs it after Import-Module: the MAML and about topic that the build ships.
BeforeDiscovery {
    $module = if ($env:INOTIFYPS_MODULE) { $env:INOTIFYPS_MODULE } else { Join-Path $PSScriptRoot '../../out/InotifyPS' }
    $commands = (Import-PowerShellDataFile (Join-Path $module 'InotifyPS.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help' {
    It 'gives <_> a synopsis, a description, examples and help for every parameter' -ForEach $commands {
        $command = $_
        $help = Get-Help $command -Full

        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$command *[[]*" -Because 'a synopsis made up from the syntax means the MAML was not found'
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        $parameters = (Get-Command $command).Parameters.Keys | Where-Object { $_ -notin $commonParameters }
        foreach ($name in $parameters) {
            $parameterHelp = Get-Help $command -Parameter $name
            ($parameterHelp.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }

    It 'answers Get-Help -Parameter Timeout for Wait-InotifyEvent with its default' {
        $timeout = Get-Help Wait-InotifyEvent -Parameter Timeout

        $timeout.Name | Should -Be 'Timeout'
        $timeout.DefaultValue | Should -Not -BeNullOrEmpty
    }

    It 'ships about_InotifyPS' {
        $about = Get-Help about_InotifyPS

        ($about | Out-String) | Should -Match 'max_user_watches'
    }
}
