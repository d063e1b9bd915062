// The spawn helper: a small process that starts shell tasks' processes for weft. A fork copies
// the page tables of the process that forks, so spawning from weft (150 MiB and more) cost
// ~8 ms a spawn, from this process ~2 ms (1,000 `true` at 8 at once, this repository's 2-core
// machine). weft kills process groups itself; this process only starts them and relays output.
import type { Readable } from 'node:stream';
import { envApplier, processEnv } from '../../engine/plugin.js';
import type { HelperMessage, StartMessage } from './helper-protocol.js';
import { SPAWN_MARK, spawnMark } from './helper-protocol.js';
import { runProcess, type ProcessExit } from './process.js';

// Ctrl-C reaches the whole foreground process group: weft decides what stops, not this process.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// weft is gone (ended or killed): so is its helper; the run's watchdog sees to what it started.
process.on('disconnect', () => process.exit(0));

/** weft forked this process with the base env its deltas are taken from. */
const envOf = envApplier(processEnv());

// Output is relayed as fast as weft takes it, no faster: past HIGH messages not yet written to
// the channel, every command's output is paused (its pipe fills, and it waits, as it would for a
// slow reader), until the backlog is down to LOW. A command printing gigabytes stays in bounds.
const HIGH = 32;
const LOW = 8;
let backlog = 0;
let paused = false;
const streams = new Set<Readable>();

function written(): void {
  backlog -= 1;
  if (paused && backlog <= LOW) {
    paused = false;
    for (const s of streams) s.resume();
  }
}

const send = (message: HelperMessage): void => {
  if (!process.connected) return;
  backlog += 1;
  process.send!(message, undefined, undefined, written);
  if (!paused && backlog >= HIGH) {
    paused = true;
    for (const s of streams) s.pause();
  }
};

function follow(list: Readable[]): void {
  for (const s of list) {
    streams.add(s);
    if (paused) s.pause();
    s.once('close', () => streams.delete(s));
  }
}

process.on('message', (message: StartMessage) => {
  const { id } = message;
  // Marks everything this call starts, so weft can find it if this process dies before saying its pid.
  const env = { ...envOf(message.envDelta), [SPAWN_MARK]: spawnMark(process.pid, id) };
  // A spawn that throws at once (a NUL byte in an argument) fails its call, not this process.
  new Promise<ProcessExit>((resolve) =>
    resolve(
      runProcess(
        { file: message.file, args: message.args, cwd: message.cwd, env },
        {
          onPid: (pid) => send({ t: 'pid', id, pid }),
          onData: (stream, chunk) => send({ t: 'data', id, stream, chunk }),
          onStreams: follow,
        },
      ),
    ),
  ).then(
    (exit) => send({ t: 'exit', id, ...exit }),
    (error: NodeJS.ErrnoException) => send({ t: 'error', id, code: error.code, message: error.message }),
  );
});

send({ t: 'ready' });
