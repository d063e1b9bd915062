// weft's side of the native spawn helper (plugins/shell/spawn-helper.c, built into
// dist/plugins/shell/weft-spawn when the machine has a C compiler): frames to it on its stdin,
// frames from it on its stdout, numbers little-endian. It starts, reaps and relays; weft keeps the policy: when an exited
// shell's pipes are given up, which groups are killed.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { SPAWN_MARK, spawnMark } from './helper-protocol.js';
import { abandonCalls, groupAlive } from './kill-group.js';
import type { ProcessEvents, ProcessExit, ProcessRequest } from './process.js';

/** The helper's program: in dist/ also when this file runs from source (tests). */
export const nativeHelperFile = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../dist/plugins/shell/weft-spawn', import.meta.url) : new URL('./weft-spawn', import.meta.url),
);

/** Whether the build made the helper (it needs a C compiler; without one, Node helpers spawn). */
export const nativeHelperBuilt = (): boolean => existsSync(nativeHelperFile);

// As for a shell run here (plugins/shell/process.ts): how long an exited shell's pipes may stay open.
const drainAfterExitMs = 100;

const errnoNames = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
const signalNames = new Map(Object.entries(constants.signals).map(([name, value]) => [value, name as NodeJS.Signals]));

type Call = {
  file: string;
  events: ProcessEvents;
  resolve(exit: ProcessExit): void;
  reject(error: Error): void;
  pid?: number;
  exit?: ProcessExit;
  timer?: NodeJS.Timeout;
};

/** A command's environment as the helper reads it; `nul` when a name or value holds a NUL byte. */
type EnvBlock = { count: number; bytes: Buffer; nul: boolean };

/** NUL-ended strings, as the helper reads them. */
const strings = (list: string[]): Buffer => Buffer.from(`${list.join('\0')}\0`);

export class NativeHelper {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private ready = false;
  private gone = false;
  private lastId = 0;
  private readonly calls = new Map<number, Call>();
  /** Each env object's strings, encoded once (a run passes the same object to most of its tasks). */
  private readonly envBlocks = new WeakMap<Record<string, string>, EnvBlock>();
  private unread: Buffer = Buffer.alloc(0);
  private sayReady!: (ready: boolean) => void;
  /** Settles true once the helper said it is ready, false if it ended before. */
  readonly whenReady = new Promise<boolean>((resolve) => (this.sayReady = resolve));

  constructor() {
    this.child = spawn(nativeHelperFile, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.child.stdin.on('error', () => this.lose());
    this.child.on('error', () => this.lose());
    this.child.on('exit', () => this.lose());
    // Kept alive until it says it is ready: a first spawn may be waiting for that.
  }

  get usable(): boolean {
    return this.ready && !this.gone;
  }

  get ended(): boolean {
    return this.gone;
  }

  /** The helper ended before it said it was ready: it cannot run here (e.g. built for another machine). */
  get failed(): boolean {
    return this.gone && !this.ready;
  }

  /** False for what the frames cannot carry: a NUL byte, which Node's own spawn rejects with its message. */
  accepts(request: ProcessRequest): boolean {
    const { file, cwd, args } = request;
    return !file.includes('\0') && !cwd.includes('\0') && !args.some((a) => a.includes('\0')) && !this.envBlock(request.env).nul;
  }

  start(request: ProcessRequest, events: ProcessEvents): Promise<ProcessExit> {
    const id = ++this.lastId;
    const env = this.envBlock(request.env);
    // file, cwd, then argv (its [0] the file as given, as Node's spawn passes it), then env.
    const text = strings([request.file, request.cwd, request.file, ...request.args]);
    const mark = strings([`${SPAWN_MARK}=${spawnMark(this.child.pid!, id)}`]);
    const head = Buffer.allocUnsafe(17);
    head.writeUInt32LE(13 + text.length + env.bytes.length + mark.length, 0);
    head.writeUInt32LE(id, 4);
    head[8] = 0x53; // S
    head.writeUInt32LE(request.args.length + 1, 9);
    head.writeUInt32LE(env.count + 1, 13);
    return new Promise((resolve, reject) => {
      this.calls.set(id, { file: request.file, events, resolve, reject });
      if (this.calls.size === 1) this.busy();
      this.child.stdin.write(Buffer.concat([head, text, env.bytes, mark]));
    });
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
    if (type === 0x52 /* R */) {
      this.ready = true;
      if (this.calls.size === 0) this.idle();
      this.sayReady(true);
      return;
    }
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
        call.timer = setTimeout(() => this.drainOrDrop(id, call), drainAfterExitMs);
        break;
      case 0x43 /* C */:
        this.settle(id, call, () => call.resolve(call.exit!));
        break;
      case 0x46 /* F */: {
        const code = errnoNames.get(body.readInt32LE(0)) ?? 'UNKNOWN';
        this.settle(id, call, () => call.reject(Object.assign(new Error(`spawn ${call.file} ${code}`), { code })));
        break;
      }
    }
  }

  /**
   * The shell exited and its pipes are still open: while no member of its group is left, they
   * will close once read (a loaded machine may lag); a live background child holding them is
   * not waited for, as make and GitHub Actions do not wait.
   */
  private drainOrDrop(id: number, call: Call): void {
    if (call.pid === undefined || !groupAlive(call.pid)) {
      call.timer = setTimeout(() => this.drainOrDrop(id, call), drainAfterExitMs);
      return;
    }
    const frame = Buffer.alloc(9);
    frame.writeUInt32LE(5, 0);
    frame.writeUInt32LE(id, 4);
    frame[8] = 0x44; // D
    this.child.stdin.write(frame);
    this.settle(id, call, () => call.resolve(call.exit!));
  }

  private settle(id: number, call: Call, finish: () => void): void {
    clearTimeout(call.timer);
    this.calls.delete(id);
    if (this.calls.size === 0) this.idle();
    finish();
  }

  /** The helper ended under its calls: their groups are killed (nothing may outlive its task) and they fail. */
  private lose(): void {
    if (this.gone) return;
    this.gone = true;
    this.sayReady(false);
    for (const call of this.calls.values()) clearTimeout(call.timer);
    abandonCalls(this.child.pid, this.calls);
  }

  // While a process runs, the helper's pipes keep weft alive; idle, they must not.
  private busy(): void {
    this.child.ref();
    (this.child.stdout as Readable & { ref(): void }).ref();
    (this.child.stdin as Writable & { ref(): void }).ref();
  }

  private idle(): void {
    this.child.unref();
    (this.child.stdout as Readable & { unref(): void }).unref();
    (this.child.stdin as Writable & { unref(): void }).unref();
  }
}
