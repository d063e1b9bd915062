import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, spawnBin } from '../cli/support.js';
import { makeProject } from '../support/project.js';
import { firstPromptOf, startFake, testKey, expectSuccess } from './support.js';

// pipelines/review.yaml as shipped, in a project of its own with three small sources.
function reviewProject(): string {
  return makeProject({
    'pipelines/review.yaml': readFileSync(path.join(repoRoot, 'pipelines/review.yaml'), 'utf8'),
    'pipelines/scripts/list-sources.mjs': readFileSync(path.join(repoRoot, 'pipelines/scripts/list-sources.mjs'), 'utf8'),
    'src/a.ts': 'export const a = 1;\n',
    'src/b.ts': 'export function b(x: number) { return x / 0; }\n',
    'src/nested/c.ts': 'export const c = JSON.parse(process.argv[2]!);\n',
  });
}

// Answers like a reviewer would: json findings for the fan-out, text for the rest.
function reviewer(body: { system?: Array<{ text: string }>; messages: Array<{ role: string; content: unknown }> }): string {
  const system = (body.system ?? []).map((b) => b.text).join('\n');
  const prompt = firstPromptOf(body);
  if (/Reply with a single JSON value/.test(system)) {
    const file = /Review (\S+)\.$/.exec(prompt)?.[1] ?? '?';
    return JSON.stringify({ findings: file.endsWith('b.ts') ? [{ line: 1, issue: 'division by zero' }] : [] });
  }
  if (/security reviewer/.test(system)) return 'SECURITY: src/nested/c.ts parses untrusted input';
  return 'SUMMARY: fix b.ts line 1';
}

describe('pipelines/review.yaml against the fake API', () => {
  it('runs: every task succeeds, each llm call on its allocated model, the report written', async () => {
    const fake = await startFake({ respond: (body) => reviewer(body as never) });
    const cwd = reviewProject();
    const env = { PATH: process.env.PATH ?? '', ANTHROPIC_API_KEY: testKey, ANTHROPIC_BASE_URL: fake.url };
    const result = await spawnBin(['run', 'review', '--var', 'dir=src', '--json'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expectSuccess(report);
    const ids = Object.keys(report.tasks).sort();
    expect(ids).toEqual(['files', 'review[0]', 'review[1]', 'review[2]', 'security', 'summary', 'write']);
    for (const id of ids) expect(report.tasks[id].status).toBe('success');
    expect(report.tasks['review[1]'].output.json).toEqual({ findings: [{ line: 1, issue: 'division by zero' }] });
    expect(fake.countsByModel).toEqual({ 'claude-haiku-5-5': 3, 'claude-opus-5-5': 1, 'claude-sonnet-5-5': 1 });
    // The summary read every review and the security text.
    const summary = fake.messageRequests().find((r) => r.body.model === 'claude-sonnet-5-5')!;
    expect(firstPromptOf(summary.body)).toContain('division by zero');
    expect(firstPromptOf(summary.body)).toContain('SECURITY: src/nested/c.ts');
    expect(readFileSync(path.join(cwd, 'out/review.md'), 'utf8')).toContain('SUMMARY: fix b.ts line 1');
    // Usage by model in the report: what the fake billed, per model.
    expect(Object.keys(report.usage.byModel).sort()).toEqual(['claude-haiku-5-5', 'claude-opus-5-5', 'claude-sonnet-5-5']);
    for (const u of Object.values(report.usage.byModel) as Array<{ inputTokens: number; outputTokens: number; costUsd: number }>) {
      expect(u.inputTokens).toBeGreaterThan(0);
      expect(u.costUsd).toBeGreaterThan(0);
    }
  });

  it('the plain summary ends with tokens and cost per model', async () => {
    const fake = await startFake({ respond: (body) => reviewer(body as never) });
    const cwd = reviewProject();
    const env = { PATH: process.env.PATH, ANTHROPIC_API_KEY: testKey, ANTHROPIC_BASE_URL: fake.url };
    const result = await runCli(['run', 'review', '--var', 'dir=src'], { cwd, env, isTTY: false });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const head = lines.findIndex((l) => /^model\s+input tokens\s+output tokens\s+cost$/.test(l));
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 1, head + 4).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0]).sort()).toEqual(['claude-haiku-5-5', 'claude-opus-5-5', 'claude-sonnet-5-5']);
    for (const [, input, output, cost] of rows) {
      expect(Number(input)).toBeGreaterThan(0);
      expect(Number(output)).toBeGreaterThan(0);
      expect(cost).toMatch(/^\$\d+\.\d{4}$/);
    }
    expect(lines.find((l) => l.startsWith('total: '))).toMatch(/^total: \d+ tokens, \$\d+\.\d{4}$/);
  });

  it('weft plan shows each llm task\'s model and the worst-case cost, the fan-out marked unknown', async () => {
    const cwd = reviewProject();
    const result = await spawnBin(['plan', 'review'], { cwd, env: {} });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((l) => l.trim().startsWith('review '))).toMatch(/claude-haiku-5-5\s+worst case \$\d+\.\d{4} per item × unknown items/);
    expect(lines.find((l) => l.trim().startsWith('security '))).toMatch(/claude-opus-5-5\s+worst case \$\d+\.\d{4}$/);
    expect(lines.find((l) => l.trim().startsWith('summary '))).toMatch(/claude-sonnet-5-5\s+worst case \$\d+\.\d{4}$/);
    expect(lines.find((l) => l.startsWith('worst-case cost:'))).toMatch(/unknown before the run \(review\); the rest at most \$\d+\.\d{4}/);

    const json = JSON.parse((await spawnBin(['plan', 'review', '--json'], { cwd, env: {} })).stdout);
    expect(json.models).toEqual({ review: 'claude-haiku-5-5', security: 'claude-opus-5-5', summary: 'claude-sonnet-5-5' });
    expect(json.cost.complete).toBe(false);
    expect(json.cost.tasks.review.calls).toBeUndefined();
    // security: opus, 2048 out, input bounded by contextMaxTokens 150000 plus the prompt.
    const security = json.cost.tasks.security;
    expect(security.calls).toBe(1);
    expect(security.costUsd).toBeGreaterThan((150_000 * 15 + 2048 * 75) / 1e6);
    expect(security.costUsd).toBeLessThan((151_000 * 15 + 2048 * 75) / 1e6);
    expect(json.cost.costUsd).toBeCloseTo(security.costUsd + json.cost.tasks.summary.costUsd, 6);
  });

  it('a fan-out over a literal list has a known width: the total is complete', async () => {
    const cwd = makeProject({
      'pipelines/fixed.yaml': `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  ask: { uses: llm, forEach: [a, b, c, d, e], with: { prompt: "word {{item}}", maxTokens: 100 } }
  once: { uses: llm, with: { prompt: "hello", maxTokens: 200 } }
`,
    });
    const json = JSON.parse((await spawnBin(['plan', 'fixed', '--json'], { cwd, env: {} })).stdout);
    expect(json.cost.complete).toBe(true);
    expect(json.cost.tasks.ask.calls).toBe(5);
    // "hello": 2 tokens in, 200 out at haiku's $1 / $5 per million.
    expect(json.cost.tasks.once).toMatchObject({ calls: 1, tokens: 202, costUsd: (2 * 1 + 200 * 5) / 1e6 });
    expect(json.cost.tasks.ask.costUsd).toBeCloseTo(json.cost.tasks.ask.perCall.costUsd * 5, 9);
    expect(json.cost.costUsd).toBeCloseTo(json.cost.tasks.ask.costUsd + json.cost.tasks.once.costUsd, 6);
  });
});
