import type { Plan, PlanNode } from './types.js';

/** A node as shown to people: render shards of one set are folded into one row unless asked. */
export interface ViewNode {
  readonly id: string;
  readonly kind: PlanNode['kind'];
  readonly label: string;
  /** The plan nodes this row stands for (one, or every shard of a set). */
  readonly members: readonly PlanNode[];
  readonly deps: readonly string[];
}

/**
 * The rendered set a render shard belongs to: its params without the id range. Shards of one set
 * differ only in `firstId` and `ids`; two experiments' different renders (other seed, pose,
 * model…) may have the same label, but never the same params, so they stay two rows.
 */
function setKey(n: PlanNode): string | undefined {
  if (n.kind !== 'render') return undefined;
  if (!/^render (.*) ids \d+-\d+ x (\d+)$/.test(n.label)) return undefined;
  const { firstId: _firstId, ids: _ids, ...rest } = n.params;
  return `${n.label.replace(/ ids \d+-\d+ x /, ' x ')}\0${JSON.stringify(rest)}`;
}

/** Folds each rendered set's shards into one view node (ids `render-<first shard id>`). */
export function viewNodes(plan: Plan, fold: boolean): ViewNode[] {
  if (!fold) return plan.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label, members: [n], deps: n.deps }));
  // One pass to group, one to emit: linear in the nodes (a sweep may have 100,000s of shards).
  const keyOf = new Map<string, string>();
  const groups = new Map<string, PlanNode[]>();
  for (const n of plan.nodes) {
    const key = setKey(n);
    if (key === undefined) continue;
    keyOf.set(n.id, key);
    const g = groups.get(key);
    if (g) g.push(n);
    else groups.set(key, [n]);
  }
  const groupOf = new Map<string, string>();
  for (const g of groups.values()) for (const m of g) groupOf.set(m.id, g[0]!.id);
  const out: ViewNode[] = [];
  const emitted = new Set<string>();
  for (const n of plan.nodes) {
    const key = keyOf.get(n.id);
    if (key !== undefined) {
      if (emitted.has(key)) continue;
      emitted.add(key);
      const g = groups.get(key)!;
      const first = g[0]!.label.match(/ids (\d+)-/)?.[1];
      const last = g[g.length - 1]!.label.match(/ids \d+-(\d+)/)?.[1];
      const label = g.length === 1 ? g[0]!.label : `${g[0]!.label.replace(/ ids .*$/, '')} ids ${first}-${last} x ${g[0]!.label.split(' x ').pop()} (${g.length} shards)`;
      out.push({ id: g[0]!.id, kind: 'render', label, members: g, deps: [] });
    } else {
      out.push({ id: n.id, kind: n.kind, label: n.label, members: [n], deps: n.deps });
    }
  }
  return out.map((v) => ({ ...v, deps: [...new Set(v.deps.map((d) => groupOf.get(d) ?? d))] }));
}

function dotEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const SHAPES: Record<string, string> = { render: 'box3d', data: 'cylinder', train: 'box', eval: 'diamond', report: 'note' };

/** Graphviz DOT of the plan. */
export function toDot(plan: Plan, fold = true): string {
  const nodes = viewNodes(plan, fold);
  const lines = ['digraph synx {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const n of nodes) lines.push(`  "${n.id}" [label="${dotEscape(n.label)}", shape=${SHAPES[n.kind] ?? 'box'}];`);
  for (const n of nodes) for (const d of n.deps) lines.push(`  "${d}" -> "${n.id}";`);
  lines.push('}');
  return lines.join('\n');
}

function mermaidEscape(s: string): string {
  return s.replace(/"/g, '#quot;');
}

/** Mermaid flowchart of the plan (renders in GitHub Markdown). */
export function toMermaid(plan: Plan, fold = true): string {
  const nodes = viewNodes(plan, fold);
  const open: Record<string, [string, string]> = { render: ['[[', ']]'], data: ['[(', ')]'], train: ['[', ']'], eval: ['{{', '}}'], report: ['>', ']'] };
  const lines = ['flowchart LR'];
  for (const n of nodes) {
    const [a, b] = open[n.kind] ?? ['[', ']'];
    lines.push(`  ${n.id.replace(/-/g, '_')}${a}"${mermaidEscape(n.label)}"${b}`);
  }
  for (const n of nodes) for (const d of n.deps) lines.push(`  ${d.replace(/-/g, '_')} --> ${n.id.replace(/-/g, '_')}`);
  return lines.join('\n');
}
