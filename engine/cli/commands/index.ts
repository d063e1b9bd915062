import type { Command } from '../command.js';
import { graph } from './graph.js';
import { init } from './init.js';
import { list } from './list.js';
import { plan } from './plan.js';
import { plugins } from './plugins.js';
import { run } from './run.js';
import { runs } from './runs.js';
import { validate } from './validate.js';

/** Every `weft` command, in the order the help lists them. */
export const commands: Command[] = [run, runs, validate, plan, graph, list, plugins, init];
