// `npm run bench [-- section…]`: every registered section, or the ones named.
// Adding a section is one import line here (the file registers itself).
import { runSections } from './harness.js';
// `run` first: its shell figure forks this process, and a fork costs more the larger the process
// has grown (after the 10,000-task definition run, ~430 MiB: 5.8x make instead of 4.8x).
import './run.js';
import './llm.js';
import './definition.js';
import './store.js';
import './uptodate.js';
import './workers.js';
import './seed.js';
import './startup.js';
import './report.js';

const ok = await runSections(process.argv.slice(2), (text) => process.stdout.write(text));
if (!ok) process.exitCode = 2;
