// The executor's overheads on a 1,000-node DAG (800 render shards → 100 trains → 100 evals), with
// a no-op node kind so only synx's own work is measured: hashing, locks, renames, events, records.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectConfig } from '../src/config/index.js';
import { openCache, planStatus, runPlan, type AnyNodeKind } from '../src/exec/index.js';
import { fingerprintOf, fingerprintRecord, type NodeKindName, type Plan, type PlanNode } from '../src/plan/index.js';
import { testConfig } from '../test/exec/fixtures/fake-kinds.js';
import { timeBest, type Bench } from './harness.js';

function bigPlan(): Plan {
  const nodes: PlanNode[] = [];
  const add = (kind: NodeKindName, params: { i: number }, deps: PlanNode[], role: 'data' | 'model') => {
    const fingerprint = fingerprintOf(fingerprintRecord(kind, params, deps.map((d) => ({ role, fingerprint: d.fingerprint }))));
    // Fake params under real kind names (the no-op kinds never read them): a PlanNode by a cast.
    const node = {
      id: `${kind}-${fingerprint.slice(0, 10)}`,
      kind,
      label: `${kind} ${params.i}`,
      fingerprint,
      deps: deps.map((d) => d.id),
      inputs: deps.map((d) => ({ role, id: d.id })),
      params,
      experiments: ['bench'],
    } as unknown as PlanNode;
    nodes.push(node);
    return node;
  };
  const shards = Array.from({ length: 800 }, (_, i) => add('render', { i }, [], 'data'));
  for (let t = 0; t < 100; t++) {
    const train = add('train', { i: t }, shards.slice(t * 8, t * 8 + 8), 'data');
    add('eval', { i: t }, [train], 'model');
  }
  return { file: 'bench.synexp', nodes, experiments: [{ name: 'bench', base: 'bench', sweep: {}, nodes: nodes.map((n) => n.id), evals: [] }] };
}

const noop = (kind: string): AnyNodeKind => ({
  kind,
  version: '1',
  resources: () => ({ cpu: 1, gpu: 0, memoryMb: 1 }),
  async run(ctx) {
    writeFileSync(path.join(ctx.outDir, 'out.json'), JSON.stringify(ctx.node.params));
  },
});

const bench: Bench = {
  name: 'exec',
  async run() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-exec-'));
    try {
      const plan = bigPlan();
      const kinds = new Map(['render', 'train', 'eval'].map((k) => [k, noop(k)]));
      const config = (cacheDir: string): ProjectConfig => testConfig(root, { cache: cacheDir });
      // Cold: every node computed (no-op), so the time is the executor's per-node cost.
      let cold = Infinity;
      let cacheDir = '';
      for (let rep = 0; rep < 2; rep++) {
        cacheDir = path.join(root, `cache-${rep}`);
        const opened = openCache(cacheDir);
        if (!opened.ok) throw new Error(opened.diagnostic.message);
        const t0 = performance.now();
        const r = await runPlan(plan, kinds, { config: config(cacheDir), cache: opened.cache });
        cold = Math.min(cold, (performance.now() - t0) / 1000);
        if (r.summary.ran !== plan.nodes.length) throw new Error('bench: cold run did not run every node');
      }
      const opened = openCache(cacheDir);
      if (!opened.ok) throw new Error(opened.diagnostic.message);
      const cache = opened.cache;
      const warm = await timeBest(async () => {
        const r = await runPlan(plan, kinds, { config: config(cacheDir), cache });
        if (r.summary.cached !== plan.nodes.length) throw new Error('bench: warm run was not fully cached');
      }, 5);
      const status = await timeBest(() => planStatus(plan, cache), 5);
      return [
        { name: 'fully cached re-run, 1,000-node DAG', value: warm, unit: 's', target: '< 1 s' },
        { name: 'cached re-run per node', value: (warm / plan.nodes.length) * 1000, unit: 'ms' },
        { name: 'scheduler overhead per computed node (no-op kind, 4 jobs)', value: (cold / plan.nodes.length) * 1000, unit: 'ms', note: 'lock, temp folder, hash, manifest, rename, events' },
        { name: 'cold run, 1,000 no-op nodes', value: cold, unit: 's' },
        { name: 'planStatus, 1,000 nodes', value: status * 1000, unit: 'ms' },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
