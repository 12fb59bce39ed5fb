// chokidar-ready.mjs DIR OUT: chokidar's awaitWriteFinish as a ready-workload consumer (bench/README.md). Every
// "add" or "change" chokidar emits is a "this file is complete" report, written as "name<TAB>receive_ns" to
// OUT.recv. awaitWriteFinish is chokidar's default for it: the size polled every 100 ms, unchanged for 2,000 ms.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import chokidar from 'chokidar';

const [dir, out] = process.argv.slice(2);
const timeout = Number(process.env.BENCH_TIMEOUT || 120) * 1000;
const lines = [];
let total = 0;

// CLOCK_REALTIME nanoseconds (microsecond resolution), comparable with the generator's completion times.
const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;

const watcher = chokidar.watch(dir, { ignoreInitial: true, depth: 0, awaitWriteFinish: true });

function finish(stopSeen) {
  writeFileSync(out + '.recv', lines.join(''));
  writeFileSync(out, JSON.stringify({ consumer: 'chokidar', reports: lines.length, events_total: total, stop_seen: stopSeen }) + '\n');
  process.exit(0);
}

watcher.on('all', (event, path) => {
  total++;
  if (event !== 'add' && event !== 'change') return;
  const name = basename(path);
  if (name === '__STOP__') finish(true);
  else lines.push(`${name}\t${nowNs()}\n`);
});
watcher.on('ready', () => process.stdout.write('READY\n'));
setTimeout(() => finish(false), timeout);
