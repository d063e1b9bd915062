// `npm run schemas`: write schemas/pipeline.schema.json and schemas/config.schema.json from the
// schemas weft checks with (engine/load/validate/editor-schema.ts). test/schemas.test.ts fails
// when the files are stale. Runs on the build: `npm run schemas` builds first.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { renderSchemas } = await import(path.join(root, 'dist/engine/load/validate/publish-schemas.js'));
const file = (name) => path.join(root, 'schemas', name);
const written = await renderSchemas(readFileSync(file('pipeline.schema.json'), 'utf8'), root);
for (const [name, text] of Object.entries(written)) writeFileSync(file(name), text);
console.log(`wrote ${Object.keys(written).map((n) => `schemas/${n}`).join(', ')}`);
