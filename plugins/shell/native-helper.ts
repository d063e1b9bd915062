// weft's side of the native spawn helper (plugins/shell/spawn-helper.c, built into
// dist/plugins/shell/weft-spawn when the machine has a C compiler): frames to it on its stdin,
// frames from it on its stdout, numbers little-endian. It starts, reaps and relays; weft keeps
// the policy: when an exited shell's pipes are given up, which groups are killed.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { SPAWN_MARK, spawnMark } from './helper-protocol.js';
import { HelperProcess, type HelperCall } from './helper-process.js';
import { dropPipesIfHeld, type ProcessEvents, type ProcessExit, type ProcessRequest } from './process.js';

/** The helper's program: in dist/ also when this file runs from source (tests). */
export const nativeHelperFile = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../dist/plugins/shell/weft-spawn', import.meta.url) : new URL('./weft-spawn', import.meta.url),
);

/** Whether the build made the helper (it needs a C compiler; without one, Node helpers spawn). */
export const nativeHelperBuilt = (): boolean => existsSync(nativeHelperFile);

const errnoNames = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
const signalNames = new Map(Object.entries(constants.signals).map(([name, value]) => [value, name as NodeJS.Signals]));

type Call = HelperCall & {
  /** What it was asked to start: sent elsewhere should the helper turn out unable to run. */
  request: ProcessRequest;
  exit?: ProcessExit;
  /** Stops the watch of an exited shell's pipes (dropPipesIfHeld). */
  stopWatch?: () => void;
};

/** A command's environment as the helper reads it; `nul` when a name or value holds a NUL byte. */
type EnvBlock = { count: number; bytes: Buffer; nul: boolean };

/** NUL-ended strings, as the helper reads them. */
const strings = (list: string[]): Buffer => Buffer.from(`${list.join('\0')}\0`);

/** A frame to the helper: its length, the call id and the type, then the body. */
function frame(id: number, type: 'S' | 'D', ...body: Buffer[]): Buffer {
  const head = Buffer.allocUnsafe(9);
  head.writeUInt32LE(5 + body.reduce((n, b) => n + b.length, 0), 0);
  head.writeUInt32LE(id, 4);
  head.write(type, 8, 'latin1');
  return Buffer.concat([head, ...body]);
}

export class NativeHelper extends HelperProcess<Call> {
  declare protected readonly child: ChildProcessByStdio<Writable, Readable, null>;
  /** Each env object's strings, encoded once (a run passes the same object to most of its tasks). */
  private readonly envBlocks = new WeakMap<Record<string, string>, EnvBlock>();
  private unread: Buffer = Buffer.alloc(0);

  /**
   * Calls are sent at once, before it says it is ready (its ready frame would otherwise wait for
   * weft's next turn of the event loop, inside the first task's time). Should it end before
   * saying so, it could not run here (e.g. built for another machine): `elsewhere` starts them.
   */
  constructor(
    private readonly elsewhere: (request: ProcessRequest, events: ProcessEvents) => Promise<ProcessExit>,
    file = nativeHelperFile,
  ) {
    // Kept alive until it says it is ready, or ends: calls may be on their way to it.
    super(spawn(file, [], { stdio: ['pipe', 'pipe', 'inherit'] }), 'close');
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    // A write to a helper that died fails; its end is handled at 'close', once its output is read.
    this.child.stdin.on('error', () => {});
  }

  protected override lostBeforeReady(calls: Call[]): boolean {
    for (const call of calls) this.elsewhere(call.request, call.events).then(call.resolve, call.reject);
    return true;
  }

  protected handles() {
    return [this.child.stdout as Readable & { ref(): void; unref(): void }, this.child.stdin as Writable & { ref(): void; unref(): void }];
  }

  /** False for what the frames cannot carry: a NUL byte, which Node's own spawn rejects with its message. */
  accepts(request: ProcessRequest): boolean {
    const { file, cwd, args } = request;
    return !file.includes('\0') && !cwd.includes('\0') && !args.some((a) => a.includes('\0')) && !this.envBlock(request.env).nul;
  }

  start(request: ProcessRequest, events: ProcessEvents): Promise<ProcessExit> {
    const env = this.envBlock(request.env);
    return this.begin(
      (resolve, reject) => ({ request, events, resolve, reject }),
      (id) => {
        const counts = Buffer.allocUnsafe(8);
        counts.writeUInt32LE(request.args.length + 1, 0);
        counts.writeUInt32LE(env.count + 1, 4);
        // file, cwd, then argv (its [0] the file as given, as Node's spawn passes it), then env.
        const text = strings([request.file, request.cwd, request.file, ...request.args]);
        const mark = strings([`${SPAWN_MARK}=${spawnMark(this.child.pid!, id)}`]);
        this.child.stdin.write(frame(id, 'S', counts, text, env.bytes, mark));
      },
    );
  }

  private envBlock(env: Record<string, string>): EnvBlock {
    let block = this.envBlocks.get(env);
    if (!block) {
      const entries = Object.entries(env).filter(([name]) => name !== SPAWN_MARK).map(([name, value]) => `${name}=${value}`);
      const nul = entries.some((e) => e.includes('\0'));
      block = { count: entries.length, bytes: entries.length ? strings(entries) : Buffer.alloc(0), nul };
      this.envBlocks.set(env, block);
    }
    return block;
  }

  private read(chunk: Buffer): void {
    let data = this.unread.length ? Buffer.concat([this.unread, chunk]) : chunk;
    while (data.length >= 9) {
      const total = data.readUInt32LE(0);
      if (data.length < 4 + total) break;
      this.receive(data.readUInt32LE(4), data[8]!, data.subarray(9, 4 + total));
      data = data.subarray(4 + total);
    }
    this.unread = data;
  }

  private receive(id: number, type: number, body: Buffer): void {
    if (type === 0x52 /* R */) return this.markReady();
    const call = this.calls.get(id);
    if (!call) return;
    switch (type) {
      case 0x50 /* P */:
        call.pid = body.readInt32LE(0);
        call.events.onPid(call.pid);
        break;
      case 0x4f /* O */:
        // A copy: the frame's bytes belong to a chunk that is read on.
        call.events.onData('stdout', Buffer.from(body));
        break;
      case 0x45 /* E */:
        call.events.onData('stderr', Buffer.from(body));
        break;
      case 0x58 /* X */:
        call.exit = { code: body.readInt32LE(0) < 0 ? null : body.readInt32LE(0), signal: signalNames.get(body.readInt32LE(4)) ?? null };
        // A background child may hold the pipes: the helper is told to drop them, and the call ends now.
        call.stopWatch = dropPipesIfHeld(call.pid, () => {
          this.child.stdin.write(frame(id, 'D'));
          this.end(id, call);
        });
        break;
      case 0x43 /* C */:
        this.end(id, call);
        break;
      case 0x46 /* F */: {
        const code = errnoNames.get(body.readInt32LE(0)) ?? 'UNKNOWN';
        this.forget(id);
        call.reject(Object.assign(new Error(`spawn ${call.request.file} ${code}`), { code }));
        break;
      }
    }
  }

  /** The process was reaped and its output read (or dropped). */
  private end(id: number, call: Call): void {
    call.stopWatch?.();
    this.forget(id);
    call.resolve(call.exit!);
  }

  protected override lose(): void {
    for (const call of this.calls.values()) call.stopWatch?.();
    super.lose();
  }
}
