// Messages between weft and its spawn helper (plugins/shell/helper.ts), over the helper's IPC
// channel with the `advanced` serialization (output chunks cross as bytes).

import type { EnvDelta } from '../../engine/plugin.js';

/** weft -> helper: start a process, its env as the difference from the env the helper was started with. */
export type StartMessage = { t: 'start'; id: number; file: string; args: string[]; cwd: string; envDelta?: EnvDelta };

/** helper -> weft. */
export type HelperMessage =
  | { t: 'ready' }
  | { t: 'pid'; id: number; pid: number }
  | { t: 'data'; id: number; stream: 'stdout' | 'stderr'; chunk: Uint8Array }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'error'; id: number; code: string | undefined; message: string };

/** The variable a helper sets on each call's processes (inherited by all they start). */
export const SPAWN_MARK = 'WEFT_SPAWN';

/** Its value for call `id` of the helper with `pid`. */
export const spawnMark = (pid: number, id: number): string => `${pid}:${id}`;
