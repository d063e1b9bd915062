// What the two kinds of spawn helper share (the native one, plugins/shell/native-helper.ts, and
// the Node one, plugins/shell/spawner.ts): the calls a helper process follows, whether it is up,
// keeping weft alive only while it runs something, and what happens when it ends under its calls.
import type { ChildProcess } from 'node:child_process';
import { SPAWN_MARK, spawnMark } from './helper-protocol.js';
import { killMarked, signalGroup } from './kill-group.js';
import type { ProcessEvents, ProcessExit } from './process.js';

/** A call a helper follows: its events, how it settles, its pid once the helper said it. */
export type HelperCall = { events: ProcessEvents; resolve(exit: ProcessExit): void; reject(error: Error): void; pid?: number };

/** A handle that can keep the event loop alive: a pipe, a socket, an IPC channel. */
type Refable = { ref(): void; unref(): void };

export abstract class HelperProcess<C extends HelperCall> {
  protected readonly calls = new Map<number, C>();
  private ready = false;
  private gone = false;
  private lastId = 0;

  /**
   * `ended` is the child's event that counts as its end: 'close' (after its output is read to
   * the end) for a helper whose calls are sent before it says it is ready, so that whether it
   * said so before it died is known.
   */
  constructor(
    protected readonly child: ChildProcess,
    ended: 'exit' | 'close' = 'exit',
  ) {
    child.on('error', () => this.lose());
    child.on(ended, () => this.lose());
  }

  /** Whether a start would go to the helper now. */
  get usable(): boolean {
    return this.ready && !this.gone;
  }

  /** Processes it follows now. */
  get running(): number {
    return this.calls.size;
  }

  /** The helper process has ended (a new one may be started). */
  get ended(): boolean {
    return this.gone;
  }

  /** It ended before it said it was ready: it cannot run here (e.g. built for another machine). */
  get failed(): boolean {
    return this.gone && !this.ready;
  }

  /** The handles besides the process itself that keep weft alive while a call runs. */
  protected abstract handles(): Array<Refable | undefined>;

  /** Follow a new call (`make` builds it) and have `send` ask the helper to start it. */
  protected begin(make: (resolve: C['resolve'], reject: C['reject']) => C, send: (id: number) => void): Promise<ProcessExit> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.calls.set(id, make(resolve, reject));
      if (this.calls.size === 1) this.busy();
      send(id);
    });
  }

  /** The call is over (it settles itself): stop following it. */
  protected forget(id: number): void {
    this.calls.delete(id);
    if (this.calls.size === 0) this.idle();
  }

  protected markReady(): void {
    this.ready = true;
    if (this.calls.size === 0) this.idle();
  }

  /**
   * It ended before it said it was ready, so it started none of `calls` (it says so before it
   * reads a request): true if they were sent elsewhere. By default they fail like any others.
   */
  protected lostBeforeReady(_calls: C[]): boolean {
    return false;
  }

  /**
   * The helper ended under its calls: their groups are killed (nothing may outlive its task), by
   * pid or, when it died before saying the pid, by the mark of what the call started; they fail.
   */
  protected lose(): void {
    if (this.gone) return;
    this.gone = true;
    if (!this.ready && this.lostBeforeReady([...this.calls.values()])) {
      this.calls.clear();
      return;
    }
    for (const [id, call] of this.calls) {
      if (call.pid !== undefined) signalGroup(call.pid, 'SIGKILL');
      if (this.child.pid !== undefined) killMarked(SPAWN_MARK, spawnMark(this.child.pid, id));
      call.reject(new Error('the spawn helper process ended while the command ran'));
    }
    this.calls.clear();
  }

  // While a process runs, the helper keeps weft alive; idle, it must not.
  private busy(): void {
    this.child.ref();
    for (const handle of this.handles()) handle?.ref();
  }

  protected idle(): void {
    this.child.unref();
    for (const handle of this.handles()) handle?.unref();
  }
}
