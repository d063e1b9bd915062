import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReportHtml } from '../engine/cli/report-html.js';
import type { RunReport } from '../engine/types.js';
import { makeProject, spawnBin } from './cli/support.js';
import { runYaml } from './support/project.js';

// The bin and the worker threads run dist/: `npx tsc` first.

const secret = 'sk-live-5b2e9f0c71';

// `shout` prints markup and the secret; `boom` fails with markup on stderr; `late` never runs.
const hostile = `
tasks:
  shout: { run: "echo '<script>alert(1)</script>' \\"{{secrets.API_TOKEN}}\\" '&amp;'" }
  boom: { needs: [shout], run: "echo '<img src=x onerror=alert(2)>' >&2; exit 4" }
  late: { needs: [boom], run: "echo never" }
outputs:
  said: "{{tasks.shout.output.stdout}}"
`;

/** Text of the page with every tag removed, entities decoded: what a reader sees. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('weft run --report FILE.html (the real bin)', () => {
  it('writes a self-contained page after a failed run: escaped markup, masked secret, its folder made', async () => {
    const cwd = makeProject({ 'pipelines/hostile.yaml': hostile });
    const result = await spawnBin(['run', 'hostile', '--report', 'reports/deep/run.html'], { cwd, env: { API_TOKEN: secret } });
    expect(result.code).toBe(1);

    const file = path.join(cwd, 'reports/deep/run.html');
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(path.dirname(file))).toEqual(['run.html']);
    const html = readFileSync(file, 'utf8');

    expect(html).not.toContain(secret);
    // Two script elements: the data (JSON, never run) and the page's own script, allowed by its hash.
    expect(html.match(/<script\b[^>]*>/gi)).toEqual(['<script type="application/json" id="weft-data">', '<script>']);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).not.toContain('<script>alert');
    // The data block holds the run's text as JSON with every `<` escaped: it cannot end the element.
    const data = /<script type="application\/json" id="weft-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toContain('<');
    expect(JSON.stringify(JSON.parse(data))).toContain('<img src=x onerror=alert(2)>');
    const markup = html.replace(data, '');
    expect(markup).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // `&amp;` printed by the task is shown as typed, not as `&`.
    expect(html).toContain('&amp;amp;');
    // Self-contained: nothing loaded from elsewhere.
    expect(markup).not.toMatch(/<link|<iframe|<[^>]*\bsrc=|url\(|https?:\/\//i);
    // The task's stderr is on the page, as text.
    expect(markup).toContain('&lt;img src=x onerror=alert(2)&gt;');

    const text = visibleText(html);
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('***');
    expect(text).toMatch(/boom\s*failed\s*attempt 1 of 1: TASK_FAILED: exit code 4/);
    expect(html).toMatch(/<span class="label" title="late">late<\/span><span class="st-skipped" title="skipped \(upstream\)">skipped<\/span>/);
    expect(html).toMatch(/<h1>hostile <span class="badge failed">failed<\/span><\/h1>/);

    // Timeline segments for the two tasks that ran, none for the skipped one.
    expect(html.match(/class="seg (success|failed)"/g)).toEqual(['class="seg success"', 'class="seg failed"']);
  });

  it('writes the page after a successful run too, next to the --json report', async () => {
    const cwd = makeProject({ 'pipelines/ok.yaml': 'tasks:\n  a: { run: echo hi }\n' });
    const result = await spawnBin(['run', 'ok', '--json', '--report', 'r.html'], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    const html = readFileSync(path.join(cwd, 'r.html'), 'utf8');
    expect(html).toContain(`<dd>${report.runId}</dd>`);
    expect(html).toContain('<span class="badge success">success</span>');
  });

  it('a report path that cannot be written is exit 2, after the run', async () => {
    const cwd = makeProject({ 'pipelines/ok.yaml': 'tasks:\n  a: { run: echo hi }\n', 'taken': 'a file, not a folder' });
    const result = await spawnBin(['run', 'ok', '--report', 'taken/r.html'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('could not write --report taken/r.html');
    expect(result.stdout).toMatch(/ok succeeded/);
  });
});

describe('renderReportHtml', () => {
  it('places timeline bars by start and duration relative to the run, and tallies usage by model', async () => {
    const { report } = await runYaml(
      `
tasks:
  ask:
    uses: node
    with: { module: usage.mjs, input: { model: "claude-<b>x</b>" } }
  wait: { needs: [ask], run: "sleep 0.3" }
`,
      {
        files: {
          'usage.mjs': 'export default ({ model }) => ({ model, usage: { inputTokens: 120, outputTokens: 30 }, costUsd: 0.0042 });\n',
        },
      },
    );
    expect(report.status).toBe('success');
    const html = renderReportHtml(report);

    expect(html).toContain('<td>claude-&lt;b&gt;x&lt;/b&gt;</td><td class="num">120</td><td class="num">30</td><td class="num">$0.0042</td>');
    expect(html).toContain('150 tokens');

    const span = report.endedAt - report.startedAt;
    // A bar is drawn per attempt, from the attempt's own times (a task's end also counts its
    // output checks, so the two differ by a few ms on a slow machine).
    const wait = (report.tasks.wait as { attemptLog: { startedAt: number; endedAt: number }[] }).attemptLog[0]!;
    const bar = /<span class="label" title="wait">wait<\/span>.*?<span class="seg success" style="left:([\d.]+)%;width:([\d.]+)%"/.exec(html);
    expect(bar).not.toBeNull();
    expect(Number(bar![1])).toBeCloseTo(((wait.startedAt - report.startedAt) / span) * 100, 1);
    expect(Number(bar![2])).toBeCloseTo(((wait.endedAt - wait.startedAt) / span) * 100, 1);
    // `wait` slept 300 ms of a run that contains it: a bar of real width, not a sliver.
    expect(Number(bar![2])).toBeGreaterThan(0);
  });

  it('escapes every character that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
