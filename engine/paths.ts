import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** The package's own folder (holds package.json), whether running from dist/ or from source. */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

/**
 * The URL a worker thread can import for a module of this package. Node 20 cannot load
 * TypeScript, so when the engine itself runs from source (vitest), point at the compiled twin in dist/.
 * @example runtimeUrl(new URL('../plugins/builtin.ts', import.meta.url).href) // file:///…/dist/plugins/builtin.js
 */
export function runtimeUrl(url: string): string {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return url;
  const file = fileURLToPath(url);
  const rel = path.relative(packageRoot, file);
  if (rel.startsWith('..') || rel.startsWith(`dist${path.sep}`)) return url;
  return pathToFileURL(path.join(packageRoot, 'dist', rel.replace(/\.ts$/, '.js'))).href;
}
