#!/usr/bin/env bash
# inotifywait.sh DIR OUT: inotifywait -m -r as a benchmark consumer (contract: bench/README.md).
#
# inotifywait prints events as text; iwfilter (bench/consumers/iwfilter.c, built by
# bench/run into bench/build/) counts them into the JSON line and says READY when
# inotifywait reports "Watches established.".
set -u
dir=${1%/}
out=$2
here=$(cd "$(dirname "$0")" && pwd)
filter=${IWFILTER:-$here/../build/iwfilter}
# The same change set as bench/creader (WATCH_MASK), so both face the same queue load.
events=create,delete,modify,close_write,attrib,moved_from,moved_to,delete_self,move_self

# A named pipe rather than `inotifywait | iwfilter`: when iwfilter exits after __STOP__,
# inotifywait would only notice on its next write, which may never come.  With the pid in
# hand it can be stopped at once, and bash waits for it, so its CPU time and RSS reach
# the runner's wait4() through this script.
fifo=$(mktemp -u "${TMPDIR:-/tmp}/inotifywait-bench.XXXXXX")
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
inotifywait -m -r --format $'%e\t%w\t%f' -e "$events" "$dir" >"$fifo" 2>&1 &
iw=$!
# fd 3 is this script's stdin: with BENCH_HOLD=1 the runner's "go" line arrives there.
"$filter" "$dir" "$out" 3<&0 <"$fifo"
rc=$?
kill "$iw" 2>/dev/null
wait "$iw" 2>/dev/null
exit $rc
