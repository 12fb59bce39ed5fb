Set-StrictMode -Version Latest

# The default views as a user sees them: at an 80-column console and at a wide one, for objects of this session
# and for deserialized ones (remoting, jobs, Import-Clixml). Remoting itself is in Remoting.Tests.ps1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Get-TableColumn {
        # The values of a table's last column, a wrapped row's continuation lines joined to it.
        param([Parameter(Mandatory)] [string] $Text, [Parameter(Mandatory)] [string] $Column)
        $lines = $Text -split '\r?\n'
        $header = -1
        for ($i = 0; $i -lt $lines.Count - 1; $i++) {
            if ($lines[$i] -match "\b$Column\s*$" -and $lines[$i + 1] -match '^[\s-]+$') { $header = $i; break }
        }
        if ($header -lt 0) { throw "No table with a last column '$Column' in:`n$Text" }
        $start = $lines[$header].LastIndexOf($Column)
        $values = [System.Collections.Generic.List[string]]::new()
        foreach ($line in $lines[($header + 2)..($lines.Count - 1)]) {
            if (-not $line.Trim()) { continue }
            $left = if ($line.Length -gt $start) { $line.Substring(0, $start) } else { $line }
            $cell = if ($line.Length -gt $start) { $line.Substring($start).TrimEnd() } else { '' }
            if ($left.Trim() -or $values.Count -eq 0) { $values.Add($cell) } else { $values[$values.Count - 1] += $cell }
        }
        $values.ToArray()
    }

    # $TestDrive's own path is longer than the paths these tests need: a short folder of their own instead.
    $ShortRoot = (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) ('ips-' + [guid]::NewGuid().ToString('N').Substring(0, 8)))).FullName

    function New-PathOfLength {
        # A path of exactly $Length characters in a new directory (the last component fills it up).
        param([Parameter(Mandatory)] [int] $Length)
        $dir = (New-Item -ItemType Directory -Path (Join-Path $ShortRoot ([guid]::NewGuid().ToString('N').Substring(0, 6)))).FullName
        $dir + '/' + ('n' * ($Length - $dir.Length - 1))
    }

    $TimePattern = '\d\d:\d\d:\d\d\.\d{3}'
}

AfterAll {
    Get-InotifyWatcher | Remove-InotifyWatcher
    Remove-Item -LiteralPath $ShortRoot -Recurse -Force -ErrorAction Ignore
}

Describe 'The event table' {
    BeforeAll {
        $path = New-PathOfLength 60
        $dir = Split-Path -Parent $path
        $w = New-InotifyWatcher -LiteralPath $dir -Event Create, MovedFrom, MovedTo
        $null = Start-Writer -Arguments $path -Script ': > "$1"; mv "$1" "$1.b"'
        Wait-Until { $w.QueuedCount -eq 2 } | Should -BeTrue
        $events = @(Get-InotifyEvent $w)
    }

    It 'keeps the whole path of a 60-character path visible at 80 columns' {
        $path.Length | Should -Be 60
        $text = $events | Out-String -Width 80

        $text | Should -Match '(?m)^Time\s+Kind\s+Path\s*$'
        $text | Should -Not -Match '…'
        ($text -split '\r?\n' | Measure-Object Length -Maximum).Maximum | Should -BeLessOrEqual 80
        Get-TableColumn -Text $text -Column Path | Should -Be @($path, "$path.b")
        $text | Should -Match "(?m)^$TimePattern\s+Create\s+/"
    }

    It 'shows each event on one line at 200 columns' {
        $text = $events | Out-String -Width 200

        $text | Should -Match ("(?m)^$TimePattern\s+Create\s+" + [regex]::Escape($path) + '\s*$')
        $text | Should -Match ("(?m)^$TimePattern\s+Renamed\s+" + [regex]::Escape("$path.b") + '\s*$')
    }

    It 'shows the old path in the Rename view' {
        $text = $events | Format-Table -View Rename | Out-String -Width 200

        $text | Should -Match '(?m)^Time\s+Kind\s+OldPath\s+Path\s*$'
        $text | Should -Match ("(?m)^$TimePattern\s+Renamed\s+" + [regex]::Escape($path) + '\s+' + [regex]::Escape("$path.b") + '\s*$')
    }

    It 'shows the time in local time' {
        $text = $events[0] | Out-String -Width 200

        $text | Should -Match ('(?m)^' + [regex]::Escape($events[0].TimeStamp.ToLocalTime().ToString('HH:mm:ss.fff')) + '\s+Create')
    }

    It 'formats deserialized events (remoting, jobs, Import-Clixml) the same way, time included' {
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($events, 1))
        $copy[0].pstypenames[0] | Should -Be 'Deserialized.Inotify.InotifyEvent'

        ($copy | Out-String -Width 200) | Should -Be ($events | Out-String -Width 200)
    }
}

Describe 'The watch table' {
    BeforeAll {
        $plain = New-PathOfLength 60
        $tree = New-PathOfLength 60
        $null = New-Item -ItemType Directory -Path $plain, $tree, (Join-Path $tree 'sub')
        $w = New-InotifyWatcher -LiteralPath $plain
        $null = $w | Add-InotifyWatch -LiteralPath $tree -Recurse
        $watches = @(Get-InotifyWatch -Watcher $w)
    }

    It 'keeps the whole path of a 60-character path visible at 80 columns' {
        $text = $watches | Out-String -Width 80

        $text | Should -Match '(?m)^\s*Wd\s+State\s+Dirs\s+Path\s*$'
        $text | Should -Not -Match '…'
        ($text -split '\r?\n' | Measure-Object Length -Maximum).Maximum | Should -BeLessOrEqual 80
        Get-TableColumn -Text $text -Column Path | Should -Be @($plain, $tree)
    }

    It 'shows both kinds of watch in one table, one line each, at 200 columns' {
        $text = $watches | Out-String -Width 200

        @($text -split '\r?\n' | Where-Object { $_ -match '^\s*Wd\s' }).Count | Should -Be 1
        $text | Should -Match ('(?m)^\s*\d+\s+Active\s+' + [regex]::Escape($plain) + '\s*$')
        $text | Should -Match ('(?m)^\s*\d+\s+Active\s+2\s+' + [regex]::Escape($tree) + '\s*$')
    }
}

Describe 'The format data' {
    It 'has table views that Import-Module -PSSession can copy: one row entry, no selectors, no script blocks' {
        $data = Get-FormatData -TypeName Inotify.InotifyEvent, Inotify.InotifyWatch, Inotify.RecursiveWatch, Inotify.InotifyWatcher, Inotify.InotifyUsage, InotifyPS.InotifyLimitInfo
        $views = @($data.FormatViewDefinition)
        $views.Count | Should -BeGreaterOrEqual 6

        foreach ($view in $views) {
            if ($view.Control -is [System.Management.Automation.TableControl]) {
                $view.Control.Rows.Count | Should -Be 1 -Because "$($view.Name) must keep one row entry"
                $view.Control.Rows[0].SelectedBy | Should -BeNullOrEmpty -Because "$($view.Name) must not select rows by type"
                $entries = $view.Control.Rows[0].Columns.DisplayEntry
            }
            else {
                $entries = $view.Control.Entries.Items.DisplayEntry
            }
            $entries.ValueType | Should -Not -Contain 'ScriptBlock' -Because "$($view.Name) must not use script blocks"
        }
    }
}
