// The help lists commands from a light table so `weft --help` imports no command module; the
// table must say what each module says.
import { describe, expect, it } from 'vitest';
import { commands } from '../../engine/cli/commands/index.js';

describe('the command table', () => {
  it.each(commands.map((c) => [c.name, c] as const))('%s: name and summary match its module', async (_, entry) => {
    const command = await entry.load();
    expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
  });
});
