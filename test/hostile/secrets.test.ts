// Hostile probes on secrets: a secret's value reaches the task that asked for it and no store.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeEnv, runLlmYaml, startFake } from '../llm-run/support.js';
import { runYaml } from './support.js';

const TOKEN = 'tok-4f9a1c77e2';

/** Every file under `dir`, recursively, with its text. */
function filesUnder(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...filesUnder(file));
    else out.push([file, readFileSync(file, 'utf8')]);
  }
  return out;
}

describe('the llm response cache (item 14)', () => {
  it('never stores a secret, even when the model echoes the prompt that held it', async () => {
    const fake = await startFake();
    const yaml = 'models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }\ntasks:\n  ask: { uses: llm, with: { prompt: "token {{secrets.TOK}}" } }\n';
    const { report, dir } = await runLlmYaml(fake, yaml, { env: fakeEnv(fake, { TOK: TOKEN }) });
    expect(report.status).toBe('success');
    // The fake echoes the prompt: the answer held the token.
    expect(JSON.stringify(fake.messageRequests())).toContain(TOKEN);
    const cached = filesUnder(path.join(dir, '.weft/cache'));
    expect(cached.length).toBeGreaterThan(0);
    for (const [file, text] of cached) expect(text, file).not.toContain(TOKEN);
  });
});

describe('{{secrets.X}} in a template file (item 17)', () => {
  it('renders when X is set, and the report does not show it', async () => {
    const { report, dir } = await runYaml('tasks:\n  t: { uses: template, with: { template: templates/conf.hbs, to: out/conf.txt } }\n', {
      files: { 'templates/conf.hbs': 'token={{secrets.TOK}}\n' },
      env: { PATH: process.env.PATH ?? '', TOK: TOKEN },
    });
    expect(report.tasks.t?.status).toBe('success');
    expect(readFileSync(path.join(dir, 'out/conf.txt'), 'utf8')).toBe(`token=${TOKEN}\n`);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });
});
