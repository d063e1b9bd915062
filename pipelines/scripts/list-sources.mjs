// Prints, as a JSON array, the TypeScript files under the folders given as arguments (sorted,
// relative to the current directory): the list a forEach fans out over.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const files = [];
for (const dir of process.argv.slice(2)) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) files.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
}
process.stdout.write(JSON.stringify(files.sort()));
