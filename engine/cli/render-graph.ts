import type { Pipeline } from '../types.js';

export type GraphFormat = 'mermaid' | 'dot';
export const graphFormats: GraphFormat[] = ['mermaid', 'dot'];

/**
 * The task graph as Mermaid flowchart text: one node per task, one edge per need.
 * Node ids are n0, n1, … because task ids may hold `-`, which Mermaid reads as an arrow.
 * @example renderMermaid(pipeline) // 'flowchart TD\n  n0["a"]\n  n1["b"]\n  n0 --> n1'
 */
export function renderMermaid(pipeline: Pipeline): string {
  const ids = Object.keys(pipeline.tasks);
  const node = new Map(ids.map((id, i) => [id, `n${i}`]));
  const lines = ['flowchart TD'];
  for (const id of ids) {
    const task = pipeline.tasks[id]!;
    const label = task.forEach || task.matrix ? `${id}[…]` : id;
    lines.push(`  ${node.get(id)}["${escapeLabel(label)}"]`);
  }
  for (const id of ids) {
    for (const need of pipeline.tasks[id]!.needs) lines.push(`  ${node.get(need)} --> ${node.get(id)}`);
  }
  return lines.join('\n');
}

/**
 * The task graph in Graphviz DOT.
 * @example renderDot(pipeline) // 'digraph "hello" {\n  "a";\n  "a" -> "b";\n}'
 */
export function renderDot(pipeline: Pipeline): string {
  const lines = [`digraph ${quote(pipeline.name)} {`, '  rankdir=LR;'];
  for (const [id, task] of Object.entries(pipeline.tasks)) {
    lines.push(task.forEach || task.matrix ? `  ${quote(id)} [shape=box3d];` : `  ${quote(id)};`);
  }
  for (const [id, task] of Object.entries(pipeline.tasks)) {
    for (const need of task.needs) lines.push(`  ${quote(need)} -> ${quote(id)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function quote(id: string): string {
  return `"${id.replace(/["\\]/g, '\\$&')}"`;
}

function escapeLabel(label: string): string {
  return label.replace(/"/g, '#quot;');
}
