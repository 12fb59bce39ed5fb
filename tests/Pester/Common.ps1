# Dot-sourced by every InotifyPS test file in BeforeAll: the module under test, named timeouts and helpers.
Set-StrictMode -Version Latest

# The module `dotnet build` laid out; INOTIFYPS_MODULE points elsewhere (e.g. an unpacked package).
$ModulePath = if ($env:INOTIFYPS_MODULE) { $env:INOTIFYPS_MODULE } else { Join-Path $PSScriptRoot '../../out/InotifyPS' }

# How long to wait for an event that normally arrives within milliseconds.
$EventTimeoutSeconds = 10
# How long to wait to be sure that no event comes.
$QuietTimeoutSeconds = 0.5
# How long a test may take to see thousands of events through PowerShell's event queue.
$BulkTimeoutSeconds = 120

Import-Module $ModulePath -Force

function Start-Writer {
    # Runs a shell script in another process: file activity that happens while the test waits.
    # Arguments are passed as $1, $2, ... so paths need no quoting.
    # -AfterWatchOn: the script starts only once this process holds an inotify watch on that file or
    # directory (the kernel lists every watch in /proc/<pid>/fdinfo), so a test can start the writer and then
    # the command that watches, and the writer cannot act before the watch exists. No timing is assumed.
    param(
        [Parameter(Mandatory)] [string] $Script,
        [string[]] $Arguments = @(),
        [string] $AfterWatchOn
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $text = $Script
    if ($AfterWatchOn) {
        $inode = '{0:x}' -f [long](& stat -c '%i' -- $AfterWatchOn)
        # Gives up after a minute, so a test that never watches does not leave a process behind.
        $text = "n=0; until grep -qs 'inotify wd:[0-9]* ino:$inode ' /proc/$PID/fdinfo/*; do n=`$((n+1)); [ `$n -gt 6000 ] && exit 3; sleep 0.01; done; $Script"
    }
    foreach ($a in @('-c', $text, 'sh') + $Arguments) { $psi.ArgumentList.Add($a) }
    [System.Diagnostics.Process]::Start($psi)
}

function New-Files {
    # Creates $Count empty files f0..f(N-1) in $Directory from another process, as fast as the shell can
    # (with -AfterWatch, once this process watches $Directory).
    param([Parameter(Mandatory)] [string] $Directory, [Parameter(Mandatory)] [int] $Count, [switch] $AfterWatch)
    $script = 'cd "$1" && i=0; while [ $i -lt "$2" ]; do : > "f$i"; i=$((i+1)); done'
    if ($AfterWatch) {
        Start-Writer -AfterWatchOn $Directory -Arguments $Directory, $Count -Script $script
    }
    else {
        Start-Writer -Arguments $Directory, $Count -Script $script
    }
}

function Wait-Until {
    # Polls until the condition is true; returns whether it became true in time.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [double] $TimeoutSeconds = $EventTimeoutSeconds)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { return [bool](& $Condition) }
        Start-Sleep -Milliseconds 20
    }
    $true
}

function Test-Ascending {
    # True when the numbers strictly increase: the events came in the watcher's order.
    param([long[]] $Numbers)
    for ($i = 1; $i -lt $Numbers.Count; $i++) {
        if ($Numbers[$i] -le $Numbers[$i - 1]) { return $false }
    }
    $true
}

function Get-ProcessInotifyInstances {
    (Get-InotifyLimit).ProcessInstances
}

function New-TestDirectory {
    # A fresh directory under $TestDrive for one test.
    param([string] $Name = [guid]::NewGuid().ToString('N'))
    (New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name) -Force).FullName
}

function Set-InotifySysctl {
    # Writes /proc/sys/fs/inotify/<Name> (max_user_watches, max_user_instances, max_queued_events) and returns the value
    # it had, for the caller to restore in a finally. Needs root; run such tests by hand only under the shared lock
    # (flock /tmp/inotifyps-tests.lock). Set-Content does not change a /proc/sys value, File.WriteAllText does.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [long] $Value)
    $file = "/proc/sys/fs/inotify/$Name"
    $previous = [long](Get-Content -LiteralPath $file)
    [System.IO.File]::WriteAllText($file, "$Value`n")
    $previous
}

function Invoke-Unprivileged {
    # Runs $Script in a child pwsh that file permissions apply to, and returns what it writes as JSON.
    # As root, the child keeps uid 0 but loses CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding and
    # inheritable sets (setpriv), so a directory of mode 000 is unreadable to it (EACCES), as to any other user.
    # Running it as uid 65534 with setpriv does not work here: the pwsh tool lives under /root/.nuget, and /root
    # is mode 0700. As another user, the child needs no wrapper.
    param([Parameter(Mandatory)] [string] $Script)
    $pwsh = Join-Path $PSHOME 'pwsh'
    $module = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
    $command = "Import-Module '$module'; $Script"
    $output = if ((id -u) -eq '0') {
        & setpriv --inh-caps '-dac_override,-dac_read_search' --bounding-set '-dac_override,-dac_read_search' $pwsh -NoProfile -NonInteractive -Command $command
    }
    else {
        & $pwsh -NoProfile -NonInteractive -Command $command
    }
    $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
    ($output -join "`n") | ConvertFrom-Json
}
