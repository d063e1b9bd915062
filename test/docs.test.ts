import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withoutEditorConditions } from '../engine/load/validate/editor-schema.js';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** Every property name declared anywhere in a JSON Schema (under `properties`), recursively. */
function propertyNames(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) propertyNames(item, found);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && typeof value === 'object' && value !== null) {
        for (const name of Object.keys(value)) found.add(name);
      }
      propertyNames(value, found);
    }
  }
  return found;
}

describe('docs/pipeline-format.md', () => {
  // The format's own keys; each executor's `with` is documented with the executor.
  const schema = withoutEditorConditions(JSON.parse(readFileSync(path.join(root, 'schemas/pipeline.schema.json'), 'utf8')));
  const doc = readFileSync(path.join(root, 'docs/pipeline-format.md'), 'utf8');
  const names = [...propertyNames(schema)].sort();

  it('the schema declares the keys of the format', () => {
    for (const key of ['tasks', 'needs', 'forEach', 'pools', 'models', 'budget', 'retry']) expect(names).toContain(key);
  });

  it('names every property of schemas/pipeline.schema.json as `name`', () => {
    const missing = names.filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

  it('starts with install, hello and test, the commands .ci/run runs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n');
    expect(firstBlock).toEqual(['npm install', 'npx weft run hello', 'npm test']);
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^set -euo pipefail$/m);
    expect(ci.match(/^npm .*$/gm)).toEqual(['npm install', 'npm test']);
  });

  it('has one line for every example pipeline', async () => {
    const { execFileSync } = await import('node:child_process');
    // The examples the project ships (tracked by git), not pipelines a user added to try the tour.
    const tracked = execFileSync('git', ['ls-files', 'pipelines/*.yaml'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(0);
    for (const file of tracked) expect(readme).toContain(`(${file})`);
  });
});
