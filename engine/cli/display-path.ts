import path from 'node:path';

/**
 * A path as the user should see it: relative to the directory weft was started in.
 * @example displayPath('/repo/pipelines/a.yaml', '/repo') // 'pipelines/a.yaml'
 */
export function displayPath(file: string, cwd: string): string {
  if (!file || !path.isAbsolute(file)) return file;
  return path.relative(cwd, file) || path.basename(file);
}
