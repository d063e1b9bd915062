// The task graph: needs as edges, walked with plain maps.
//
// Not graphlib: building a @dagrejs/graphlib Graph of 10,000 tasks with 30,000 needs took
// 0.7-0.9 s here (setEdge), against a one-second budget for parse + validate + plan. These maps
// are built in one pass and every walk below is O(tasks + needs), iterative (no stack overflow
// on a 10,000-long chain).

/** Anything with needs: raw tasks at validation time, TaskSpecs afterwards. */
export type NeedsMap = Record<string, { needs?: readonly string[] }>;

/** Tasks in declaration order, with their needs and dependents (edges to unknown ids left out). */
export type TaskGraph = {
  readonly nodes: readonly string[];
  readonly needs: ReadonlyMap<string, readonly string[]>;
  readonly dependents: ReadonlyMap<string, readonly string[]>;
};

/**
 * The graph of a pipeline's tasks. Needs that name no task are left out (validation reports
 * them) and repeated needs count once, so the graph is always well-formed.
 * @example buildGraph({ a: { needs: [] }, b: { needs: ['a'] } }).dependents.get('a') // ['b']
 */
export function buildGraph(tasks: NeedsMap): TaskGraph {
  const nodes = Object.keys(tasks);
  const needs = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const id of nodes) dependents.set(id, []);
  for (const id of nodes) {
    const own = [...new Set(tasks[id]!.needs ?? [])].filter((need) => dependents.has(need));
    needs.set(id, own);
    for (const need of own) dependents.get(need)!.push(id);
  }
  return { nodes, needs, dependents };
}

/**
 * One cycle of needs as a path `[a, b, c, a]` (a needs b, b needs c, c needs a), starting at the
 * member declared first; undefined when there is none. The walk stops at the first cycle.
 * @example findCycle(buildGraph({ a: { needs: ['b'] }, b: { needs: ['a'] } })) // ['a', 'b', 'a']
 */
export function findCycle(graph: TaskGraph): string[] | undefined {
  for (const cycle of walkCycles(graph)) return cycle;
  return undefined;
}

/**
 * Every cycle of needs a depth-first walk meets, one per edge that closes a loop, each as a path
 * like findCycle's; a file with two separate loops (or two loops through one task) reports both.
 * @example findCycles(buildGraph({ a: { needs: ['b'] }, b: { needs: ['a'] }, c: { needs: ['c'] } }))
 * // [['a', 'b', 'a'], ['c', 'c']]
 */
export function findCycles(graph: TaskGraph): string[][] {
  const found = new Map<string, string[]>();
  for (const cycle of walkCycles(graph)) found.set(cycle.join('\0'), cycle);
  return [...found.values()];
}

/**
 * The cycles a depth-first walk over needs meets, in declaration order of the starting tasks,
 * one per edge that closes a loop (the same cycle may come twice). Lazy, so findCycle pays only
 * for the walk up to the first one.
 */
function* walkCycles(graph: TaskGraph): Generator<string[]> {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of graph.nodes) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const pending: string[][] = [[...graph.needs.get(start)!]];
    state.set(start, 'open');
    while (path.length > 0) {
      const next = pending[pending.length - 1]!.pop();
      if (next === undefined) {
        state.set(path.pop()!, 'done');
        pending.pop();
      } else if (state.get(next) === 'open') {
        yield rotateToFirst(path.slice(path.indexOf(next)), graph.nodes);
      } else if (!state.has(next)) {
        state.set(next, 'open');
        path.push(next);
        pending.push([...graph.needs.get(next)!]);
      }
    }
  }
}

function rotateToFirst(cycle: string[], order: readonly string[]): string[] {
  const members = new Set(cycle);
  const first = order.find((id) => members.has(id))!;
  const at = cycle.indexOf(first);
  const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
  return [...rotated, first];
}

/**
 * Tasks in an order where every need comes before its dependents (Kahn's algorithm, declaration
 * order among ready tasks). Tasks on a cycle (which validation rejects) are left out.
 * @example topologicalOrder(buildGraph({ b: { needs: ['a'] }, a: {} })) // ['a', 'b']
 */
export function topologicalOrder(graph: TaskGraph): string[] {
  return kahnOrder(linkedIds(graph)).map((i) => graph.nodes[i]!);
}

/**
 * A graph given by its nodes and three look-ups: a TaskGraph of ids, or anything that links its
 * nodes already (the run's task states), which then needs no graph of ids built first. `indexOf`
 * gives a node's place in `nodes`, so the walks below count in arrays rather than Maps (on the
 * 10,000-task bench DAG: 1.4-2.2 ms against 8.6-13.4 ms).
 */
export type LinkedGraph<T> = {
  nodes: readonly T[];
  indexOf(node: T): number;
  needCount(node: T): number;
  dependentsOf(node: T): readonly T[];
};

function linkedIds(graph: TaskGraph): LinkedGraph<string> {
  const index = new Map(graph.nodes.map((id, i) => [id, i]));
  return {
    nodes: graph.nodes,
    indexOf: (id) => index.get(id)!,
    needCount: (id) => graph.needs.get(id)!.length,
    dependentsOf: (id) => graph.dependents.get(id)!,
  };
}

/** Places in `nodes`, needs before dependents (Kahn's algorithm, declaration order among ready ones). */
function kahnOrder<T>(graph: LinkedGraph<T>): number[] {
  const { nodes } = graph;
  const waiting = new Int32Array(nodes.length);
  const order: number[] = [];
  nodes.forEach((node, i) => {
    waiting[i] = graph.needCount(node);
    if (waiting[i] === 0) order.push(i);
  });
  for (let k = 0; k < order.length; k++) {
    for (const dependent of graph.dependentsOf(nodes[order[k]!]!)) {
      const i = graph.indexOf(dependent);
      waiting[i] = waiting[i]! - 1;
      if (waiting[i] === 0) order.push(i);
    }
  }
  return order;
}

/**
 * Tasks level by level: each batch needs only tasks of earlier batches; sorted within a batch.
 * @example planBatches(buildGraph({ b: { needs: ['a'] }, a: {} })) // [['a'], ['b']]
 */
export function planBatches(graph: TaskGraph): string[][] {
  const level = new Map<string, number>();
  const batches: string[][] = [];
  for (const id of topologicalOrder(graph)) {
    let depth = 0;
    for (const need of graph.needs.get(id)!) depth = Math.max(depth, level.get(need)! + 1);
    level.set(id, depth);
    (batches[depth] ??= []).push(id);
  }
  return batches.map((batch) => batch.sort());
}

/**
 * The heaviest chain of needs, first task first. Weight defaults to 1 per task (the longest
 * chain); pass expected durations to get the chain that bounds the run's wall time.
 * @example criticalPath(buildGraph({ a: {}, b: { needs: ['a'] }, c: {} })) // ['a', 'b']
 */
export function criticalPath(graph: TaskGraph, weight: (id: string) => number = () => 1): string[] {
  const total = new Map<string, number>();
  const via = new Map<string, string>();
  let end: string | undefined;
  for (const id of topologicalOrder(graph)) {
    let best = 0;
    for (const need of graph.needs.get(id)!) {
      const t = total.get(need)!;
      if (t > best) {
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
export function ancestors(graph: TaskGraph, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.needs.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...graph.needs.get(next)!);
  }
  return seen;
}

/**
 * For each task, the number of tasks on the longest chain from it to the end of the run
 * (itself included): the scheduler's default priority.
 * @example longestRemainingPath({ a: { needs: [] }, b: { needs: ['a'] } }) // Map { 'a' => 2, 'b' => 1 }
 */
export function longestRemainingPath(tasks: NeedsMap): Map<string, number> {
  const graph = buildGraph(tasks);
  const lengths = remainingPathLengths(linkedIds(graph));
  return new Map(graph.nodes.map((id, i) => [id, lengths[i]!]));
}

/**
 * longestRemainingPath over any linked graph, by place in `nodes`: the run's task states use it
 * as they are.
 * @example remainingPathLengths({ nodes: states, indexOf: (s) => s.index, needCount: (s) => s.needs.length, dependentsOf: (s) => s.dependents })
 */
export function remainingPathLengths<T>(graph: LinkedGraph<T>): Int32Array {
  const { nodes } = graph;
  // Tasks on a cycle never come out of the sort; validation rejects those pipelines, so any value is safe.
  const remaining = new Int32Array(nodes.length).fill(1);
  const order = kahnOrder(graph);
  for (let k = order.length - 1; k >= 0; k--) {
    let longest = 0;
    for (const dependent of graph.dependentsOf(nodes[order[k]!]!)) longest = Math.max(longest, remaining[graph.indexOf(dependent)]!);
    remaining[order[k]!] = longest + 1;
  }
  return remaining;
}
