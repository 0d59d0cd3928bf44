import { existsSync } from 'node:fs';
import { explainNode, indexCache, openCache, planStatus, type NodeCacheStatus } from '../../exec/index.js';
import { viewNodes, type Plan } from '../../plan/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { compileProject } from '../project.js';

function statusOf(members: readonly { id: string }[], status: Map<string, NodeCacheStatus> | undefined): string {
  if (!status) return 'new';
  const states = members.map((m) => status.get(m.id)?.state ?? 'missing');
  const cached = states.filter((s) => s === 'cached').length;
  const corrupt = states.filter((s) => s === 'corrupt').length;
  if (members.length === 1) return cached ? 'cached' : corrupt ? 'corrupt' : 'will run';
  if (cached === members.length) return 'cached';
  return `${cached}/${members.length} cached${corrupt ? `, ${corrupt} corrupt` : ''}`;
}

/** The plan as JSON: `{ nodes: [{ id, kind, fingerprint, deps, params, ... }], experiments }`. */
export function planJson(plan: Plan, status?: Map<string, NodeCacheStatus>): unknown {
  return {
    file: plan.file,
    nodes: plan.nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      label: n.label,
      fingerprint: n.fingerprint,
      deps: n.deps,
      inputs: n.inputs,
      params: n.params,
      experiments: n.experiments,
      ...(status ? { cached: status.get(n.id)?.state === 'cached' } : {}),
    })),
    experiments: plan.experiments,
  };
}

/** `synx plan`: the DAG, with what is cached and why the rest will run. */
const command: Command = {
  name: 'plan',
  summary: 'show the DAG: nodes, fingerprints, what is cached, why the rest will run',
  usage: `usage: synx plan FILE [--json] [--all] [--explain]

Compiles the experiment file and lists its nodes in the order they run, with their cache status.
  --all      list every render shard (by default a rendered set is one row)
  --explain  for each node that will run, say why (which param, input or version differs
             from the closest cached entry)
  --json     { "nodes": [{ "id", "kind", "fingerprint", "deps", "params", ... }], "experiments": [...] }`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, {
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one experiment file');
    const file = positionals[0]!;
    const compiled = await compileProject(io, file);
    if (!compiled) return 2;
    const { loaded, plan } = compiled;
    // Read the cache only when it exists: planning must not create folders.
    const cacheDir = loaded.config.cache;
    const opened = existsSync(cacheDir) ? openCache(cacheDir) : undefined;
    const cache = opened?.ok ? opened.cache : undefined;
    const status = cache ? planStatus(plan, cache) : undefined;
    if (values.json) {
      writeLine(io.stdout, JSON.stringify(planJson(plan, status), null, 2));
      return 0;
    }
    const counts = new Map<string, number>();
    for (const n of plan.nodes) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
    const cachedCount = status ? [...status.values()].filter((s) => s.state === 'cached').length : 0;
    writeLine(
      io.stdout,
      `${plan.file}: ${plan.experiments.length} experiment${plan.experiments.length === 1 ? '' : 's'}, ${plan.nodes.length} nodes (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}), ${cachedCount} cached`,
    );
    writeLine(io.stdout);
    const rows = viewNodes(plan, !values.all);
    // A loop, not Math.max(...rows): a sweep's 100,000 rows would overflow the argument stack.
    let idWidth = 4;
    let stWidth = 8;
    for (const v of rows) {
      idWidth = Math.max(idWidth, v.id.length);
      stWidth = Math.max(stWidth, statusOf(v.members, status).length);
    }
    writeLine(io.stdout, `${'NODE'.padEnd(idWidth)}  ${'STATUS'.padEnd(stWidth)}  WHAT`);
    const index = cache ? indexCache(cache) : undefined;
    for (const v of rows) {
      const st = statusOf(v.members, status);
      writeLine(io.stdout, `${v.id.padEnd(idWidth)}  ${st.padEnd(stWidth)}  ${v.label}${v.deps.length ? `  <- ${v.deps.join(', ')}` : ''}`);
      if (values.explain && st !== 'cached') {
        const first = v.members.find((m) => status?.get(m.id)?.state !== 'cached') ?? v.members[0]!;
        const why = cache ? explainNode(plan, first.id, cache, index) : undefined;
        const lines = why?.lines ?? ['nothing is cached yet (no cache folder)'];
        for (const l of lines) writeLine(io.stdout, `${' '.repeat(idWidth + 2)}  ${l}`);
      }
    }
    writeLine(io.stdout);
    writeLine(io.stdout, 'experiments:');
    const kindOf = new Map(plan.nodes.map((n) => [n.id, n.kind]));
    for (const e of plan.experiments) {
      // An experiment that trains but evaluates nothing is not "render only".
      const what = e.evals.length ? `, evals ${e.evals.join(', ')}` : e.nodes.some((id) => kindOf.get(id) === 'train') ? ' (trains, no evaluation)' : ' (render only)';
      writeLine(io.stdout, `  ${e.name}: ${e.nodes.length} nodes${what}`);
    }
    return 0;
  },
};

export default command;
