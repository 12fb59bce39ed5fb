@{
    RootModule             = 'InotifyPS.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core')
    GUID                   = '5f0f6f2e-7a9c-4d3e-9b1d-2f6c4b8e1a37'
    Author                 = 'InotifyPS contributors'
    CompanyName            = 'InotifyPS'
    Copyright              = '(c) InotifyPS contributors. MIT License.'
    Description            = 'File-system events for PowerShell 7 on Linux through the kernel''s inotify API: nothing lost silently, recursive watching, rename pairing, engine events.'
    PowerShellVersion      = '7.4'
    TypesToProcess         = @('InotifyPS.types.ps1xml', 'InotifyPS.Action.types.ps1xml')
    FormatsToProcess       = @('InotifyPS.format.ps1xml')
    CmdletsToExport        = @(
        'New-InotifyWatcher'
        'Get-InotifyWatcher'
        'Remove-InotifyWatcher'
        'Add-InotifyWatch'
        'Get-InotifyWatch'
        'Remove-InotifyWatch'
        'Wait-InotifyEvent'
        'Get-InotifyEvent'
        'Get-InotifyLimit'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('inotify', 'Linux', 'FileSystem', 'Watcher', 'Events', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/inotifyps/InotifyPS'
            LicenseUri   = 'https://github.com/inotifyps/InotifyPS/blob/main/LICENSE'
            ReleaseNotes = 'First release: Inotify.Core engine and the InotifyPS cmdlets.'
        }
    }
}
