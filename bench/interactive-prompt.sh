#!/usr/bin/env bash
# interactive-prompt.sh: background handlers at an idle interactive prompt.
#
# Runs pwsh interactively under tmux (so PSReadLine is loaded and the prompt waits for keys, as a user's
# does), sets up a handler there (bench/interactive-setup.ps1), leaves the prompt idle, and creates N
# files from outside. Measures how long the handler takes to see all N (or how many it saw within the
# patience), and how long the prompt then takes to run a command typed at it. Modes:
#   action  New-InotifyWatcher -Action                     engine  -SourceIdentifier + Register-EngineEvent -Action
#   batch   the same with -BatchSize 1000                  fsw     FileSystemWatcher + Register-ObjectEvent -Action
#
#   BENCH_PWSH=/path/to/pwsh bench/interactive-prompt.sh [--modes action,engine,batch,fsw] [--counts 3000,10000] [--patience 20]
#
# Needs tmux (installed with apt-get when missing, as root), the module built at out/InotifyPS, and pwsh
# (BENCH_PWSH, or pwsh on PATH). Prints a markdown table; bench/README.md quotes it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
modes=action,engine,batch,fsw
counts=3000,10000
patience=20
while [ $# -gt 0 ]; do
    case "$1" in
        --modes) modes=$2; shift 2 ;;
        --counts) counts=$2; shift 2 ;;
        --patience) patience=$2; shift 2 ;;
        *) echo "usage: $0 [--modes action,engine,batch,fsw] [--counts 3000,10000] [--patience SECONDS]" >&2; exit 2 ;;
    esac
done

pwsh=${BENCH_PWSH:-$(command -v pwsh || true)}
[ -x "$pwsh" ] || { echo "pwsh not found: set BENCH_PWSH" >&2; exit 2; }
module="$repo/out/InotifyPS/InotifyPS.psd1"
[ -f "$module" ] || { echo "build the module first (dotnet build): $module is missing" >&2; exit 2; }
if ! command -v tmux >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "tmux is missing (apt-get install tmux)" >&2; exit 2; }
    apt-get install -y tmux >/dev/null
fi

scratch=$(mktemp -d /dev/shm/inotifyps-interactive.XXXXXX 2>/dev/null || mktemp -d)
session="inotifyps-bench-$$"
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

now() { date +%s.%N; }
# Waits for a file to appear; prints the seconds waited, or fails after $2 seconds.
wait_file() {
    local start; start=$(now)
    while [ ! -s "$1" ]; do
        if awk -v s="$start" -v n="$(now)" -v p="$2" 'BEGIN { exit !(n - s > p) }'; then return 1; fi
        sleep 0.005
    done
    awk -v s="$start" -v n="$(now)" 'BEGIN { printf "%.3f", n - s }'
}
type_line() { tmux send-keys -t "$session" -l "$1"; tmux send-keys -t "$session" Enter; }

echo "| handler | files | all handled after s | handled within ${patience} s | events/s | prompt answered after s |"
echo "|---|--:|--:|--:|--:|--:|"
IFS=, read -r -a mode_list <<< "$modes"
IFS=, read -r -a count_list <<< "$counts"
for mode in "${mode_list[@]}"; do
    for n in "${count_list[@]}"; do
        run="$scratch/$mode-$n"; mkdir -p "$run/d"
        tmux new-session -d -s "$session" -x 160 -y 40 "$pwsh -NoLogo -NoProfile"
        # The prompt is up (PSReadLine loaded) once it runs what is typed; keys typed while pwsh starts are lost.
        for _ in $(seq 30); do
            type_line "[IO.File]::WriteAllText('$run/up', 'up')"
            if wait_file "$run/up" 2 >/dev/null; then break; fi
        done
        [ -s "$run/up" ] || { echo "pwsh did not start" >&2; tmux capture-pane -p -t "$session" >&2; exit 1; }
        type_line ". '$here/interactive-setup.ps1' -Mode $mode -Dir '$run/d' -Count $n -Done '$run/done' -Ready '$run/ready' -Module '$module'"
        wait_file "$run/ready" 60 >/dev/null || { echo "setup failed ($mode)" >&2; tmux capture-pane -p -t "$session" >&2; exit 1; }
        sleep 1  # the prompt goes idle: PSReadLine waits for keys

        start=$(now)
        sh -c 'cd "$1" && i=0; while [ $i -lt "$2" ]; do : > "f$i"; i=$((i+1)); done' sh "$run/d" "$n"
        if wait_file "$run/done" "$patience" >/dev/null; then
            all=$(awk -v s="$start" -v d="$(cat "$run/done")" 'BEGIN { printf "%.2f", d - s }')
            handled=$n
            rate=$(awk -v n="$n" -v t="$all" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
        else
            all="—"
            handled=""
        fi
        # Then type at the prompt: how long until it runs the command (it also reports the count).
        type_line "[IO.File]::WriteAllText('$run/count', [string]\$global:InteractiveBench.Count)"
        answered=$(wait_file "$run/count" 120 || echo "—")
        if [ -z "$handled" ]; then
            handled=$(cat "$run/count" 2>/dev/null || echo 0)
            rate=$(awk -v n="$handled" -v t="$patience" 'BEGIN { printf "%.1f", n / t }')
            handled="$handled"
        fi
        echo "| $mode | $n | $all | $handled | $rate | $answered |"
        tmux kill-session -t "$session" 2>/dev/null || true
        sleep 0.5
    done
done
