// Where shell tasks' processes are started: by the native spawn helper (native-helper.ts) when
// the build made it, else by Node spawn helpers (helper.ts) once they are up, here until then and
// here again if they end. Same contract either way (runProcess).
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { envDeltas, processEnv, type EnvDelta } from '../../engine/plugin.js';
import type { HelperMessage, StartMessage } from './helper-protocol.js';
import { HelperProcess, type HelperCall } from './helper-process.js';
import { NativeHelper, nativeHelperBuilt } from './native-helper.js';
import { runProcess, type ProcessEvents, type ProcessExit, type ProcessRequest } from './process.js';

/** The helper's module: from dist/ also when this file runs from source (tests). */
const helperFile = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../dist/plugins/shell/helper.js', import.meta.url) : new URL('./helper.js', import.meta.url),
);

// V8 without its background threads: a helper's JavaScript is a few messages per process, and a
// fork copies fewer mappings (1,000 `true` through 2 helpers: 2.9-3.1x -> 2.7-2.9x make -j8).
const HELPER_FLAGS = ['--single-threaded'];

class Helper extends HelperProcess<HelperCall> {
  private readonly deltaOf: (env: Record<string, string>) => EnvDelta | undefined;

  constructor() {
    const base = processEnv();
    super(fork(helperFile, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: HELPER_FLAGS, env: base }));
    this.deltaOf = envDeltas(base);
    this.child.on('message', (message: HelperMessage) => this.receive(message));
    // Used only once ready: until then nothing waits on it, and it must not keep weft alive.
    this.idle();
  }

  protected handles() {
    return [this.child.channel as { ref(): void; unref(): void } | null | undefined ?? undefined];
  }

  start(request: ProcessRequest, events: ProcessEvents): Promise<ProcessExit> {
    return this.begin(
      (resolve, reject) => ({ events, resolve, reject }),
      (id) => {
        const message: StartMessage = { t: 'start', id, file: request.file, args: request.args, cwd: request.cwd };
        const delta = this.deltaOf(request.env);
        if (delta) message.envDelta = delta;
        this.child.send(message);
      },
    );
  }

  private receive(message: HelperMessage): void {
    if (message.t === 'ready') return this.markReady();
    const call = this.calls.get(message.id);
    if (!call) return;
    if (message.t === 'pid') {
      call.pid = message.pid;
      call.events.onPid(message.pid);
    } else if (message.t === 'data') {
      call.events.onData(message.stream, Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
    } else {
      this.forget(message.id);
      if (message.t === 'exit') call.resolve({ code: message.code, signal: message.signal });
      else call.reject(Object.assign(new Error(message.message), { code: message.code }));
    }
  }
}

/** Node helpers: a fork keeps the forking thread busy, so one per core spawns side by side. */
const HELPERS = Math.max(1, Math.min(4, availableParallelism()));
const helpers: Helper[] = [];

/**
 * Spawns made here before the Node helpers start. A Node helper's start costs ~50 ms of a core,
 * more than a few spawns do, so a run of a handful of commands never pays for one (measured: a
 * one-task `weft run` took 570 ms with helpers started up front, 490 ms without).
 */
const HELPERS_AFTER = 8;
let spawnedHere = 0;

/**
 * The native helper, when the build made it. It is ready a millisecond after its spawn, so it is
 * started before the first task (the shell executor's warm-up, at the start of a run) and every
 * spawn goes through it. One is enough: posix_spawn returns at once. Should it fail to run at all
 * (built for another machine), the Node helpers take over; should it die in a run, the next
 * spawn starts a new one.
 */
let native: NativeHelper | undefined;
let nativeWanted: boolean | undefined;

function nativeHelper(): NativeHelper | undefined {
  nativeWanted ??= process.env['WEFT_SPAWN_HELPER'] !== 'node' && nativeHelperBuilt();
  if (!nativeWanted || native?.failed) return undefined;
  if (!native || native.ended) native = new NativeHelper(startProcess);
  return native;
}

/** Start the native helper now, so the first spawn finds it ready (a no-op for Node helpers: they start once needed). */
export function warmSpawner(): void {
  nativeHelper();
}

function startHelpers(): void {
  for (let i = 0; i < HELPERS; i++) if (!helpers[i] || helpers[i]!.ended) helpers[i] = new Helper();
}

/**
 * Start `request` and follow it to its end: through the native helper (even before it said it is
 * ready: should it turn out unable to run, the call comes back here), or the least busy Node
 * helper that is up; else here (the first spawns of a process while Node helpers start, or after
 * they ended). A NUL byte is Node's to reject, here, as for any spawn.
 * @example const exit = await startProcess({ file: 'true', args: [], cwd, env }, { onPid, onData });
 */
export function startProcess(request: ProcessRequest, events: ProcessEvents): Promise<ProcessExit> {
  const fast = nativeHelper();
  if (fast) return fast.accepts(request) ? fast.start(request, events) : runProcess(request, events);
  let best: Helper | undefined;
  for (const h of helpers) if (h.usable && (!best || h.running < best.running)) best = h;
  if (best) return best.start(request, events);
  if (++spawnedHere === HELPERS_AFTER) startHelpers();
  return runProcess(request, events);
}
