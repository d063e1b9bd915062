import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { isWeftError, type WeftError } from '../engine/errors.js';
import {
  analyzeTemplate,
  createTemplateEngine,
  isTemplate,
  renderString,
  renderValue,
} from '../engine/handlebars/render.js';

const engine = createTemplateEngine();

function makeScope(): Record<string, unknown> {
  return {
    inputs: { project: 'weft', name: 'x; touch pwned', count: 3, empty: '', nothing: null, flags: ['-a', 'b c'] },
    env: { STAGE: 'dev' },
    secrets: { TOKEN: 's3cr3t-value', UNSET: undefined },
    tasks: {
      scan: {
        status: 'success',
        output: { stdout: 'found 2\n', exitCode: 0, json: [{ file: 'a.ts', line: 3 }, { file: 'b.ts', line: 9 }] },
      },
      fan: { status: 'success', outputs: [{ n: 1 }, { n: 2 }, { n: 3 }] },
      none: { status: 'skipped', output: null },
    },
    item: { file: 'src/x-1.ts' },
    index: 4,
    pipeline: { name: 'demo' },
    run: { id: 'r-1' },
  };
}
const scope = makeScope();

/** The WeftError a call throws (fails the test when it does not throw one). */
function caught(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (error) {
    if (isWeftError(error)) return error;
    throw error;
  }
  throw new Error('expected a WeftError, nothing was thrown');
}

describe('typed whole-value rendering', () => {
  test('a string that is exactly one {{expr}} yields the value itself', () => {
    const json = (scope.tasks as any).scan.output.json;
    expect(renderString(engine, '{{tasks.scan.output.json}}', scope)).toBe(json);
    expect(renderString(engine, '{{inputs.count}}', scope)).toBe(3);
    expect(renderString(engine, '{{tasks.scan.output}}', scope)).toEqual((scope.tasks as any).scan.output);
    expect(renderString(engine, '{{inputs.nothing}}', scope)).toBeNull();
    expect(renderString(engine, '{{inputs.project}}', scope)).toBe('weft');
    expect(renderString(engine, '{{true}}', scope)).toBe(true);
    expect(renderString(engine, '{{42}}', scope)).toBe(42);
  });

  test('surrounding whitespace and triple braces still yield the value', () => {
    expect(renderString(engine, '  {{tasks.fan.outputs}}\n', scope)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(renderString(engine, '{{{inputs.count}}}', scope)).toBe(3);
  });

  test('helper calls with subexpressions yield typed results', () => {
    expect(renderString(engine, '{{gt (len tasks.fan.outputs) 0}}', scope)).toBe(true);
    expect(renderString(engine, '{{eq (len tasks.scan.output.json) 5}}', scope)).toBe(false);
    expect(renderString(engine, '{{len tasks.fan.outputs}}', scope)).toBe(3);
    expect(renderString(engine, '{{default inputs.nothing (len inputs.flags)}}', scope)).toBe(2);
    expect(renderString(engine, '{{and (eq tasks.scan.status "success") (not inputs.empty)}}', scope)).toBe(true);
  });

  test('anything else yields a string; objects read as JSON, null as empty', () => {
    expect(renderString(engine, 'n={{inputs.count}}', scope)).toBe('n=3');
    expect(renderString(engine, '{{inputs.count}}{{inputs.count}}', scope)).toBe('33');
    expect(renderString(engine, 'flags: {{inputs.flags}}', scope)).toBe('flags: ["-a","b c"]');
    expect(renderString(engine, 'first: {{tasks.fan.outputs.[0]}}', scope)).toBe('first: {"n":1}');
    expect(renderString(engine, '[{{inputs.nothing}}]', scope)).toBe('[]');
    expect(renderString(engine, '{{#if inputs.count}}{{inputs.count}}{{/if}}', scope)).toBe('3');
    expect(renderString(engine, '{{#if inputs.nothing}}a{{else if inputs.count}}b{{else}}c{{/if}}', scope)).toBe('b');
    expect(renderString(engine, '{{#unless inputs.empty}}u{{/unless}}{{#if (eq index 4)}}4{{/if}}', scope)).toBe('u4');
  });

  test('no HTML escaping: this is a task runner', () => {
    const s = { v: '<a href="x">&\'</a>' };
    expect(renderString(engine, 'v={{v}}', s)).toBe('v=<a href="x">&\'</a>');
  });

  test('plain strings come back untouched without compiling anything', () => {
    const fresh = createTemplateEngine();
    expect(renderString(fresh, 'echo hello', scope)).toBe('echo hello');
    expect(renderString(fresh, 'a { b } {c}', scope)).toBe('a { b } {c}');
    expect(fresh.cache.text.size).toBe(0);
    for (let i = 0; i < 50; i++) renderString(fresh, '{{item.file}}', { item: { file: `f${i}` } });
    expect(fresh.cache.text.size).toBe(1);
  });
});

describe('plain paths skip Handlebars with the same results', () => {
  // `{{#if true}}…{{/if}}` forces the Handlebars route for the same mustaches.
  const viaHandlebars = (source: string, shell: boolean): unknown =>
    renderString(engine, `{{#if true}}${source}{{/if}}`, scope, { shell });

  test('text and shell output agree between the two routes', () => {
    const sources = [
      'a {{inputs.flags}} b {{inputs.nothing}} c {{inputs.count}} {{tasks.scan.output}} {{{inputs.name}}}',
      'x {{inputs.name}} {{tasks.none.output}} {{inputs.project.length}}',
    ];
    for (const source of sources) {
      for (const shell of [false, true]) {
        expect(renderString(engine, source, scope, { shell }), `${source} shell=${shell}`).toBe(viaHandlebars(source, shell));
      }
    }
  });

  test('errors agree too', () => {
    for (const source of ['a {{tasks.scan.output.nope}}', 'b {{secrets.UNSET}}', 'c {{inputs.constructor}}']) {
      const direct = caught(() => renderString(engine, source, scope, { where: 'w' }));
      const handlebars = caught(() => viaHandlebars(source, false));
      expect(direct.code).toBe('TEMPLATE_ERROR');
      expect(handlebars.code).toBe('TEMPLATE_ERROR');
      expect(direct.message).toBe(`w: ${handlebars.message}`);
    }
  });
});

describe('strict references', () => {
  test('a missing path is a TEMPLATE_ERROR naming where and the full path', () => {
    const error = caught(() =>
      renderString(engine, 'n: {{tasks.scan.output.json.findings}}', scope, { where: 'tasks.report.with.prompt' }),
    );
    expect(error.code).toBe('TEMPLATE_ERROR');
    expect(error.message).toContain('tasks.report.with.prompt');
    expect(error.message).toContain('tasks.scan.output.json.findings');
  });

  test('the message lists what is there, so a typo is a one-look fix', () => {
    const error = caught(() => renderString(engine, '{{tasks.scan.output.stdot}}', scope));
    expect(error.message).toContain('tasks.scan.output.stdot');
    expect(error.message).toContain('stdout');
  });

  test('missing roots, missing tasks and reads through null are all errors', () => {
    for (const source of ['{{nosuch}}', '{{tasks.nosuch.output}}', '{{tasks.none.output.stdout}}', 'x {{inputs.count.x}}']) {
      const error = caught(() => renderString(engine, source, scope, { where: 'w' }));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain(source.replace(/^x /, '').slice(2, -2));
    }
  });

  test('values that exist but are null or empty are fine', () => {
    expect(renderString(engine, 'out=[{{tasks.none.output}}]', scope)).toBe('out=[]');
    expect(renderString(engine, 'e=[{{inputs.empty}}]', scope)).toBe('e=[]');
  });

  // Handlebars' own strict mode lets these through silently as undefined.
  test('missing paths inside helper params, subexpressions and hash-free blocks are errors too', () => {
    const sources = [
      '{{eq tasks.scan.output.nope 1}}',
      '{{len (default tasks.scan.output.nope "x")}}',
      '{{#if tasks.scan.output.nope}}yes{{/if}}',
      '{{#each tasks.scan.output.nope}}{{this}}{{/each}}',
      '{{json (lookup tasks.scan.output "nope")}}',
    ];
    for (const source of sources) {
      const error = caught(() => renderString(engine, source, scope));
      expect(error.code, source).toBe('TEMPLATE_ERROR');
      expect(error.message, source).toMatch(/nope/);
    }
    expect(caught(() => renderString(engine, '{{eq tasks.scan.output.nope 1}}', scope)).message).toContain(
      'tasks.scan.output.nope',
    );
  });

  test('inside #each: this, relative paths, block params, ../ and @root are strict as well', () => {
    const each = (body: string): unknown => renderString(engine, `{{#each tasks.fan.outputs}}${body}{{/each}}`, scope);
    expect(each('{{n}}{{this.n}}{{@index}}{{../inputs.count}}{{@root.index}};')).toBe('11034;22134;33234;');
    expect(caught(() => each('{{m}}')).message).toContain('this.m');
    expect(caught(() => each('{{../inputs.nope}}')).message).toContain('../inputs.nope');
    expect(caught(() => each('{{@root.inputs.nope}}')).message).toContain('@root.inputs.nope');
    const nested = '{{#each tasks.fan.outputs}}{{#each ../inputs.flags}}{{@../index}}.{{@index}} {{/each}}{{/each}}';
    expect(renderString(engine, nested, scope)).toBe('0.0 0.1 1.0 1.1 2.0 2.1 ');
    expect(caught(() => each('{{@../constructor}}')).code).toBe('TEMPLATE_ERROR');
    const withParams = '{{#each tasks.scan.output.json as |f i|}}{{i}}:{{f.file}} {{/each}}';
    expect(renderString(engine, withParams, scope)).toBe('0:a.ts 1:b.ts ');
    const badParam = '{{#each tasks.scan.output.json as |f|}}{{f.path}}{{/each}}';
    expect(caught(() => renderString(engine, badParam, scope)).message).toContain('f.path');
    expect(renderString(engine, '{{#with tasks.scan.output}}{{exitCode}}{{/with}}', scope)).toBe('0');
    expect(renderString(engine, '{{#each inputs.flags}}[{{this}}]{{else}}none{{/each}}', scope)).toBe('[-a][b c]');
  });

  test('secrets.NAME reads the value; a missing or unset secret is an error naming it', () => {
    expect(renderString(engine, 'Bearer {{secrets.TOKEN}}', scope)).toBe('Bearer s3cr3t-value');
    for (const name of ['MISSING', 'UNSET']) {
      const error = caught(() => renderString(engine, `{{secrets.${name}}}`, scope, { where: 'tasks.call.with.headers' }));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain(`secrets.${name}`);
      // Other secrets' names are not listed in the message.
      expect(error.message).not.toContain('TOKEN');
    }
  });

  test('no prototype access: inherited and prototype properties are "not defined"', () => {
    const sources = [
      '{{inputs.constructor}}',
      '{{inputs.__proto__}}',
      '{{inputs.toString}}',
      '{{inputs.project.constructor}}',
      '{{lookup inputs "constructor"}}',
      '{{#with inputs}}{{constructor.name}}{{/with}}',
      '{{#each inputs.flags}}{{this.constructor}}{{/each}}',
    ];
    // Handlebars reports denied prototype access on the console; weft's engine never reaches that path.
    const consoleError = vi.spyOn(console, 'error');
    for (const source of sources) expect(caught(() => renderString(engine, source, scope)).code, source).toBe('TEMPLATE_ERROR');
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
    // A string's length is the one primitive property worth reading.
    expect(renderString(engine, '{{inputs.project.length}}', scope)).toBe(4);
  });
});

describe('helpers', () => {
  const r = (source: string, s: Record<string, unknown> = scope): unknown => renderString(engine, source, s);

  test('comparisons', () => {
    expect([r('{{eq 1 1}}'), r('{{eq 1 "1"}}'), r('{{ne 1 2}}'), r('{{ne "a" "a"}}')]).toEqual([true, false, true, false]);
    expect([r('{{gt 2 1}}'), r('{{gt 1 1}}'), r('{{gte 1 1}}'), r('{{lt 1 2}}'), r('{{lte 2 1}}')]).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  test('and / or / not follow #if truthiness (empty array is false)', () => {
    expect([r('{{and 1 "x" true}}'), r('{{and 1 0}}'), r('{{or 0 "" x}}', { x: [] }), r('{{or 0 "y"}}')]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect([r('{{not x}}', { x: [] }), r('{{not 1}}')]).toEqual([true, false]);
  });

  test('len of arrays, strings and objects', () => {
    expect([r('{{len inputs.flags}}'), r('{{len inputs.project}}'), r('{{len tasks}}'), r('{{len inputs.nothing}}')]).toEqual([
      2, 4, 3, 0,
    ]);
    expect(caught(() => r('{{len inputs.count}}')).code).toBe('TEMPLATE_ERROR');
  });

  test('json with an optional indent', () => {
    expect(r('{{json inputs.flags}}')).toBe('["-a","b c"]');
    expect(r('{{json item 2}}')).toBe('{\n  "file": "src/x-1.ts"\n}');
    expect(r('x={{json inputs.nothing}}')).toBe('x=null');
  });

  test('default skips null, undefined and the empty string, not 0 or false', () => {
    expect([r('{{default inputs.nothing "d"}}'), r('{{default inputs.empty "d"}}'), r('{{default 0 "d"}}')]).toEqual([
      'd',
      'd',
      0,
    ]);
    expect(r('{{default false "d"}}')).toBe(false);
  });

  test('join and includes', () => {
    expect(r('{{join inputs.flags " "}}')).toBe('-a b c');
    expect(r('{{join inputs.flags}}')).toBe('-a, b c');
    expect(r('{{join tasks.fan.outputs "|"}}')).toBe('{"n":1}|{"n":2}|{"n":3}');
    expect([r('{{includes inputs.flags "-a"}}'), r('{{includes inputs.flags "x"}}')]).toEqual([true, false]);
    expect([r('{{includes tasks.scan.output.stdout "found"}}'), r('{{includes inputs.nothing "x"}}')]).toEqual([true, false]);
  });
});

describe('compile errors', () => {
  test('an unknown helper is UNKNOWN_HELPER, at analysis and at render', () => {
    for (const source of ['{{nope 1}}', 'x {{len (nope inputs)}}', '{{#nope}}x{{/nope}}', '{{log "x"}}', '{{* deco}}']) {
      const { error } = analyzeTemplate(engine, source);
      expect(error?.code, source).toBe('UNKNOWN_HELPER');
      expect(error?.message, source).toMatch(/nope|log|deco/);
    }
    const error = caught(() => renderString(engine, '{{nope 1}}', scope, { where: 'tasks.a.with.run' }));
    expect(error.code).toBe('UNKNOWN_HELPER');
    expect(error.message).toContain('tasks.a.with.run');
  });

  test('a parse error is TEMPLATE_SYNTAX saying what and where, in words', () => {
    const unclosed = analyzeTemplate(engine, 'echo {{inputs.name');
    expect(unclosed.error?.code).toBe('TEMPLATE_SYNTAX');
    expect(unclosed.error?.message).toBe('template syntax error: `{{` at line 1, column 6 is never closed with `}}`');
    const open = analyzeTemplate(engine, 'a\n  {{#if x}}b');
    expect(open.error?.message).toBe('template syntax error: `{{#if}}` at line 2, column 3 is never closed: add {{/if}}');
    const mismatch = analyzeTemplate(engine, '{{#if x}}{{/each}}');
    expect(mismatch.error?.code).toBe('TEMPLATE_SYNTAX');
    expect(mismatch.error?.message).toBe(
      'template syntax error: `{{/each}}` at line 1, column 10 does not close `{{#if}}` (opened at line 1, column 1): expected {{/if}}',
    );
    expect(analyzeTemplate(engine, '{{/if}}').error?.message).toContain('`{{/if}}` at line 1, column 1 closes no block');
    expect(analyzeTemplate(engine, 'x {{ }}').error?.message).toContain('`{{ }}` at line 1, column 3 is empty');
    expect(analyzeTemplate(engine, '{{#each xs}}{{else}}{{else}}{{/each}}').error?.message).toContain('a second `{{else}}` at line 1, column 21');
    expect(analyzeTemplate(engine, '{{#if a}}x{{else if b}}y{{else}}z{{/if}}').error).toBeUndefined();
    expect(analyzeTemplate(engine, '{{!-- {{#if --}}{{x}}').error).toBeUndefined();
    // No grammar token names reach the user.
    for (const bad of ['{{#if x}}', '{{{x}}', '{{x y z)}}', '{{foo bar=}}']) {
      expect(analyzeTemplate(engine, bad).error?.message).not.toMatch(/OPEN_|CLOSE|Expecting|'EOF'/);
    }
    expect(caught(() => renderString(engine, '{{#if x}}', scope)).code).toBe('TEMPLATE_SYNTAX');
  });

  test('wrong argument counts and misuse of blocks are caught before rendering', () => {
    expect(analyzeTemplate(engine, '{{eq 1}}').error?.code).toBe('TEMPLATE_SYNTAX');
    expect(analyzeTemplate(engine, '{{not 1 2}}').error?.message).toContain('not');
    expect(analyzeTemplate(engine, '{{#eq 1 1}}x{{/eq}}').error?.code).toBe('TEMPLATE_SYNTAX');
    expect(analyzeTemplate(engine, '{{#inputs.flags}}x{{/inputs.flags}}').error?.code).toBe('TEMPLATE_SYNTAX');
    expect(analyzeTemplate(engine, '{{> nosuch}}').error?.code).toBe('TEMPLATE_SYNTAX');
  });
});

describe('analyzeTemplate', () => {
  test('lists the root data paths read, including helper params and subexpressions', () => {
    const { error, paths } = analyzeTemplate(
      engine,
      'echo {{tasks.scan.output.stdout}} {{json (len item.files)}} {{#if (eq inputs.mode "x")}}{{secrets.TOKEN}}{{/if}}',
    );
    expect(error).toBeUndefined();
    expect(paths.sort()).toEqual(['inputs.mode', 'item.files', 'secrets.TOKEN', 'tasks.scan.output.stdout']);
  });

  test('block params and paths relative to an #each item are left out; ../ and @root are kept', () => {
    const { paths } = analyzeTemplate(
      engine,
      '{{#each tasks.fan.outputs as |o|}}{{o.n}}{{name}}{{../inputs.q}}{{@root.inputs.z}}{{@index}}{{/each}}{{this}}',
    );
    expect(paths.sort()).toEqual(['inputs.q', 'inputs.z', 'tasks.fan.outputs']);
  });

  test('a plain string reads nothing', () => {
    expect(analyzeTemplate(engine, 'no templates here')).toEqual({ paths: [] });
  });

  test('isTemplate', () => {
    expect(isTemplate('a {{b}}')).toBe(true);
    expect(isTemplate('a {b}')).toBe(false);
  });
});

describe('shell mode', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'weft-template-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const sh = (command: string): string => execFileSync('sh', ['-c', command], { cwd: tmp, encoding: 'utf8' });

  test('{{x}} is quoted so a value cannot inject commands; a real sh proves it', () => {
    const command = renderString(engine, 'echo {{inputs.name}}', scope, { shell: true }) as string;
    expect(command).toBe(`echo 'x; touch pwned'`);
    expect(sh(command)).toBe('x; touch pwned\n');
    expect(existsSync(path.join(tmp, 'pwned'))).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('{{{x}}} is inserted raw, for the author who means it', () => {
    const command = renderString(engine, '{{{cmd}}}', { cmd: 'touch made' }, { shell: true }) as string;
    sh(command);
    expect(existsSync(path.join(tmp, 'made'))).toBe(true);
  });

  test('arrays become one quoted word per element; null an empty word; always a string', () => {
    const command = renderString(engine, 'printf "<%s>" {{inputs.flags}} {{inputs.nothing}} {{inputs.count}}', scope, {
      shell: true,
    }) as string;
    expect(command).toBe(`printf "<%s>" -a 'b c' '' 3`);
    expect(sh(command)).toBe('<-a><b c><><3>');
    expect(renderString(engine, '{{inputs.count}}', scope, { shell: true })).toBe('3');
  });

  test('quoting reaches inside blocks, and helper results are quoted as one word', () => {
    const loop = '{{#each tasks.scan.output.json}}wc -l {{file}}; {{/each}}echo {{join inputs.flags " "}}';
    expect(renderString(engine, loop, scope, { shell: true })).toBe(`wc -l a.ts; wc -l b.ts; echo '-a b c'`);
    const hostile = { files: ['ok.ts', '$(touch pwned2)', '`touch pwned3`'] };
    const command = renderString(engine, 'printf "%s\\n" {{#each files}}{{this}} {{/each}}', hostile, { shell: true });
    sh(command as string);
    expect(existsSync(path.join(tmp, 'pwned2'))).toBe(false);
    expect(existsSync(path.join(tmp, 'pwned3'))).toBe(false);
  });
});

describe('renderValue', () => {
  test('deep-renders strings in objects and arrays, leaving keys and non-strings alone', () => {
    const date = new Date(0);
    const value = {
      '{{key}}': 'literal key',
      args: ['{{item.file}}', 'plain', 7, null, { n: '{{index}}' }],
      when: date,
      prompt: 'Summarize {{pipeline.name}} run {{run.id}}',
    };
    expect(renderValue(engine, value, scope)).toEqual({
      '{{key}}': 'literal key',
      args: ['src/x-1.ts', 'plain', 7, null, { n: 4 }],
      when: date,
      prompt: 'Summarize demo run r-1',
    });
    expect(value.args[0]).toBe('{{item.file}}');
  });

  test('an error names where plus the key path of the failing field', () => {
    const error = caught(() => renderValue(engine, { headers: { auth: ['{{secrets.NOPE}}'] } }, scope, { where: 'tasks.call.with' }));
    expect(error.code).toBe('TEMPLATE_ERROR');
    expect(error.message).toContain('tasks.call.with.headers.auth.0');
    expect(error.message).toContain('secrets.NOPE');
  });

  test('shell applies to every string inside', () => {
    expect(renderValue(engine, { run: 'echo {{inputs.name}}' }, scope, { shell: true })).toEqual({
      run: `echo 'x; touch pwned'`,
    });
  });
});

describe('createTemplateEngine', () => {
  test('plugin helpers are callable, typed, and usable as block helpers', () => {
    const custom = createTemplateEngine({
      helpers: {
        upper: (s: unknown) => String(s).toUpperCase(),
        range: (n: unknown) => Array.from({ length: Number(n) }, (_, i) => i),
        twice: function (this: unknown, ...args: unknown[]) {
          const options = args.at(-1) as Handlebars.HelperOptions;
          return options.fn(this) + options.fn(this);
        },
      },
    });
    expect(renderString(custom, 'hi {{upper inputs.project}}', scope)).toBe('hi WEFT');
    expect(renderString(custom, '{{range 3}}', scope)).toEqual([0, 1, 2]);
    expect(renderString(custom, '{{#twice}}{{inputs.count}}{{/twice}}', scope)).toBe('33');
  });

  test('a plugin helper that throws is a TEMPLATE_ERROR naming the helper', () => {
    const custom = createTemplateEngine({
      helpers: {
        boom: () => {
          throw new Error('bad input');
        },
      },
    });
    const error = caught(() => renderString(custom, '{{boom 1}}', scope, { where: 'tasks.t.with.x' }));
    expect(error.code).toBe('TEMPLATE_ERROR');
    expect(error.message).toMatch(/tasks\.t\.with\.x.*boom.*bad input/);
  });

  test('a plugin helper that collides with a built-in fails loudly, naming both', () => {
    for (const name of ['eq', 'each', 'lookup', 'log', '__read']) {
      const error = caught(() => createTemplateEngine({ helpers: { [name]: () => 1 } }));
      expect(error.code).toBe('PLUGIN_INVALID');
      expect(error.message).toMatch(new RegExp(`plugin helper "${name}".*built-in.*"${name}"`));
    }
  });

  test('engines are isolated from each other and from the global Handlebars', () => {
    const a = createTemplateEngine({ helpers: { only: () => 'a' } });
    expect(renderString(a, '{{only}}', {})).toBe('a');
    expect(analyzeTemplate(engine, '{{only 1}}').error?.code).toBe('UNKNOWN_HELPER');
    expect(Handlebars.helpers).not.toHaveProperty('eq');
    expect(Handlebars.helpers).not.toHaveProperty('only');
  });

  test('partials render with the caller context, and are shell-quoted in shell mode', () => {
    const custom = createTemplateEngine({ partials: { greet: 'hello {{inputs.name}}', wrap: '[{{> greet}}]' } });
    expect(renderString(custom, '{{> wrap}}!', scope)).toBe('[hello x; touch pwned]!');
    expect(renderString(custom, 'echo {{> greet}}', scope, { shell: true })).toBe(`echo hello 'x; touch pwned'`);
    expect(caught(() => renderString(custom, '{{> greet}}', { inputs: {} })).message).toContain('inputs.name');
  });

  test('a broken partial fails at creation with its name', () => {
    const syntax = caught(() => createTemplateEngine({ partials: { bad: '{{#if x}}' } }));
    expect(syntax.code).toBe('TEMPLATE_SYNTAX');
    expect(syntax.message).toContain('partial "bad"');
    expect(caught(() => createTemplateEngine({ partials: { p: '{{nope 1}}' } })).code).toBe('UNKNOWN_HELPER');
  });
});

describe('env and default', () => {
  test('default gives its fallback for a name that is not set, and the value when it is', () => {
    expect(renderString(engine, '{{default env.CI "false"}}', scope)).toBe('false');
    expect(renderString(engine, '{{default env.STAGE "prod"}}', scope)).toBe('dev');
    expect(renderString(engine, 'stage={{default env.MISSING inputs.project}}', scope)).toBe('stage=weft');
  });

  test('a missing env name outside default is an error naming it and both places it was looked for', () => {
    const error = caught(() => renderString(engine, 'echo {{env.CI}}', scope));
    expect(error.code).toBe('TEMPLATE_ERROR');
    expect(error.message).toContain('env.CI is not set');
    expect(error.message).toContain('process environment');
  });

  test('only default is lenient, and only about env: a missing output is still an error', () => {
    expect(caught(() => renderString(engine, '{{len env.CI}}', scope)).code).toBe('TEMPLATE_ERROR');
    expect(caught(() => renderString(engine, '{{default tasks.scan.output.nope "x"}}', scope)).message).toContain('nope');
  });
});
