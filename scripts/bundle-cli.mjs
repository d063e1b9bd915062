// The command line as a few files instead of ~190 modules: loading a module costs Node's ESM
// loader a resolve, an async read and a link each, and the yaml library is ~60 CommonJS files.
// bin/weft.js loads dist/bundle/index.js: the engine, the built-in executors and yaml, in
// chunks (one per command, loaded when that command runs). The library entries (dist/engine/*)
// stay as tsc wrote them, and so do the files worker threads import.
//
// What crosses from a plugin to the engine is plain data (errors are recognised by shape; each
// worker thread has its own copy of everything), so a third-party plugin that imports
// weft/plugin from dist/engine works with the bundled engine as with the modules.
// `import.meta.url` keeps meaning each module's own file under dist/, so every path built from
// it (the package root, the worker entry, the executors' modules, the generated validators) is
// the same as without the bundle.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');
const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

/** Gives each bundled module its own import.meta.url: the file it was under dist/. */
const ownMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'js' };
      const own = `new URL(${JSON.stringify(toOutdir(args.path))}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

/** A file of dist/ as a path relative to the bundle's folder, where every chunk lives. */
function toOutdir(file) {
  return path.relative(outdir, file).split(path.sep).join('/');
}

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { index: path.join(dist, 'engine', 'cli', 'index.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // yaml is bundled (its ~60 files are most of a command's load); the rest load as they are:
  // native code, worker entries, or libraries only some runs need, each already loaded lazily.
  external: Object.keys(manifest.dependencies).filter((name) => name !== 'yaml'),
  plugins: [ownMetaUrl],
  // yaml is CommonJS and requires Node's own modules; give its chunk a require to do it with.
  banner: { js: "import { createRequire as weftCreateRequire } from 'node:module'; const require = weftCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  chunkNames: 'chunk-[hash]',
}).catch(() => process.exit(1));
