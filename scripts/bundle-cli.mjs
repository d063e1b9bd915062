// The command line as a few files instead of ~190 modules: loading a module costs Node's ESM
// loader a resolve, an async read and a link each, and the yaml library is ~60 CommonJS files.
// bin/weft.js loads dist/bundle/index.js: the engine and the built-in executors, in
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
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');

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
  // Libraries load as they are (native code, or only in some runs, each already loaded lazily);
  // yaml, which every command that reads a pipeline needs, has its own one-file copy below.
  packages: 'external',
  plugins: [ownMetaUrl],
  logLevel: 'warning',
  legalComments: 'none',
  chunkNames: 'chunk-[hash]',
}).catch(() => process.exit(1));

// yaml and better-sqlite3 as one CommonJS file each, with a V8 code cache made while they do
// what a run does with them (engine/code-cache.ts, requireVendored, loads them).
const { vendoredFile, writeCodeCache } = await import('../dist/engine/code-cache.js');
const require = createRequire(import.meta.url);

async function vendor(name, exercise, external = []) {
  await build({
    entryPoints: [require.resolve(name)],
    outfile: vendoredFile(name),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    logLevel: 'warning',
    legalComments: 'none',
  }).catch(() => process.exit(1));
  writeCodeCache(vendoredFile(name), exercise);
}

const sample = await readFile(path.join(root, 'pipelines', 'hello.yaml'), 'utf8');
await vendor('yaml', (yaml) => {
  const lineCounter = new yaml.LineCounter();
  const tokens = [...new yaml.Parser(lineCounter.addNewLine).parse(sample)];
  const docs = [...new yaml.Composer({ schema: 'core', merge: false, uniqueKeys: true }).compose(tokens)];
  yaml.stringify(docs[0].toJS({ maxAliasCount: 50 }), { lineWidth: 0 });
  yaml.parseDocument(sample).getIn(['tasks'], true);
});

// `bindings` (how better-sqlite3 finds its addon when not told) stays a require: the store passes
// the addon's path. A checkout installed without build scripts has no addon: cache the load only.
const { nativeBinding } = await import('../dist/engine/store/sqlite-library.js');
await vendor(
  'better-sqlite3',
  (Database) => {
    if (!nativeBinding) return;
    const db = new Database(':memory:', { nativeBinding });
    db.pragma('journal_mode = WAL');
    db.exec('create table t (k text primary key, v text)');
    const put = db.prepare('insert or replace into t values (?, ?)');
    db.transaction(() => put.run('a', '1'))();
    db.prepare('select v from t where k = ?').get('a');
    db.close();
  },
  ['bindings'],
);
