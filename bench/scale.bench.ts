import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../dist/config/index.js';
import { check } from '../dist/lang/index.js';
import { compileText, toDot, viewNodes } from '../dist/plan/index.js';
import { timeBest, type Bench, type BenchResult } from './harness.js';

// The sizes a hostile-input probe found slow (issue 15): each should grow linearly (or n log n).
// Compare the figures of one run: 4× the experiments should take about 4× the time.

/** A seed sweep of `n` experiments: every render node has the same label, other params. */
function seedSweep(n: number): string {
  return `sample 40 ids x 13 imgs, seed {${Array.from({ length: n }, (_, i) => String(i + 1)).join(', ')}}, pretrain 520\n`;
}

const bench: Bench = {
  name: 'scale',
  async run() {
    const out: BenchResult[] = [];
    const { config } = loadConfig('/nonexistent-bench-root', {});
    for (const n of [10_000, 40_000, 100_000]) {
      const text = seedSweep(n);
      const seconds = await timeBest(() => {
        const { plan } = compileText(text, 'sweep.synexp', config);
        if (plan?.experiments.length !== n) throw new Error(`expected ${n} experiments`);
        viewNodes(plan, true);
      }, 1);
      out.push({ name: `synx plan of a ${n.toLocaleString('en')}-experiment sweep (compile + rows)`, value: seconds, unit: 's' });
    }
    {
      const { plan } = compileText(seedSweep(40_000), 'sweep.synexp', config);
      const seconds = await timeBest(() => toDot(plan!, true), 1);
      out.push({ name: 'synx graph of a 40,000-experiment sweep (DOT, after compiling)', value: seconds, unit: 's' });
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-scale-'));
    try {
      for (const n of [20_000, 80_000]) {
        const d = path.join(dir, String(n));
        mkdirSync(d);
        writeFileSync(path.join(d, 'synx.yaml'), `datasets:\n${Array.from({ length: n }, (_, i) => `  ds${i}:\n    format: folder\n    path: /data/ds${i}\n`).join('')}`);
        const seconds = await timeBest(() => loadConfig(d, {}), 1);
        out.push({ name: `load a synx.yaml of ${n.toLocaleString('en')} datasets`, value: seconds, unit: 's' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const n of [82_500, 330_000]) {
      const text = `${Array.from({ length: n }, (_, i) => `preset p${i} {\n  seed ${i}\n}\n`).join('')}sample 10 ids x 10 imgs, pretrain 100\n`;
      const heap0 = process.memoryUsage().heapUsed;
      const seconds = await timeBest(() => check(text, 'presets.synexp'), 1);
      out.push({ name: `synx check of a .synexp with ${n.toLocaleString('en')} presets`, value: seconds, unit: 's' });
      if (n === 330_000) out.push({ name: `heap after checking ${n.toLocaleString('en')} presets`, value: (process.memoryUsage().heapUsed - heap0) / 2 ** 20, unit: 'MiB' });
    }
    return out;
  },
};

export default bench;
