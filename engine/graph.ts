// The task graph: an edge from each need to the task that needs it.
import { Graph, alg } from '@dagrejs/graphlib';

/** Anything with needs: raw tasks at validation time, TaskSpecs afterwards. */
export type NeedsMap = Record<string, { needs?: readonly string[] }>;

/**
 * A directed graph of tasks, edges from a need to its dependent. Needs that name no task are
 * left out (validation reports them), so the graph is always well-formed.
 * @example buildGraph({ a: { needs: [] }, b: { needs: ['a'] } }).successors('a') // ['b']
 */
export function buildGraph(tasks: NeedsMap): Graph {
  const graph = new Graph({ directed: true });
  for (const id of Object.keys(tasks)) graph.setNode(id);
  for (const [id, task] of Object.entries(tasks)) {
    for (const need of task.needs ?? []) if (graph.hasNode(need)) graph.setEdge(need, id);
  }
  return graph;
}

/**
 * One cycle of needs as a path `[a, b, c, a]` (a needs b, b needs c, c needs a), starting at the
 * member declared first; undefined when the graph is acyclic.
 * @example findCycle(buildGraph({ a: { needs: ['b'] }, b: { needs: ['a'] } })) // ['a', 'b', 'a']
 */
export function findCycle(graph: Graph): string[] | undefined {
  const order = graph.nodes();
  const state = new Map<string, 'open' | 'done'>();
  for (const start of order) {
    if (state.has(start)) continue;
    // Iterative DFS along needs (predecessors): deep chains must not overflow the stack.
    const path: string[] = [start];
    const pending: string[][] = [graph.predecessors(start) ?? []];
    state.set(start, 'open');
    while (path.length > 0) {
      const next = pending[pending.length - 1]!.pop();
      if (next === undefined) {
        state.set(path.pop()!, 'done');
        pending.pop();
      } else if (state.get(next) === 'open') {
        return rotateToFirst(path.slice(path.indexOf(next)), order);
      } else if (!state.has(next)) {
        state.set(next, 'open');
        path.push(next);
        pending.push(graph.predecessors(next) ?? []);
      }
    }
  }
  return undefined;
}

function rotateToFirst(cycle: string[], order: string[]): string[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  let first = 0;
  for (let i = 1; i < cycle.length; i++) if (rank.get(cycle[i]!)! < rank.get(cycle[first]!)!) first = i;
  const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
  return [...rotated, rotated[0]!];
}

/**
 * Tasks level by level: each batch needs only tasks of earlier batches; sorted within a batch.
 * @example planBatches(buildGraph({ b: { needs: ['a'] }, a: {} })) // [['a'], ['b']]
 */
export function planBatches(graph: Graph): string[][] {
  const level = new Map<string, number>();
  const batches: string[][] = [];
  for (const id of alg.topsort(graph)) {
    let depth = 0;
    for (const need of graph.predecessors(id) ?? []) depth = Math.max(depth, level.get(need)! + 1);
    level.set(id, depth);
    (batches[depth] ??= []).push(id);
  }
  return batches.map((batch) => batch.sort());
}

/**
 * The heaviest chain of needs, first task first. Weight defaults to 1 per task (longest chain);
 * pass expected durations to get the chain that bounds the run's wall time.
 * @example criticalPath(buildGraph({ a: {}, b: { needs: ['a'] }, c: {} })) // ['a', 'b']
 */
export function criticalPath(graph: Graph, weight: (id: string) => number = () => 1): string[] {
  const total = new Map<string, number>();
  const via = new Map<string, string>();
  let end: string | undefined;
  for (const id of alg.topsort(graph)) {
    let best = 0;
    for (const need of graph.predecessors(id) ?? []) {
      const t = total.get(need)!;
      if (t > best || (t === best && via.has(id) && need < via.get(id)!)) {
        best = t;
        via.set(id, need);
      }
    }
    total.set(id, best + weight(id));
    if (end === undefined || total.get(id)! > total.get(end)!) end = id;
  }
  const path: string[] = [];
  for (let id = end; id !== undefined; id = via.get(id)) path.push(id);
  return path.reverse();
}

/**
 * Every task `id` waits for, directly or through other needs.
 * @example ancestors(buildGraph({ a: {}, b: { needs: ['a'] }, c: { needs: ['b'] } }), 'c') // Set { 'b', 'a' }
 */
export function ancestors(graph: Graph, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.predecessors(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.predecessors(next) ?? []));
  }
  return seen;
}

/**
 * For each task, the number of tasks on the longest chain from it to the end of the run
 * (itself included): the scheduler's default priority. Plain maps, no graphlib: it is on the run path.
 * @example longestRemainingPath({ a: { needs: [] }, b: { needs: ['a'] } }) // Map { 'a' => 2, 'b' => 1 }
 */
export function longestRemainingPath(tasks: NeedsMap): Map<string, number> {
  const dependents = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  for (const id of Object.keys(tasks)) {
    dependents.set(id, []);
    waitingOn.set(id, 0);
  }
  for (const [id, task] of Object.entries(tasks)) {
    for (const need of new Set(task.needs ?? [])) {
      if (!dependents.has(need)) continue;
      dependents.get(need)!.push(id);
      waitingOn.set(need, waitingOn.get(need)! + 1);
    }
  }
  // From the sinks backwards: a task is done once every dependent is.
  const remaining = new Map<string, number>();
  const ready = [...waitingOn].filter(([, n]) => n === 0).map(([id]) => id);
  while (ready.length > 0) {
    const id = ready.pop()!;
    let longest = 0;
    for (const dependent of dependents.get(id)!) longest = Math.max(longest, remaining.get(dependent)!);
    remaining.set(id, longest + 1);
    for (const need of new Set(tasks[id]!.needs ?? [])) {
      if (!waitingOn.has(need)) continue;
      const left = waitingOn.get(need)! - 1;
      waitingOn.set(need, left);
      if (left === 0) ready.push(need);
    }
  }
  // Tasks on a cycle never drain; validation rejects those pipelines, so any value is safe.
  for (const id of Object.keys(tasks)) if (!remaining.has(id)) remaining.set(id, 1);
  return remaining;
}
