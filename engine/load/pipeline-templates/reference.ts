// Which `uses:` values name a pipeline template rather than an executor, and which file each names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean } from '../../suggest.js';
import type { WeftConfig } from '../../types.js';

const NAME = /^[a-z0-9][a-z0-9_-]*$/;
// npm package names: lower case, may be scoped; the last segment is the template's name.
const PACKAGE_USE = /^((?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*)\/([a-z0-9][a-z0-9_-]*)$/;

/**
 * True when `uses` names a pipeline template: `template:NAME`, a path (`./x.yaml`, `../x.yml`,
 * `/abs/x.yaml`) or `PACKAGE/NAME`. Executor names never hold `/` or `:`.
 * @example isTemplateUse('template:audit') // true
 * @example isTemplateUse('shell') // false
 */
export function isTemplateUse(uses: string): boolean {
  return uses.startsWith('template:') || uses.includes('/');
}

export type TemplateFile = { file: string; error?: undefined } | { file?: undefined; error: string };

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((file) => existsSync(file));
}

/**
 * The file a template `uses:` names.
 * - `./audit.yaml`, `../shared/audit.yaml`: relative to the folder of the file that holds the
 *   call (like an import), so a template means the same thing wherever it is used from,
 *   including from inside a package.
 * - `template:audit`: `<templatesDir>/audit.yaml` (or `.yml`) under the project root.
 * - `some-pkg/audit`, `@scope/pkg/audit`: `audit.yaml` in the templates folder an installed
 *   package declares in its package.json (`"weft": { "templates": "templates" }`), found in
 *   node_modules from the project root upwards.
 * @example resolveTemplateFile('template:audit', '/p/pipelines/site.yaml', config) // { file: '/p/templates/audit.yaml' }
 */
export function resolveTemplateFile(uses: string, fromFile: string, config: Pick<WeftConfig, 'root' | 'templatesDir'>): TemplateFile {
  if (uses.startsWith('template:')) {
    const name = uses.slice('template:'.length);
    if (!NAME.test(name)) return { error: `"${uses}": a template name is lower case letters, digits, - and _` };
    const dir = path.resolve(config.root, config.templatesDir || 'templates');
    const file = firstExisting([path.join(dir, `${name}.yaml`), path.join(dir, `${name}.yml`)]);
    if (file) return { file };
    return { error: `template "${name}" not found: no ${name}.yaml in ${path.relative(config.root, dir) || '.'}${didYouMean(name, templateNames(dir))}` };
  }
  if (uses.startsWith('./') || uses.startsWith('../') || path.isAbsolute(uses)) {
    const file = path.resolve(path.dirname(fromFile), uses);
    if (!/\.ya?ml$/.test(file)) return { error: `"${uses}": a template file ends in .yaml or .yml` };
    return existsSync(file) ? { file } : { error: `template file ${uses} not found (relative to ${path.basename(fromFile)}'s folder)` };
  }
  const match = PACKAGE_USE.exec(uses);
  if (!match) {
    return { error: `"${uses}" is neither an executor nor a template (template:NAME, ./file.yaml or PACKAGE/NAME)` };
  }
  return resolvePackageTemplate(match[1]!, match[2]!, config.root);
}

function resolvePackageTemplate(pkg: string, name: string, root: string): TemplateFile {
  let pkgDir: string | undefined;
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(candidate, 'package.json'))) {
      pkgDir = candidate;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (!pkgDir) return { error: `package "${pkg}" is not installed (no node_modules/${pkg} in the project root or above)` };
  let folder = 'templates';
  try {
    const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { weft?: { templates?: unknown } };
    if (typeof manifest.weft?.templates === 'string') folder = manifest.weft.templates;
  } catch (error) {
    return { error: `package "${pkg}": cannot read its package.json: ${(error as Error).message}` };
  }
  const dir = path.resolve(pkgDir, folder);
  // A manifest must not point a template lookup outside its own package.
  if (path.relative(pkgDir, dir).startsWith('..')) return { error: `package "${pkg}": weft.templates must stay inside the package` };
  const file = firstExisting([path.join(dir, `${name}.yaml`), path.join(dir, `${name}.yml`)]);
  if (file) return { file };
  return { error: `package "${pkg}" has no template "${name}" (looked in ${path.join(pkg, folder)})${didYouMean(name, templateNames(dir))}` };
}

/** The template names in a folder (its .yaml and .yml files), for a did-you-mean; none if it cannot be read. */
function templateNames(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''));
  } catch {
    return [];
  }
}
