#Requires -Version 7.4
<#
.SYNOPSIS
    What an event costs across PowerShell remoting (SSH): bytes on the wire and events per second.

.DESCRIPTION
    Starts an sshd of its own on loopback (tests/Pester/SshServer.ps1: installs openssh-server with apt-get as
    root when it is missing), opens one session, imports -Module there, and for each mode creates -Count files
    in a watched folder and takes every event on this side:

    forward  New-InotifyWatcher -SourceIdentifier + Register-EngineEvent -Forward, one engine event per file event
    batch    the same with -BatchSize 100
    stream   Invoke-Command { Wait-InotifyEvent -Count N } as a job

    Bytes are what the remote pwsh wrote to sshd (wchar in /proc/<pid>/io) while the mode ran, divided by the
    events received: the PowerShell remoting protocol's messages before SSH encrypts them. Rates include the
    writer and are for comparing modes and versions on one machine, not absolute figures.

.EXAMPLE
    dotnet pwsh bench/remoting/wire.ps1 -Module out/InotifyPS -Count 2000
#>
param(
    [string] $Module = (Join-Path $PSScriptRoot '../../out/InotifyPS'),
    [int] $Count = 2000,
    [ValidateSet('forward', 'batch', 'stream')]
    [string[]] $Mode = @('forward', 'batch', 'stream')
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../../tests/Pester/SshServer.ps1')

$Module = (Resolve-Path -LiteralPath $Module).ProviderPath
# Short paths: every event carries its path three times (Path, WatchPath, ToString), so they weigh on the bytes.
$scratch = (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) ('ipw-' + [guid]::NewGuid().ToString('N').Substring(0, 8)))).FullName

function Get-WrittenBytes([int] $ProcessId) {
    [long]((Get-Content "/proc/$ProcessId/io" | Where-Object { $_ -like 'wchar:*' }) -replace 'wchar:\s*', '')
}

function New-Burst([string] $Directory) {
    # One touch for all files: fast enough that the forwarder finds many events queued at a time.
    & /bin/sh -c 'cd "$1" && seq -f "f%.0f" 0 $(($2 - 1)) | xargs touch' sh $Directory $Count
}

$server = Start-TestSshServer -Address 127.0.0.1
try {
    $session = New-TestSshSession -Server $server -HostName 127.0.0.1
    $remotePid = Invoke-Command -Session $session { Import-Module $using:Module; $PID }
    foreach ($m in $Mode) {
        $dir = (New-Item -ItemType Directory -Path (Join-Path $scratch $m)).FullName
        if ($m -eq 'stream') {
            $job = Invoke-Command -Session $session -AsJob { Wait-InotifyEvent -LiteralPath $using:dir -Event Create -Count $using:Count }
            $inode = '{0:x}' -f [long](& stat -c '%i' -- $dir)
            while (-not (Select-String -Quiet -Pattern "ino:$inode " -Path "/proc/$remotePid/fdinfo/*" -ErrorAction Ignore)) { Start-Sleep -Milliseconds 10 }
            $before = Get-WrittenBytes $remotePid
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            New-Burst $dir
            $received = @($job | Wait-Job | Receive-Job).Count
            $messages = $received
            Remove-Job $job
        }
        else {
            $batch = if ($m -eq 'batch') { 100 } else { 1 }
            Invoke-Command -Session $session {
                $null = New-InotifyWatcher -LiteralPath $using:dir -Event Create -SourceIdentifier Wire -BatchSize $using:batch
                $null = Register-EngineEvent -SourceIdentifier Wire -Forward
            }
            $before = Get-WrittenBytes $remotePid
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            New-Burst $dir
            $received = 0
            $messages = 0
            while ($received -lt $Count) {
                $e = Wait-Event -SourceIdentifier Wire -Timeout 30
                if (-not $e) { break }
                Remove-Event -EventIdentifier $e.EventIdentifier
                $messages++
                $received += if ($batch -gt 1) { $e.SourceArgs[0].Count } else { 1 }
            }
            Invoke-Command -Session $session { Get-InotifyWatcher | Remove-InotifyWatcher; Get-EventSubscriber -SourceIdentifier Wire | Unregister-Event }
        }
        $elapsed = $clock.Elapsed.TotalSeconds
        $bytes = (Get-WrittenBytes $remotePid) - $before
        [pscustomobject]@{
            Mode = $m
            Events = $received
            # With -BatchSize, a batch holds what was queued when the forwarder took it: a writer slower than the
            # forwarder makes small batches.
            EventsPerMessage = [math]::Round($received / [math]::Max($messages, 1), 1)
            BytesPerEvent = [math]::Round($bytes / [math]::Max($received, 1))
            EventsPerSecond = [math]::Round($received / $elapsed)
        }
    }
}
finally {
    Stop-TestSshServer $server
    Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction Ignore
}
