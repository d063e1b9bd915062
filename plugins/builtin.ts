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

// Each executor's own file, so a worker thread of a shell-only run never imports the llm
// executor and what it loads (sibling extension: .ts from source, .js from dist).
const ext = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
const own = (name: string) => new URL(`./${name}${ext}`, import.meta.url).href;

/** Where worker threads import each built-in from. */
export const modules: Record<string, string> = Object.fromEntries(Object.keys(executors).map((name) => [name, own(name)]));

export default { executors, modules } satisfies Plugin;
