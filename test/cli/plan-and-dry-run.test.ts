import { describe, expect, it } from 'vitest';
import { makeProject, runCli, spawnBin } from './support.js';

// haiku: $1 / $5 per million tokens (models/models.json); 100 items × 1000 tokens out ≈ $0.5.
const fanOut = (budget: string) => `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5, big: claude-opus-4-5 }, allocate: { big: [final] } }
${budget}
tasks:
  each:
    uses: llm
    forEach: ${JSON.stringify(Array.from({ length: 100 }, (_, i) => `item ${i}`))}
    with: { prompt: "Say {{item}}", maxTokens: 1000 }
  final:
    needs: [each]
    uses: llm
    with: { prompt: "Sum up", maxTokens: 100 }
  note: { run: echo note }
`;

describe('weft plan and the budget', () => {
  it('warns when the worst case exceeds the budget, in text and in --json', async () => {
    const cwd = makeProject({ 'pipelines/fan.yaml': fanOut('budget: { costUsd: 0.1, tokens: 500000 }') });
    const text = await spawnBin(['plan', 'fan'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^! the known part of the worst case \(\$\d+\.\d{4}\) exceeds budget\.costUsd \(\$0\.1000\)/m);
    const json = JSON.parse((await runCli(['plan', 'fan', '--json'], { cwd })).stdout);
    expect(json.warnings).toEqual([expect.stringMatching(/exceeds budget\.costUsd/)]);
  });

  it('says nothing when the worst case fits', async () => {
    const cwd = makeProject({ 'pipelines/fan.yaml': fanOut('budget: { costUsd: 1000 }') });
    const text = await runCli(['plan', 'fan'], { cwd });
    expect(text.stdout).not.toContain('exceeds');
    expect(JSON.parse((await runCli(['plan', 'fan', '--json'], { cwd })).stdout).warnings).toBeUndefined();
  });
});

describe('weft run --dry-run', () => {
  it('names the model each llm task would call', async () => {
    const cwd = makeProject({ 'pipelines/fan.yaml': fanOut('') });
    const result = await spawnBin(['run', 'fan', '--dry-run'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^○ each\[0\] \(llm, model claude-haiku-5-5\)$/m);
    expect(result.stdout).toMatch(/^○ final \(llm, model claude-opus-4-5\)$/m);
    expect(result.stdout).toMatch(/^○ note \(shell\)$/m);
  });
});
