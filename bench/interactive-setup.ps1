# interactive-setup.ps1: dot-sourced at an interactive pwsh prompt by bench/interactive-prompt.sh.
# Makes a watcher on $Dir whose handler counts Create events and, when it has seen $Count of them, writes
# the time (Unix seconds) to $Done; writes $Ready once everything is in place, then returns to the prompt.
#   -Mode action   New-InotifyWatcher -Action (the module's own handler runspace)
#   -Mode engine   New-InotifyWatcher -SourceIdentifier + Register-EngineEvent -Action, one event each
#   -Mode batch    the same with -BatchSize 1000
#   -Mode fsw      FileSystemWatcher + Register-ObjectEvent -Action (what scripts use without InotifyPS)
# $global:InteractiveBench.Count is the number handled so far (the driver asks for it at the end).
param(
    [Parameter(Mandatory)][ValidateSet('action', 'engine', 'batch', 'fsw')][string]$Mode,
    [Parameter(Mandatory)][string]$Dir,
    [Parameter(Mandatory)][int]$Count,
    [Parameter(Mandatory)][string]$Done,
    [Parameter(Mandatory)][string]$Ready,
    [Parameter(Mandatory)][string]$Module
)
Import-Module $Module
$global:InteractiveBench = [hashtable]::Synchronized(@{ Count = 0; Target = $Count; Done = $Done })

# Called by every handler after counting; writes the completion time once.
$global:InteractiveBench.Finish = {
    param($s)
    if ($s.Count -eq $s.Target) {
        [IO.File]::WriteAllText($s.Done, ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString([cultureinfo]::InvariantCulture))
    }
}

switch ($Mode) {
    'action' {
        $global:InteractiveWatcher = New-InotifyWatcher -LiteralPath $Dir -Event Create -MessageData $global:InteractiveBench -Action {
            begin { $s = $Event.MessageData; $target = $s.Target; $n = 0 }
            process {
                $n++
                $s.Count = $n
                if ($n -eq $target) {
                    [IO.File]::WriteAllText($s.Done, ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString([cultureinfo]::InvariantCulture))
                }
            }
        }
    }
    { $_ -in 'engine', 'batch' } {
        if ($Mode -eq 'batch') {
            $null = Register-EngineEvent -SourceIdentifier InteractiveBench -Action {
                $s = $Event.MessageData
                foreach ($e in $Event.SourceEventArgs.Events) { $s.Count++; & $s.Finish $s }
            }
        }
        else {
            $null = Register-EngineEvent -SourceIdentifier InteractiveBench -Action {
                $s = $Event.MessageData
                $s.Count++
                & $s.Finish $s
            }
        }
        $global:InteractiveWatcher = New-InotifyWatcher -LiteralPath $Dir -Event Create -SourceIdentifier InteractiveBench `
            -MessageData $global:InteractiveBench -BatchSize $(if ($Mode -eq 'batch') { 1000 } else { 1 })
    }
    'fsw' {
        $global:InteractiveWatcher = [IO.FileSystemWatcher]::new($Dir)
        $global:InteractiveWatcher.InternalBufferSize = 64KB
        $null = Register-ObjectEvent $global:InteractiveWatcher Created -MessageData $global:InteractiveBench -Action {
            $s = $Event.MessageData
            $s.Count++
            & $s.Finish $s
        }
        $global:InteractiveWatcher.EnableRaisingEvents = $true
    }
}
[IO.File]::WriteAllText($Ready, 'ready')
