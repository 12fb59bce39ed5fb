# Dot-sourced by the remoting tests: an sshd of the test's own on loopback, with the PowerShell subsystem, so that
# New-PSSession -HostName reaches a pwsh on this machine exactly as it would reach another one.
# Everything it needs (config, host key, client key, authorized_keys, log) lives in one temporary folder; the
# machine's own sshd configuration and ~/.ssh are not read or changed. CI runs as root, so a missing sshd is
# installed with apt-get; where that is impossible, Start-TestSshServer throws the reason (the tests fail, they
# are not skipped).
Set-StrictMode -Version Latest

function Find-Sshd {
    foreach ($candidate in @((Get-Command sshd -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source), '/usr/sbin/sshd', '/usr/local/sbin/sshd')) {
        if ($candidate -and (Test-Path -LiteralPath $candidate)) { return $candidate }
    }
}

function Install-Sshd {
    # openssh-server brings the client (ssh, which PowerShell's SSH transport runs) with it.
    if ((id -u) -ne '0') {
        throw "sshd is not installed and this user ($(id -un)) cannot install it: run the tests as root (as CI does) or install openssh-server."
    }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) {
        throw 'sshd is not installed and there is no apt-get to install openssh-server with.'
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    $log = [System.Collections.Generic.List[string]]::new()
    # A fresh machine may have no package lists yet: install, and only if that fails, update and try again.
    $log.AddRange([string[]](& apt-get install -y --no-install-recommends openssh-server 2>&1))
    if ($LASTEXITCODE -ne 0) {
        $log.AddRange([string[]](& apt-get update 2>&1))
        $log.AddRange([string[]](& apt-get install -y --no-install-recommends openssh-server 2>&1))
    }
    $sshd = Find-Sshd
    if (-not $sshd) {
        throw "sshd is not installed and 'apt-get install openssh-server' did not install it:`n$(($log | Select-Object -Last 20) -join "`n")"
    }
    $sshd
}

function Get-FreeLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-TestSshServer {
    # Addresses: every one is a loopback address sshd listens on; sessions to different addresses get different
    # PSComputerName values, as two machines would. TimeZone: the TZ of the sessions, so that the "remote machine"
    # can keep another time than the local one.
    param([string[]] $Address = @('127.0.0.1', '127.0.0.2'), [string] $TimeZone)

    $sshd = Find-Sshd
    if (-not $sshd) { $sshd = Install-Sshd }
    if (-not (Get-Command ssh -CommandType Application -ErrorAction Ignore)) {
        throw "sshd is at $sshd but there is no ssh client on PATH, which PowerShell's SSH remoting runs."
    }
    $pwsh = Join-Path $PSHOME 'pwsh'
    if (-not (Test-Path -LiteralPath $pwsh)) {
        throw "No pwsh at $pwsh for the sshd's powershell subsystem."
    }
    # sshd refuses to start without its privilege-separation directory, which only the service's unit creates.
    if (-not (Test-Path -LiteralPath '/run/sshd')) {
        $null = New-Item -ItemType Directory -Path '/run/sshd' -Force
        chmod 0755 /run/sshd
    }

    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('inotifyps-sshd-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    chmod 0700 $folder
    $hostKey = Join-Path $folder 'host_ed25519'
    $clientKey = Join-Path $folder 'client_ed25519'
    foreach ($key in $hostKey, $clientKey) {
        $out = & ssh-keygen -q -t ed25519 -N '' -C inotifyps-test -f $key 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed: $out" }
    }
    $authorizedKeys = Join-Path $folder 'authorized_keys'
    Copy-Item -LiteralPath "$clientKey.pub" -Destination $authorizedKeys

    $port = Get-FreeLoopbackPort
    $config = Join-Path $folder 'sshd_config'
    $lines = @(
        "Port $port"
        $Address | ForEach-Object { "ListenAddress $_" }
        "HostKey $hostKey"
        "PidFile $(Join-Path $folder 'sshd.pid')"
        "AuthorizedKeysFile $authorizedKeys"
        'PubkeyAuthentication yes'
        'PasswordAuthentication no'
        'KbdInteractiveAuthentication no'
        'PermitRootLogin prohibit-password'
        # The keys live under /tmp, which is world-writable: StrictModes would refuse them.
        'StrictModes no'
        'UsePAM no'
        'LogLevel ERROR'
        "Subsystem powershell $pwsh -sshs -NoLogo -NoProfile"
        if ($TimeZone) { "SetEnv TZ=$TimeZone" }
    )
    Set-Content -LiteralPath $config -Value $lines

    $log = Join-Path $folder 'sshd.log'
    $test = & $sshd -t -f $config 2>&1
    if ($LASTEXITCODE -ne 0) { throw "sshd rejects its test configuration ($config): $test" }

    # exec: the process started is sshd itself, so its PID is the one to stop.
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    foreach ($a in @('-c', 'exec "$0" -D -e -f "$1" 2>"$2"', $sshd, $config, $log)) { $psi.ArgumentList.Add($a) }
    $process = [System.Diagnostics.Process]::Start($psi)

    # Ready when every address accepts a connection.
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    foreach ($a in $Address) {
        while ($true) {
            if ($process.HasExited) {
                throw "sshd exited with code $($process.ExitCode) at start: $(Get-Content -LiteralPath $log -Raw -ErrorAction Ignore)"
            }
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $client.Connect($a, $port)
                break
            }
            catch {
                if ([DateTime]::UtcNow -gt $deadline) {
                    $process.Kill()
                    throw "sshd did not accept connections on ${a}:$port within 20 s: $(Get-Content -LiteralPath $log -Raw -ErrorAction Ignore)"
                }
                Start-Sleep -Milliseconds 50
            }
            finally { $client.Dispose() }
        }
    }

    [pscustomobject]@{
        Process = $process
        Port = $port
        Address = $Address
        KeyFile = $clientKey
        Folder = $folder
        Log = $log
    }
}

function New-TestSshSession {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $HostName)
    # The host key is new every run: no known_hosts entry to check or to leave behind.
    $options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
    New-PSSession -HostName $HostName -Port $Server.Port -UserName (id -un) -KeyFilePath $Server.KeyFile -Options $options -ErrorAction Stop
}

function Stop-TestSshServer {
    param($Server)
    if (-not $Server) { return }
    if (-not $Server.Process.HasExited) {
        $Server.Process.Kill()
        $null = $Server.Process.WaitForExit(10000)
    }
    $Server.Process.Dispose()
    Remove-Item -LiteralPath $Server.Folder -Recurse -Force -ErrorAction Ignore
}
