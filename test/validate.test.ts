import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { defaultConfig } from '../engine/load/config.js';
import { parsePipeline } from '../engine/load/load.js';
import { createRegistry, loadRegistry, type Registry } from '../engine/load/registry.js';
import type { Problem } from '../engine/types.js';
import { validatePipeline } from '../engine/load/validate.js';
import { withoutEditorConditions } from '../engine/load/validate/editor-schema.js';
import { parseYaml } from '../engine/load/yaml.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const invalidDir = path.join(here, 'fixtures', 'invalid');
const fixtures = readdirSync(invalidDir).filter((f) => /\.ya?ml$/.test(f)).sort();

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry([], invalidDir);
});

/** `CODE line:col` per problem, in position order: what a fixture's first line promises. */
function summarize(problems: Problem[]): string[] {
  return problems.map((p) => `${p.code} ${p.line}:${p.col}`);
}

function expectationOf(text: string): string[] {
  const first = text.split('\n')[0]!;
  const match = /^# expect: (.+)$/.exec(first);
  if (!match) throw new Error(`fixture lacks "# expect:" on line 1: ${first}`);
  const parts = match[1]!.trim().split(/\s+/);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 2) out.push(`${parts[i]} ${parts[i + 1]}`);
  return out;
}

function load(text: string, file: string, config = defaultConfig(invalidDir), reg = registry) {
  return parsePipeline(text, file, { config, registry: reg });
}

describe('invalid fixtures', () => {
  test('there is a fixture for each kind of mistake', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(32);
  });

  test.each(fixtures)('%s reports exactly its expected codes and positions', (name) => {
    const file = path.join(invalidDir, name);
    const text = readFileSync(file, 'utf8');
    const { pipeline, problems } = load(text, file);
    expect(pipeline).toBeUndefined();
    expect(summarize(problems)).toEqual(expectationOf(text));
    for (const p of problems) {
      expect(p.file).toBe(file);
      expect(p.message.length).toBeGreaterThan(0);
    }
  });
});

describe('the published schema', () => {
  // Its hand-written part: the checks of `with` per executor are made from each executor's own
  // schema (test/schemas.test.ts).
  const schema = withoutEditorConditions(JSON.parse(readFileSync(path.join(here, '..', 'schemas', 'pipeline.schema.json'), 'utf8'))) as Record<string, any>;

  /** Every `properties` map in the schema, with where it sits. */
  function propertyMaps(node: unknown, at: string, out: Array<[string, Record<string, any>]> = []) {
    if (node === null || typeof node !== 'object') return out;
    const obj = node as Record<string, any>;
    if (obj.properties) out.push([at, obj.properties]);
    for (const [key, child] of Object.entries(obj)) propertyMaps(child, `${at}/${key}`, out);
    return out;
  }

  test('describes every property, for editors (directly or through its $ref)', () => {
    const described = (s: Record<string, any>): boolean =>
      typeof s.description === 'string' || (typeof s.$ref === 'string' && described(schema.definitions[s.$ref.replace('#/definitions/', '')] ?? {}));
    const missing = propertyMaps(schema, '#').flatMap(([at, props]) =>
      Object.entries(props).filter(([, s]) => !described(s)).map(([name]) => `${at}/${name}`),
    );
    expect(missing).toEqual([]);
  });

  test('closes every object that lists its properties', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (node === null || typeof node !== 'object') return;
      const obj = node as Record<string, any>;
      // A schema for the other keys is a deliberate map (matrix axes), not a forgotten `false`.
      if (obj.properties && (obj.additionalProperties === undefined || obj.additionalProperties === true)) open.push(at);
      for (const [key, child] of Object.entries(obj)) walk(child, `${at}/${key}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });

  test('has the task keys of the spec table plus run, cache, batch, runsOn, description, internal, sources, generates, matrix, service and once', () => {
    expect(Object.keys(schema.definitions.task.properties).sort()).toEqual(
      ['uses', 'run', 'with', 'needs', 'when', 'if', 'forEach', 'concurrency', 'pool', 'locks', 'retry', 'timeout', 'continueOnError', 'model', 'tags', 'priority', 'env', 'cache', 'batch', 'runsOn', 'description', 'internal', 'sources', 'generates', 'matrix', 'service', 'once'].sort(),
    );
  });
});

describe('messages a person reads', () => {
  test('an unknown key names the path and suggests the right one', () => {
    const { problems } = load('tasks:\n  build:\n    neds: [x]\n    run: make\n', 'p.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe('tasks.build: unknown key "neds" (did you mean "needs"?)');
    expect(problems[0]!.taskId).toBe('build');
  });

  test('a cycle is printed as a path that returns to its start', () => {
    const text = 'tasks:\n  a: { needs: [b], run: x }\n  b: { needs: [c], run: x }\n  c: { needs: [a], run: x }\n';
    const { problems } = load(text, 'p.yaml');
    expect(problems.map((p) => p.code)).toEqual(['GRAPH_CYCLE']);
    expect(problems[0]!.message).toContain('a -> b -> c -> a');
  });

  test('unknown needs, executors, pools and models suggest the closest name', () => {
    const text = [
      'pools: { api: { concurrency: 1 } }',
      'models: { aliases: { sonnet: claude-sonnet-5-5 } }',
      'tasks:',
      '  lint: { run: x }',
      '  build: { needs: [lnit], uses: shel, pool: apo, model: sonet }',
    ].join('\n');
    const messages = load(text, 'p.yaml').problems.map((p) => `${p.code}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^UNKNOWN_NEED: .*"lnit".*did you mean "lint"/),
        expect.stringMatching(/^UNKNOWN_EXECUTOR: .*"shel".*did you mean "shell"/),
        expect.stringMatching(/^UNKNOWN_POOL: .*"apo".*did you mean "api"/),
        expect.stringMatching(/^UNKNOWN_MODEL: .*"sonet".*did you mean "sonnet"/),
      ]),
    );
  });

  test('a bad enum value lists the allowed ones', () => {
    const { problems } = load('tasks:\n  a: { run: x, when: allways }\n', 'p.yaml');
    expect(problems[0]!.message).toContain('success, always, failure');
    expect(problems[0]!.message).toContain('did you mean "always"');
  });
});

describe('semantic checks', () => {
  test('a task may read a task it needs only through another need', () => {
    const text = 'tasks:\n  a: { run: x }\n  b: { needs: [a], run: x }\n  c: { needs: [b], run: "echo {{tasks.a.output.stdout}}" }\n';
    expect(load(text, 'p.yaml').problems).toEqual([]);
  });

  test('outputs may read any task; env may read none', () => {
    const ok = 'tasks:\n  a: { run: x }\noutputs:\n  out: "{{tasks.a.output.stdout}}"\n';
    expect(load(ok, 'p.yaml').problems).toEqual([]);
    const bad = 'env: { X: "{{tasks.a.output.stdout}}" }\ntasks:\n  a: { run: x }\n';
    expect(summarize(load(bad, 'p.yaml').problems)).toEqual(['TEMPLATE_RACE 1:11']);
  });

  test('templates with helpers and blocks go through the template engine', () => {
    const ok = 'tasks:\n  a: { run: x }\n  b: { needs: [a], if: "{{gt (len tasks.a.output.stdout) 0}}", run: "{{#each tasks.a.output.json as |f|}}{{f}} {{/each}}" }\n';
    expect(load(ok, 'p.yaml').problems).toEqual([]);
    const race = 'tasks:\n  a: { run: x }\n  b: { if: "{{gt (len tasks.a.output.stdout) 0}}", run: x }\n';
    expect(summarize(load(race, 'p.yaml').problems)).toEqual(['TEMPLATE_RACE 3:12']);
  });

  test('an escaped or malformed mustache is not taken for a plain path', () => {
    const escaped = 'tasks:\n  a: { run: "echo \\\\{{tasks.nope.output}}" }\n';
    expect(load(escaped, 'p.yaml').problems).toEqual([]);
    const broken = 'tasks:\n  a: { run: "echo {{{inputs.x}}" }\n';
    expect(summarize(load(broken, 'p.yaml').problems)).toEqual(['TEMPLATE_SYNTAX 2:13']);
  });

  test('pools and model aliases from the config count as declared', () => {
    const config = { ...defaultConfig(invalidDir), pools: { shared: { concurrency: 1 } }, models: { aliases: { fast: 'claude-haiku-5-5' } } };
    const text = 'tasks:\n  a: { run: x, pool: shared, model: fast }\n  b: { run: x, model: claude-opus-5-5 }\n';
    expect(load(text, 'p.yaml', config).problems).toEqual([]);
    expect(summarize(load(text, 'p.yaml').problems)).toEqual(['UNKNOWN_POOL 2:22', 'UNKNOWN_MODEL 2:37']);
  });

  test("a template value may stand where an executor's schema wants another type", () => {
    const text = 'inputs: { n: { type: integer, default: 10 } }\ntasks:\n  a: { run: x, with: { maxOutputBytes: "{{inputs.n}}" } }\n';
    expect(load(text, 'p.yaml').problems).toEqual([]);
  });

  test("each executor's with is checked against the schema it publishes", () => {
    const custom = createRegistry();
    custom.executors.set('echo', {
      name: 'echo',
      source: 'test',
      moduleUrl: 'file:///nowhere.js',
      executor: {
        schema: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string' }, times: { type: 'integer' } } },
        async run() {
          return undefined;
        },
      },
    });
    const text = 'tasks:\n  a:\n    uses: echo\n    with: { text: hi, times: two, loud: true }\n  b:\n    uses: echo\n';
    const { problems } = load(text, 'p.yaml', defaultConfig(invalidDir), custom);
    expect(summarize(problems)).toEqual(['PIPELINE_INVALID 4:30', 'UNKNOWN_KEY 4:35', 'PIPELINE_INVALID 5:3']);
  });

  test('every problem of a file comes back at once, sorted by position', () => {
    const text = readFileSync(path.join(invalidDir, 'several-problems.yaml'), 'utf8');
    const problems = validatePipeline(parseYaml(text, 'x.yaml'), { registry, config: defaultConfig(invalidDir) });
    expect(problems.length).toBe(5);
    const positions = problems.map((p) => p.line * 1000 + p.col);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});
