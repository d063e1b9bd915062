import { describe, expect, it } from 'vitest';
import { createLiveRenderer } from '../../engine/cli/render-live.js';
import { createPlainRenderer } from '../../engine/cli/render-plain.js';
import { formatSummary } from '../../engine/cli/render-summary.js';
import { formatDuration } from '../../engine/cli/format-duration.js';
import type { RunEvent, RunReport } from '../../engine/types.js';

const report = (over: Partial<RunReport> = {}): RunReport => ({
  pipeline: 'demo',
  runId: 'r1',
  status: 'failed',
  startedAt: 0,
  endedAt: 3000,
  durationMs: 3000,
  tasks: {
    fast: { status: 'success', attempts: 1, startedAt: 0, endedAt: 100, durationMs: 100, output: {} },
    slow: { status: 'success', attempts: 1, startedAt: 0, endedAt: 2500, durationMs: 2500, output: {} },
    test: { status: 'failed', attempts: 3, startedAt: 100, endedAt: 900, durationMs: 800, error: { code: 'TASK_FAILED', message: 'exit code 1' } },
    docs: { status: 'skipped', attempts: 0, reason: 'upstream' },
  },
  outputs: {},
  usage: { byModel: {}, totalTokens: 0, costUsd: 0 },
  ...over,
});

const events: RunEvent[] = [
  { type: 'run:start', runId: 'r1', pipeline: 'demo', total: 2, at: 0 },
  { type: 'task:start', id: 'build', attempt: 1, at: 0 },
  { type: 'task:log', id: 'build', stream: 'stdout', line: 'compiling' },
  { type: 'task:retry', id: 'build', attempt: 1, delayMs: 500, error: { code: 'TASK_FAILED', message: 'exit code 2' } },
  { type: 'warning', message: 'budget at 80%' },
  { type: 'task:end', id: 'build', result: { status: 'success', attempts: 2, startedAt: 0, endedAt: 1200, durationMs: 1200, output: {} } },
  { type: 'task:end', id: 'test', result: { status: 'failed', attempts: 1, startedAt: 0, endedAt: 10, durationMs: 10, error: { code: 'TASK_FAILED', message: 'exit code 1' } } },
];

function capture() {
  let text = '';
  return { stream: { write: (s: string) => (text += s), columns: 80 }, text: () => text };
}

describe('plain renderer', () => {
  it('prefixes log lines by task id and marks outcomes, retries and warnings', () => {
    const out = capture();
    const r = createPlainRenderer(out.stream);
    for (const e of events) r.onEvent(e);
    r.finish(report());
    const lines = out.text().split('\n');
    expect(lines).toContain('[build] compiling');
    expect(lines).toContain('↻ build attempt 2 in 500ms: exit code 2');
    expect(lines).toContain('! budget at 80%');
    expect(lines).toContain('✓ build 1.2s');
    expect(lines).toContain('✗ test exit code 1');
    expect(lines).toContain('✗ demo failed in 3.0s: 1 failed, 1 skipped, 2 succeeded');
    expect(out.text()).not.toContain('\x1b[');
  });

  it('lists a dry run\'s shell command and other executors\' rendered with', () => {
    const out = capture();
    const r = createPlainRenderer(out.stream);
    const dry = (id: string, uses: string, w: Record<string, unknown>, command?: { field: string; text: string }): RunEvent => ({
      type: 'task:end',
      id,
      result: { status: 'success', attempts: 1, startedAt: 0, endedAt: 0, durationMs: 0, output: { dryRun: true, uses, with: w, ...(command && { command }) } },
    });
    r.onEvent(dry('build', 'shell', { command: "tsc -p 'a b'" }, { field: 'command', text: "tsc -p 'a b'" }));
    r.onEvent(dry('page', 'template', { to: 'out/x.md', source: 'hi' }));
    expect(out.text()).toBe("○ build (shell)\n    $ tsc -p 'a b'\n○ page (template)\n    to: out/x.md\n    source: hi\n");
  });

  it('marks a task reused by --resume as resumed, not with a 0ms duration', () => {
    const out = capture();
    const r = createPlainRenderer(out.stream);
    r.onEvent({ type: 'task:end', id: 'build', result: { status: 'success', attempts: 0, startedAt: 5, endedAt: 5, durationMs: 0, output: {}, resumed: true } });
    expect(out.text()).toBe('✓ build resumed\n');
  });
});

describe('summary table', () => {
  it('puts the slowest task first and shows status, attempts and duration', () => {
    const lines = formatSummary(report());
    expect(lines[0]).toMatch(/^task\s+status\s+attempts\s+duration$/);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/)[0])).toEqual(['slow', 'test', 'fast', 'docs']);
    expect(lines[2]).toMatch(/^test\s+failed\s+3\s+800ms$/);
    expect(lines.some((l) => l.startsWith('model'))).toBe(false);
  });

  it('adds tokens and cost by model when any were spent', () => {
    const lines = formatSummary(
      report({ usage: { byModel: { 'claude-haiku-5-5': { inputTokens: 1200, outputTokens: 300, costUsd: 0.0027 } }, totalTokens: 1500, costUsd: 0.0027 } }),
    );
    expect(lines.join('\n')).toMatch(/claude-haiku-5-5\s+1200\s+300\s+\$0\.0027/);
    expect(lines.at(-1)).toBe('total: 1500 tokens, $0.0027');
  });

  it('keeps a huge run\'s table short, failures always shown', () => {
    const tasks: RunReport['tasks'] = {};
    for (let i = 0; i < 100; i++) tasks[`t${i}`] = { status: 'success', attempts: 1, startedAt: 0, endedAt: i + 10, durationMs: i + 10, output: {} };
    tasks.broken = { status: 'failed', attempts: 1, startedAt: 0, endedAt: 1, durationMs: 1, error: { code: 'TASK_FAILED', message: 'x' } };
    const lines = formatSummary(report({ tasks }));
    expect(lines.some((l) => l.startsWith('broken'))).toBe(true);
    expect(lines.at(-1)).toBe('… 81 more tasks');
  });
});

describe('live renderer', () => {
  it('leaves finished tasks as permanent lines, erases its block, and ends with the summary', () => {
    const out = capture();
    const r = createLiveRenderer(out.stream, { now: () => 1000 });
    for (const e of events) r.onEvent(e);
    r.finish(report());
    const text = out.text();
    expect(text).toContain('build');
    expect(text).toMatch(/✗.*test exit code 1/);
    expect(text).toMatch(/task\s+status\s+attempts\s+duration/);
    expect(text).toContain('\x1b[0J');
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1234, '1.2s'],
    [123_000, '2m03s'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
