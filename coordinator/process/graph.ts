import type { ProcessDefinition } from './define.ts';

export interface ProcessGraph {
  name: string;
  version: number;
  description: string;
  start: string;
  nodes: Array<{ id: string; agent: string; description?: string; onFinalFailure: string }>;
  edges: Array<{ from: string; to: string }>;
}

/** The explicit graph of a process, for listing, the dashboard and `coo processes`. */
export function processGraph(def: ProcessDefinition<any>): ProcessGraph {
  return {
    name: def.name,
    version: def.version,
    description: def.description,
    start: def.start,
    nodes: Object.entries(def.steps).map(([id, s]) => ({
      id,
      agent: s.agent ?? 'core',
      description: s.description,
      onFinalFailure: s.onFinalFailure ?? 'escalate',
    })),
    edges: Object.entries(def.steps).flatMap(([id, s]) => (s.next ?? []).map((to) => ({ from: id, to }))),
  };
}

/** Mermaid flowchart text: pastes into any Markdown viewer that draws Mermaid. */
export function drawMermaid(graph: ProcessGraph): string {
  const lines = ['flowchart TD', `  start((start)) --> ${graph.start}`];
  for (const n of graph.nodes) lines.push(`  ${n.id}["${n.id}<br/><small>${n.agent}</small>"]`);
  for (const e of graph.edges) lines.push(`  ${e.from} --> ${e.to}`);
  for (const n of graph.nodes) if (!graph.edges.some((e) => e.from === n.id)) lines.push(`  ${n.id} --> done((done))`);
  return lines.join('\n');
}
