import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { findConfigFile, loadConfig } from '../engine/load/config.js';

const projects = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'projects');

describe('loadConfig', () => {
  test('finds weft.config.yaml by walking up; its folder is the root', async () => {
    const { config, problems } = await loadConfig(path.join(projects, 'basic', 'pipelines'));
    expect(problems).toEqual([]);
    expect(config.root).toBe(path.join(projects, 'basic'));
    expect(config.file).toBe(path.join(projects, 'basic', 'weft.config.yaml'));
    expect(config.concurrency).toBe(4);
    expect(config.pools).toEqual({ api: { concurrency: 2, rate: { limit: 10, per: 'second' } } });
    expect(config.models).toEqual({ aliases: { sonnet: 'claude-sonnet-5-5', opus: 'claude-opus-5-5' }, default: 'sonnet' });
  });

  test('fills in defaults for keys the file leaves out', async () => {
    const { config } = await loadConfig(path.join(projects, 'basic'));
    expect(config).toMatchObject({ pipelinesDir: 'pipelines', templatesDir: 'templates', partialsDir: 'partials', parallel: true, plugins: [] });
  });

  test('without a config file the root is the directory given', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-config-'));
    expect(findConfigFile(dir)).toBeUndefined();
    const { config, problems } = await loadConfig(dir);
    expect(problems).toEqual([]);
    expect(config.root).toBe(dir);
    expect(config.file).toBeUndefined();
  });

  test('queue: takes a redis:// URL, and points at anything else', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-config-'));
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'queue: redis://10.0.0.5:6379\n');
    expect((await loadConfig(dir)).config.queue).toBe('redis://10.0.0.5:6379');
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'concurrency: 2\nqueue: http://10.0.0.5\n');
    const { problems } = await loadConfig(dir);
    expect(problems).toEqual([expect.objectContaining({ code: 'CONFIG_INVALID', line: 2, col: 8 })]);
  });

  test('every problem of a bad config comes back with its position', async () => {
    const { problems } = await loadConfig(path.join(projects, 'bad-config'));
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['UNKNOWN_KEY 2:1', 'CONFIG_INVALID 3:10', 'CONFIG_INVALID 5:34']);
    expect(problems[0]!.message).toContain('did you mean "concurrency"');
    expect(problems.every((p) => p.file === path.join(projects, 'bad-config', 'weft.config.yaml'))).toBe(true);
  });

  test('breaker cooldowns become milliseconds; an unknown default model is reported', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-config-'));
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'pools:\n  ai: { breaker: { failures: 3, cooldown: 1m } }\n');
    expect((await loadConfig(dir)).config.pools).toEqual({ ai: { breaker: { failures: 3, cooldownMs: 60_000 } } });
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'models:\n  default: sonet\n  aliases: { sonnet: claude-sonnet-5-5 }\n');
    const { problems } = await loadConfig(dir);
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['UNKNOWN_MODEL 2:12']);
  });

  test('a config that is not YAML is a problem, never a throw', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-config-'));
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'pools: [\n');
    const { config, problems } = await loadConfig(dir);
    expect(problems.map((p) => p.code)).toEqual(['YAML_SYNTAX']);
    expect(config.root).toBe(dir);
  });
});
