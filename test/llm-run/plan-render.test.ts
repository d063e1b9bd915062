// `weft plan` renders what is known before the run (inputs, pipeline.name, partials, known
// forEach items) before pricing llm calls; what reads tasks/secrets/env/run stays open.
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../engine/load/load.js';
import { loadPartials } from '../../engine/load/partials.js';
import { planPipeline } from '../../engine/plan/plan.js';
import { loadRegistry } from '../../engine/load/registry.js';
import { runCli, spawnBin } from '../cli/support.js';
import { makeProject } from '../support/project.js';

// haiku: $1 / $5 per million tokens, 200k context window (models/models.json).
const window = 200_000;

function project(): string {
  return makeProject({
    'partials/reviewer.hbs': 'You are a careful reviewer.',
    'pipelines/topics.yaml': `
inputs:
  topics: { type: array, default: [alpha, beta] }
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  explain:
    uses: llm
    forEach: "{{inputs.topics}}"
    with: { system: "{{> reviewer}}", prompt: "Review {{item}}.", maxTokens: 100 }
  named:
    uses: llm
    with: { prompt: "Pipeline {{pipeline.name}}, {{len inputs.topics}} topics", maxTokens: 100 }
  summary:
    needs: [explain]
    uses: llm
    with: { system: "{{> reviewer}}", prompt: "Summarise {{tasks.explain.outputs}}", maxTokens: 100 }
  secret:
    uses: llm
    with: { prompt: "{{secrets.TOKEN}} and {{inputs.topics}}", maxTokens: 100 }
`,
  });
}

async function planJson(cwd: string, extra: string[] = []) {
  const result = await runCli(['plan', 'topics', '--json', ...extra], { cwd, env: {} });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('weft plan renders what is known at plan time', () => {
  it('a forEach over an input list has a known width, each item priced by its rendered size', async () => {
    const json = await planJson(project());
    const explain = json.cost.tasks.explain;
    expect(explain.calls).toBe(2);
    // "You are a careful reviewer." + "Review alpha." is a few tokens, nowhere near the window.
    expect(explain.perCall.tokens).toBeLessThan(200);
    expect(explain.perCall.tokens).toBeGreaterThan(100);
    expect(explain.tokens).toBeLessThanOrEqual(2 * explain.perCall.tokens);
    expect(explain.costUsd).toBeLessThan(0.002);
    // inputs and pipeline.name render too.
    expect(json.cost.tasks.named.perCall.tokens).toBeLessThan(200);
  });

  it('a partial in system counts as its size; a prompt reading tasks.* or secrets.* is still open', async () => {
    const json = await planJson(project());
    expect(json.cost.tasks.summary.perCall.tokens).toBe(window);
    expect(json.cost.tasks.secret.perCall.tokens).toBe(window);
    expect(json.cost.complete).toBe(true);
    expect(json.cost.tokens).toBe(json.cost.tasks.explain.tokens + json.cost.tasks.named.tokens + 2 * window);
  });

  it('a partial reading a run-time value stays open instead of failing the plan', async () => {
    const cwd = makeProject({
      'partials/sneaky.hbs': 'Earlier: {{tasks.a.output.text}}',
      'pipelines/p.yaml': `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  a: { uses: llm, with: { prompt: hi, maxTokens: 100 } }
  b: { uses: llm, needs: [a], with: { system: "{{> sneaky}}", prompt: hi, maxTokens: 100 } }
`,
    });
    const result = await runCli(['plan', 'p', '--json'], { cwd, env: {} });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.cost.tasks.b.perCall.tokens).toBe(window);
    expect(json.cost.tasks.a.perCall.tokens).toBeLessThan(200);
  });

  it('planPipeline takes inputs: the width follows them', async () => {
    const cwd = project();
    const { pipeline } = await loadPipeline('topics', { cwd });
    const registry = await loadRegistry(pipeline!.config.plugins, pipeline!.root);
    const partials = await loadPartials(pipeline!.config);
    const plan = planPipeline(pipeline!, { registry, partials, inputs: { topics: ['a', 'b', 'c', 'd', 'e'] } });
    expect(plan.cost!.tasks.explain!.calls).toBe(5);
    // Without partials the system prompt cannot render: it stays open.
    expect(planPipeline(pipeline!, { registry }).cost!.tasks.explain!.perCall.tokens).toBe(window);
  });

  it('weft plan --var changes the width (bin)', async () => {
    const cwd = project();
    const result = await spawnBin(['plan', 'topics', '--var', 'topics=["a","b","c"]'], { cwd, env: {} });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').find((l) => l.trim().startsWith('explain '))).toMatch(/worst case \$\d+\.\d{4} \(3 × \$\d+\.\d{4}\)$/);
    const json = JSON.parse((await spawnBin(['plan', 'topics', '--json', '--var', 'topics=["a","b","c"]'], { cwd, env: {} })).stdout);
    expect(json.cost.tasks.explain.calls).toBe(3);
    const bad = await spawnBin(['plan', 'topics', '--var', 'topics=nope'], { cwd, env: {} });
    expect(bad.code).toBe(2);
  });
});
