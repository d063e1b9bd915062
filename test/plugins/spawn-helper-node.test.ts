// The Node spawn helpers (plugins/shell/helper.ts): what shell tasks use on a machine where the
// build had no C compiler, chosen here with WEFT_SPAWN_HELPER=node.
import { describeSpawnHelper } from './spawn-helper-cases.js';

process.env['WEFT_SPAWN_HELPER'] = 'node';

describeSpawnHelper('node', true);
