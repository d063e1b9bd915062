import { WeftError } from '../errors.js';
import type { CommandContext } from './command.js';
import { createGroupedRenderer } from './render-grouped.js';
import { createLiveRenderer } from './render-live.js';
import { createPlainRenderer } from './render-plain.js';
import { createQuietRenderer } from './render-quiet.js';
import type { Renderer } from './renderer.js';
import { colorEnabled, createStyle } from './style.js';

export const OUTPUT_MODES = ['live', 'prefixed', 'grouped', 'quiet'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * The renderer for `--output MODE`: by default live on a terminal, prefixed elsewhere. Under
 * `--json` the report owns stdout, so progress goes to stderr, prefixed unless a mode is named.
 * A dry run lists tasks, so it is never live. Color follows colorEnabled (NO_COLOR, FORCE_COLOR).
 */
export function chooseRenderer(ctx: CommandContext, mode: string | undefined, opts: { json: boolean; dryRun: boolean }): Renderer {
  if (mode !== undefined && !(OUTPUT_MODES as readonly string[]).includes(mode)) {
    throw new WeftError('USAGE', `--output must be one of ${OUTPUT_MODES.join(', ')}, got "${mode}"`);
  }
  const tty = ctx.io.isTTY === true && !opts.json;
  const stream = opts.json ? ctx.io.stderr : ctx.io.stdout;
  const style = createStyle(colorEnabled(ctx.io.env, tty));
  let chosen = (mode as OutputMode | undefined) ?? (tty ? 'live' : 'prefixed');
  if (chosen === 'live' && opts.dryRun) chosen = 'prefixed';
  switch (chosen) {
    case 'live':
      return createLiveRenderer(stream, { style, verbose: ctx.verbose });
    case 'grouped':
      return createGroupedRenderer(stream, style);
    case 'quiet':
      return createQuietRenderer(stream, style);
    case 'prefixed':
      return createPlainRenderer(stream, style);
  }
}
