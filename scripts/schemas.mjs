// Part of `npm run build`: write schemas/pipeline.schema.json and schemas/config.schema.json from
// the schemas weft checks with (engine/load/validate/editor-schema.ts), so a change to an
// executor's schema reaches editors with the next build. test/schemas.test.ts fails when the
// committed files are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { renderSchemas } = await import(path.join(root, 'dist/engine/load/validate/publish-schemas.js'));
const file = (name) => path.join(root, 'schemas', name);
const written = await renderSchemas(readFileSync(file('pipeline.schema.json'), 'utf8'), root);
for (const [name, text] of Object.entries(written)) {
  if (readFileSync(file(name), 'utf8') === text) continue;
  writeFileSync(file(name), text);
  console.log(`updated schemas/${name} from the executors' and the config's schemas: commit it`);
}
