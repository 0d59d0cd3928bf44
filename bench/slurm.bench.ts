// What running on Slurm costs over running locally: per-job overhead of submission, start-up of
// the worker (`synx exec-node` under tsx here) and polling, on the single-machine Slurm of
// scripts/slurm-up.sh. Needs root (it starts Slurm if it is not up).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCache, runPlan } from '../src/exec/index.js';
import { slurmRunner } from '../src/exec/slurm/index.js';
import { buildPlan, fakeKinds, testConfig, type NodeSpec } from '../test/exec/fixtures/fake-kinds.js';
import { startSlurm, workerCommand } from '../test/slurm/fixtures/slurm.js';
import type { Bench, BenchResult } from './harness.js';

const bench: Bench = {
  name: 'slurm',
  async run(): Promise<BenchResult[]> {
    const slurm = startSlurm(true);
    if (slurm.state !== 'up') return [{ name: 'slurm unavailable', value: 0, unit: '-', note: slurm.reason }];
    const root = mkdtempSync(path.join(os.tmpdir(), 'synx-slurm-bench-'));
    try {
      // Six independent no-op nodes, then a chain of three: width and depth.
      const wide: NodeSpec[] = Array.from({ length: 6 }, (_, i) => ({ kind: 'render', params: { name: `w${i}`, seed: i } }));
      const chain: NodeSpec[] = [
        { kind: 'render', params: { name: 'c0' } },
        { kind: 'train', params: { name: 'c1' }, inputs: [{ role: 'data', name: 'c0' }] },
        { kind: 'eval', params: { name: 'c2' }, inputs: [{ role: 'model', name: 'c1' }] },
      ];
      const results: BenchResult[] = [];
      for (const [name, specs] of [['6 independent nodes', wide], ['a chain of 3 nodes', chain]] as const) {
        const plan = buildPlan(specs, `${name}.synexp`);
        const time = async (executor: 'local' | 'slurm'): Promise<number> => {
          const config = testConfig(root, { cache: path.join(root, `${executor}-${specs.length}`), slurm: { poll: 0.25 } });
          const opened = openCache(config.cache);
          if (!opened.ok) throw new Error(opened.diagnostic.message);
          const calls = path.join(root, 'calls.txt');
          const t0 = performance.now();
          const r = await runPlan(plan, fakeKinds(calls), {
            config,
            cache: opened.cache,
            runsDir: false,
            ...(executor === 'slurm' ? { runner: slurmRunner({ command: workerCommand(calls) }) } : {}),
          });
          if (r.summary.status !== 'ok') throw new Error(`${executor} run of ${name} failed`);
          return (performance.now() - t0) / 1000;
        };
        const local = await time('local');
        const onSlurm = await time('slurm');
        results.push({ name: `${name}, local`, value: local, unit: 's' });
        results.push({ name: `${name}, Slurm (poll 0.25 s)`, value: onSlurm, unit: 's', note: `${((onSlurm - local) / specs.length).toFixed(2)} s overhead per node on 2 cores` });
      }
      return results;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
