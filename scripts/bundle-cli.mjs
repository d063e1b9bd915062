// The command line as one CommonJS file with a V8 code cache, instead of ~190 ES modules each
// resolved, read, compiled and linked at every start. bin/weft.js loads dist/bundle/cli.cjs
// through engine/code-cache.ts; the library entries (dist/engine/*) stay as tsc wrote them, and
// so do the files worker threads import. yaml and better-sqlite3 get a one-file copy each
// (dist/vendor), loaded the same way by the engine.
//
// What crosses from a plugin to the engine is plain data (errors are recognised by shape; each
// worker thread has its own copy of everything), so a third-party plugin that imports
// weft/plugin from dist/engine works with the bundled engine as with the modules.
// Two rewrites keep the bundled modules behaving as they did:
// - `import.meta.url` is each module's own file under dist/, so every path built from it (the
//   package root, the worker entry, the executors' modules, the generated validators) is the same;
// - import() of a package or of a computed URL (plugins, tinyglobby) becomes __weftImport(), which
//   code-cache.ts provides: code compiled by vm.Script cannot import() on Node 20. import() of a
//   relative path is weft's own lazy code: bundled, and still run only when first needed. The
//   name must be free in every module (esbuild renames a free name a module also declares).
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outfile = path.join(dist, 'bundle', 'cli.cjs');
const require = createRequire(import.meta.url);
const { vendoredFile, writeCodeCache } = await import('../dist/engine/code-cache.js');

/** The function engine/code-cache.ts hands the bundle for import(). */
const IMPORT = '__weftImport';

/**
 * The two rewrites above, on weft's own files. The code-cache loader keeps its import(): it is
 * what provides ${IMPORT} to the bundle, and it is not run by vm.Script itself.
 */
const asModules = (rewriteImport = true) => ({
  name: 'as-modules',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const own = JSON.stringify(path.relative(path.dirname(outfile), args.path).split(path.sep).join('/'));
      const contents = (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${own})).href`);
      return { contents: rewriteImport ? contents.replace(/\bimport\((?!\s*['"]\.)/g, `${IMPORT}(`) : contents, loader: 'js' };
    });
  },
});

/** What every file the build bundles is: one CommonJS file for this Node. */
const oneCjsFile = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning', legalComments: 'none' };

await rm(path.dirname(outfile), { recursive: true, force: true });
await build({
  ...oneCjsFile,
  entryPoints: [path.join(dist, 'engine', 'cli', 'index.js')],
  outfile,
  // Packages load as they are, each when the code needing it first runs (CommonJS output keeps
  // a bundled module's require()s inside its lazy initialiser).
  packages: 'external',
  plugins: [asModules()],
  charset: 'ascii',
  minifyWhitespace: true,
}).catch(() => process.exit(1));
// The code-cache loader itself, as CommonJS beside the bundle: bin/weft.js is CommonJS (an ES
// module entry starts Node's ES module loader, ~12 ms of every command here) and requires it.
await build({
  ...oneCjsFile,
  entryPoints: [path.join(dist, 'engine', 'code-cache.js')],
  outfile: path.join(path.dirname(outfile), 'code-cache.cjs'),
  packages: 'external',
  plugins: [asModules(false)],
  charset: 'ascii',
}).catch(() => process.exit(1));
// esbuild renames a free name that a module also declares (__weftImport2, …): that module's
// import() would then call its own function.
if (/__weftImport\d/.test(await readFile(outfile, 'utf8'))) {
  console.error(`bundle-cli: a module declares ${IMPORT}, the name the bundle gives import()`);
  process.exit(1);
}

// yaml and better-sqlite3 as one CommonJS file each, with a V8 code cache made while they do
// what a run does with them (engine/code-cache.ts, requireVendored, loads them).
async function vendor(name, exercise, external = []) {
  await build({
    ...oneCjsFile,
    entryPoints: [require.resolve(name)],
    outfile: vendoredFile(name),
    external,
  }).catch(() => process.exit(1));
  await writeCodeCache(vendoredFile(name), exercise);
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

// The cache holds what V8 compiled by the time it is written: what `weft validate` and a
// one-task `weft run` execute, in a throw-away project. A checkout installed without build
// scripts has no SQLite addon and its run fails: the cache then holds what ran until then.
const project = mkdtempSync(path.join(tmpdir(), 'weft-bundle-'));
try {
  writeFileSync(path.join(project, 'weft.yaml'), 'tasks:\n  a: { run: "true" }\n  b: { run: "echo {{tasks.a.output.exitCode}}", needs: [a] }\n');
  const quiet = { write: () => true };
  const io = { stdout: quiet, stderr: quiet, env: { PATH: process.env.PATH ?? '' }, cwd: project, isTTY: false };
  await writeCodeCache(outfile, async ({ cli }) => {
    for (const argv of [['validate', 'weft.yaml'], ['plan', 'weft.yaml'], ['run', 'weft.yaml']]) await cli(argv, io);
  });
} finally {
  rmSync(project, { recursive: true, force: true });
}
