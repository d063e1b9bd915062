// `uses: node` target: compares each counter file with how often its name was listed.
// A lost update (two bumps of one file at once) shows as a count that is too low.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** @param {{ dir: string, names: string[] }} input */
export function checkCounts({ dir, names }, { root }) {
  const expected = {};
  for (const name of names) expected[name] = (expected[name] ?? 0) + 1;
  const actual = {};
  for (const name of Object.keys(expected)) {
    actual[name] = Number(readFileSync(path.join(root, dir, `${name}.txt`), 'utf8'));
  }
  const wrong = Object.keys(expected).filter((name) => actual[name] !== expected[name]);
  if (wrong.length > 0) throw new Error(`lost updates in ${wrong.join(', ')}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  return actual;
}
