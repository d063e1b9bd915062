// The build compiles the built-in schemas (npm run build runs generate-validators): loading a
// pipeline then needs neither ajv nor a compile. A schema the build did not see falls back to ajv.
import { describe, expect, it } from 'vitest';
import { executors } from '../plugins/builtin.js';
import { configSchema } from '../engine/load/config.js';
import { precompiledValidator } from '../engine/load/validate/precompiled.js';
import { compileSchema, readPipelineSchema } from '../engine/load/validate/schema.js';

describe('validators compiled at build time', () => {
  it('has one for the pipeline, the config and every built-in executor', () => {
    expect(precompiledValidator(readPipelineSchema())).toBeTypeOf('function');
    expect(precompiledValidator(configSchema as unknown as Record<string, unknown>)).toBeTypeOf('function');
    for (const executor of Object.values(executors)) expect(precompiledValidator(executor.schema)).toBeTypeOf('function');
  });

  it('judges like ajv at run time, errors with their schema (the messages read it)', () => {
    const validate = precompiledValidator(executors.shell!.schema)!;
    expect(validate({ command: 'true' })).toBe(true);
    expect(validate({ command: 1, bogus: true })).toBe(false);
    const keywords = validate.errors!.map((e) => e.keyword).sort();
    expect(keywords).toEqual(['additionalProperties', 'type']);
    expect(validate.errors!.find((e) => e.keyword === 'additionalProperties')!.parentSchema).toHaveProperty('properties.command');
  });

  it('falls back to ajv for a schema the build did not see', () => {
    const schema = { type: 'object', required: ['x'] };
    expect(precompiledValidator(schema)).toBeUndefined();
    const validate = compileSchema(schema);
    expect(typeof validate === 'function' && validate({})).toBe(false);
  });
});
