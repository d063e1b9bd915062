import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../engine/cli/report-html.js';
import type { RunReport, TaskResult } from '../engine/types.js';
import { browserMissing, launchBrowser } from './support/browser.js';
import { makeProject, repoRoot, spawnBin } from './cli/support.js';

// The HTML report in a real headless chromium: what a reader sees, not the markup.
const missing = browserMissing();
if (missing) console.warn(`report-browser.test.ts: ${missing}`);

const shots = path.join(repoRoot, 'test-output', 'report-browser');

// setup → flaky (fails once, then succeeds) → lint → test (a failing TAP step); docs is skipped.
const files = {
  'scripts/tap.sh': 'echo "TAP version 13"\necho "ok 1 - home"\necho "not ok 3 - slug"\necho "  at <main>"\necho "# fail 1"\nexit 1\n',
  'pipelines/ci.yaml': `
tasks:
  setup: { run: echo setup }
  flaky:
    needs: [setup]
    run: "if [ -f flaky.done ]; then echo second try fine; else touch flaky.done; echo first try broke; exit 1; fi"
    retry: { attempts: 2, delay: 1ms }
  lint: { needs: [flaky], run: echo lint }
  test: { needs: [lint], run: sh scripts/tap.sh }
  docs: { needs: [test], run: echo docs }
`,
};

describe.skipIf(missing !== undefined)('the HTML report in chromium', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('shows the failed and the retried task, each attempt, the critical path and dependencies', async () => {
    const cwd = makeProject(files);
    const run = await spawnBin(['run', 'ci', '--report', 'run.html', '--output', 'quiet'], { cwd });
    expect(run.code).toBe(1);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(path.join(cwd, 'run.html')).href);

    await expect.poll(() => page.locator('h1').innerText()).toBe('ci failed');
    // The failure's output as preformatted lines, markup shown as text.
    const failure = page.locator('section.failure', { hasText: 'test' }).first();
    expect(await failure.locator('pre').first().innerText()).toContain('not ok 3 - slug\n  at <main>\n# fail 1');
    expect(await failure.innerText()).toContain('attempt 1 of 1: TASK_FAILED: exit code 1');
    // The retried task's failed first attempt is on the page too.
    const retried = page.locator('section.failure', { hasText: 'flaky' });
    expect(await retried.innerText()).toContain('attempt 1 of 2: TASK_FAILED: exit code 1');
    expect(await retried.locator('pre').innerText()).toBe('first try broke\n');

    const lane = (id: string) => page.locator(`.lane:has(.label[title="${id}"])`);
    const segments = await lane('flaky').locator('.seg').evaluateAll((els) => els.map((e) => e.className));
    expect(segments).toEqual(['seg failed', 'seg success']);
    const critical = await page.locator('.lane.crit .label').allInnerTexts();
    expect(critical).toEqual(['setup', 'flaky', 'lint', 'test']);
    expect(await lane('docs').innerText()).toMatch(/docs\s+skipped/);

    // Selecting a task: its needs and dependents marked, its attempts and logs in the detail view.
    await lane('flaky').click();
    await expect.poll(() => lane('setup').getAttribute('class')).toContain('need');
    expect(await lane('lint').getAttribute('class')).toContain('dependent');
    const detail = page.locator('#detail');
    expect(await detail.isVisible()).toBe(true);
    const text = await detail.innerText();
    expect(text).toContain('needs: setup · needed by: lint');
    expect(text).toMatch(/attempt 1 of 2: failed, \S+: TASK_FAILED: exit code 1/);
    expect(text).toMatch(/attempt 2 of 2: success/);
    // The shell output's stdout as a block of text, not a JSON string with \n in it.
    expect(await detail.locator('pre').allInnerTexts()).toContain('second try fine\n');
    expect(text).not.toContain('\\n');

    // Hover shows another task's dependencies.
    await lane('test').hover();
    await expect.poll(() => lane('lint').getAttribute('class')).toContain('need');
    expect(await lane('docs').getAttribute('class')).toContain('dependent');

    await page.screenshot({ path: path.join(shots, 'retried-and-failed.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a 10,000-task report and selects its last task', async () => {
    const report = wideReport(10_000);
    const file = path.join(makeProject({}), 'wide.html');
    writeFileSync(file, renderReportHtml(report));
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(file).href);
    expect(await page.locator('.lane[data-i]').count()).toBe(10_001);
    // By data index (setup is 0): a :has() selector over 10,000 lanes is slow in the test driver, not the page.
    const last = page.locator('.lane[data-i="10000"]');
    await last.scrollIntoViewIfNeeded();
    await last.click();
    await expect.poll(() => page.locator('#detail h3').innerText()).toMatch(/^t\[9999\]/);
    expect(await page.locator('#detail').innerText()).toContain('needs: setup');
    expect(await page.locator('.lane[data-i="0"]').getAttribute('class')).toContain('need');
    await page.screenshot({ path: path.join(shots, 'wide.png') });
    await page.close();
  });
});

/** A finished run of `setup` and a forEach `t` of n instances that each printed a line. */
function wideReport(n: number): RunReport {
  const start = 1_700_000_000_000;
  const tasks: Record<string, TaskResult> = {
    setup: { status: 'success', attempts: 1, startedAt: start, endedAt: start + 10, durationMs: 10, output: { exitCode: 0, stdout: 'ok\n', stderr: '' } },
  };
  for (let i = 0; i < n; i++) {
    const at = start + 10 + (i % 500) * 2;
    tasks[`t[${i}]`] = {
      status: i % 1000 === 7 ? 'failed' : 'success',
      attempts: 1,
      startedAt: at,
      endedAt: at + 5,
      durationMs: 5,
      attemptLog: [{ attempt: 1, startedAt: at, endedAt: at + 5, status: i % 1000 === 7 ? 'failed' : 'success', stdout: { text: `line ${i}\n`, droppedBytes: 0 } }],
      ...(i % 1000 === 7 ? { error: { code: 'TASK_FAILED' as const, message: 'exit code 1' } } : { output: { exitCode: 0, stdout: `line ${i}\n`, stderr: '' } }),
    } as TaskResult;
  }
  return {
    pipeline: 'wide', runId: 'r1', status: 'failed', startedAt: start, endedAt: start + 1100, durationMs: 1100,
    tasks, outputs: {}, usage: { byModel: {}, totalTokens: 0, costUsd: 0 }, needs: { t: ['setup'] },
  };
}
