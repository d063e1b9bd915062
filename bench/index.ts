// `npm run bench [-- section…]`: every registered section, or the ones named.
// Adding a section is one import line here (the file registers itself).
import { runSections } from './harness.js';
import './definition.js';
import './run.js';
import './llm.js';

const ok = await runSections(process.argv.slice(2), (text) => process.stdout.write(text));
if (!ok) process.exitCode = 2;
