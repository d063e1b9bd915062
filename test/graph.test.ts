import { describe, expect, test } from 'vitest';
import { ancestors, buildGraph, criticalPath, findCycle, longestRemainingPath, planBatches, topologicalOrder } from '../engine/plan/graph.js';
import { allocateModel, mergeModels } from '../engine/load/models.js';
import { parseDuration } from '../engine/duration.js';
import { suggest } from '../engine/suggest.js';

const diamond = { a: { needs: [] }, b: { needs: ['a'] }, c: { needs: ['a'] }, d: { needs: ['b', 'c'] }, e: {} };

describe('graph', () => {
  test('buildGraph drops needs that name no task and counts repeated needs once', () => {
    const graph = buildGraph({ a: {}, b: { needs: ['a', 'a', 'ghost'] } });
    expect(graph.needs.get('b')).toEqual(['a']);
    expect(graph.dependents.get('a')).toEqual(['b']);
  });

  test('findCycle returns the path from the first declared member back to itself', () => {
    expect(findCycle(buildGraph(diamond))).toBeUndefined();
    expect(findCycle(buildGraph({ x: {}, c: { needs: ['a'] }, a: { needs: ['b'] }, b: { needs: ['c'] } }))).toEqual(['c', 'a', 'b', 'c']);
    expect(findCycle(buildGraph({ a: { needs: ['a'] } }))).toEqual(['a', 'a']);
  });

  test('planBatches groups by level, sorted within a level', () => {
    expect(planBatches(buildGraph(diamond))).toEqual([['a', 'e'], ['b', 'c'], ['d']]);
  });

  test('criticalPath follows the longest chain, or the heaviest with weights', () => {
    const tasks = { a: {}, b: { needs: ['a'] }, c: { needs: ['b'] }, x: {}, y: { needs: ['x'] } };
    expect(criticalPath(buildGraph(tasks))).toEqual(['a', 'b', 'c']);
    const weights: Record<string, number> = { a: 1, b: 1, c: 1, x: 10, y: 10 };
    expect(criticalPath(buildGraph(tasks), (id) => weights[id]!)).toEqual(['x', 'y']);
    expect(criticalPath(buildGraph({}))).toEqual([]);
  });

  test('ancestors are everything a task waits for', () => {
    expect([...ancestors(buildGraph(diamond), 'd')].sort()).toEqual(['a', 'b', 'c']);
    expect(ancestors(buildGraph(diamond), 'a').size).toBe(0);
  });

  test('longestRemainingPath counts the chain to the end, the task included', () => {
    expect(Object.fromEntries(longestRemainingPath(diamond))).toEqual({ a: 3, b: 2, c: 2, d: 1, e: 1 });
  });

  test('a 10,000-long chain is walked without recursion', () => {
    const tasks: Record<string, { needs: string[] }> = {};
    for (let i = 0; i < 10_000; i++) tasks[`t${i}`] = { needs: i === 0 ? [] : [`t${i - 1}`] };
    const graph = buildGraph(tasks);
    expect(topologicalOrder(graph)).toHaveLength(10_000);
    expect(longestRemainingPath(tasks).get('t0')).toBe(10_000);
    expect(criticalPath(graph)).toHaveLength(10_000);
    tasks.t0!.needs = ['t9999'];
    expect(findCycle(buildGraph(tasks))).toHaveLength(10_001);
  });
});

describe('models', () => {
  const models = mergeModels(
    { aliases: { sonnet: 'claude-sonnet-5-5', haiku: 'claude-haiku-5-5' }, default: 'haiku', allocate: { haiku: ['summary'] } },
    { aliases: { opus: 'claude-opus-5-5' }, default: 'sonnet', allocate: { opus: ['security', 'tag:critical'] } },
  );

  test('task model beats allocate beats default; aliases resolve to ids', () => {
    expect(allocateModel({ id: 'security', model: 'haiku' }, models)).toBe('claude-haiku-5-5');
    expect(allocateModel({ id: 'security' }, models)).toBe('claude-opus-5-5');
    expect(allocateModel({ id: 'fix', tags: ['critical'] }, models)).toBe('claude-opus-5-5');
    expect(allocateModel({ id: 'summary' }, models)).toBe('claude-haiku-5-5');
    expect(allocateModel({ id: 'other' }, models)).toBe('claude-sonnet-5-5');
    expect(allocateModel({ id: 'x', model: 'claude-custom-1' }, models)).toBe('claude-custom-1');
  });

  test('the pipeline allocate entries match before the config ones', () => {
    expect(Object.keys(models.allocate)).toEqual(['opus', 'haiku']);
    expect(allocateModel({ id: 'summary', tags: ['critical'] }, models)).toBe('claude-opus-5-5');
  });

  test('no model anywhere leaves the choice to the executor', () => {
    expect(allocateModel({ id: 'x' }, mergeModels(undefined, undefined))).toBeUndefined();
  });
});

describe('durations and suggestions', () => {
  test('parseDuration reads units, compounds and plain milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(42)).toBe(42);
  });

  test('parseDuration throws BAD_DURATION for prose and negatives', () => {
    for (const bad of ['5 minutes', '', 'ms', '10', -5]) {
      expect(() => parseDuration(bad)).toThrow(expect.objectContaining({ code: 'BAD_DURATION' }));
    }
  });

  test('suggest finds close typos and nothing for unrelated words', () => {
    expect(suggest('neds', ['needs', 'uses', 'with'])).toBe('needs');
    expect(suggest('tiemout', ['timeout', 'retry'])).toBe('timeout');
    expect(suggest('id', ['if', 'env'])).toBeUndefined();
    expect(suggest('banana', ['needs', 'uses'])).toBeUndefined();
  });
});
