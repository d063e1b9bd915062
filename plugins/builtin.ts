// The executors that ship with weft, registered through registerPlugin like any third-party plugin.
import type { Executor, Plugin } from '../engine/plugin.js';
import { http } from './http.js';
import { llm } from './llm.js';
import { node } from './node.js';
import { shell } from './shell.js';
import { template } from './template.js';

/** Built-in executors by the name tasks use in `uses:`. One line per executor. */
export const executors: Record<string, Executor<any, any>> = {
  shell,
  node,
  http,
  template,
  llm,
};

export default { executors } satisfies Plugin;
