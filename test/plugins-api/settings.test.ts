// Plugin-owned settings: an executor owns a top-level key of weft.config.yaml, checked with the
// executor's own schema at its line and column, and merged into that executor's ctx.options.
import { describe, expect, it } from 'vitest';
import { spawnBin } from '../cli/support.js';
import { makeProject } from '../support/project.js';

const plugin = `export default {
  executors: {
    greet: {
      schema: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false },
      settings: { greeting: { type: 'object', additionalProperties: false, required: ['word'], properties: { word: { type: 'string' } } } },
      async run(w, ctx) { return ctx.options.word + ', ' + w.name; },
    },
  },
};
`;

function project(config: string) {
  return makeProject({
    'plugin.mjs': plugin,
    'weft.config.yaml': `plugins: [./plugin.mjs]\n${config}`,
    'pipelines/hi.yaml': 'tasks:\n  hi: { uses: greet, with: { name: weft } }\n',
  });
}

describe('plugin-owned config keys', () => {
  it("reach the owning executor's ctx.options", async () => {
    const result = await spawnBin(['run', 'hi', '--json'], { cwd: project('greeting: { word: Hello }\n') });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).tasks.hi.output).toBe('Hello, weft');
  });

  it("are checked with the owner's schema, at their line and column", async () => {
    const result = await spawnBin(['validate', 'hi'], { cwd: project('greeting:\n  wrod: Hello\n') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/weft\.config\.yaml:3:\d+: .*wrod/);
  });

  it('a key no plugin owns is refused with a did-you-mean, and so is a misspelt built-in setting', async () => {
    const unknown = await spawnBin(['validate', 'hi'], { cwd: project('greetin: { word: Hello }\n') });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/weft\.config\.yaml:2:1: unknown key "greetin" \(did you mean "greeting"\?\)/);
    const llm = await spawnBin(['validate', 'hi'], { cwd: project('anthropic: { baseUrl: "http://127.0.0.1:1" }\n') });
    expect(llm.code).toBe(2);
    expect(llm.stderr).toMatch(/weft\.config\.yaml:2:\d+: .*baseUrl/);
  });
});
