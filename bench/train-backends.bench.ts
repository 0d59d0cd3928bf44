// Training and embedding throughput on each TensorFlow.js backend that starts here, by the same
// short protocol for all (webgpu on lavapipe trains at under a few img/s): small at
// 64 px and nn4-small at 96 px, batch 16, one batch per epoch, 1 thread. The wasm rows of
// train.bench.ts measure its data-parallel loop at full size.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder, initWeights, networkDef, useBackend } from '../src/train/index.js';
import { timeBest, type Bench, type BenchResult } from './harness.js';
import { shardSet, trainRate } from './train.bench.js';

/**
 * The backends, each with whether its training is affordable here, whether nn4-small at 96 px
 * is, and the images per embedding call. Training runs 2 epochs of one batch; the second is
 * timed (the first compiles kernels and shaders). cpu's pure-JS gradients took 10 minutes for
 * one 16-image batch of small at 64 px (0.03 img/s on the loaded 2-core machine): only its
 * embedding is measured. webgpu on lavapipe embeds nn4-small at about 1 img/s: 16 images.
 */
const BACKENDS = [
  { name: 'wasm', train: true, nn4: true, embed: 64 },
  { name: 'webgpu', train: true, nn4: true, embed: 16 },
  { name: 'tfjs-node-gpu', train: true, nn4: true, embed: 64 },
  { name: 'tfjs-node', train: true, nn4: true, embed: 64 },
  { name: 'cpu', train: false, nn4: false, embed: 16 },
] as const;

const bench: Bench = {
  name: 'train per backend',
  async run() {
    const out: BenchResult[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-backends-'));
    try {
      await useBackend('wasm');
      const sets = { 64: await shardSet(64, dir), 96: await shardSet(96, dir) };
      for (const backend of BACKENDS) {
        try {
          await useBackend(backend.name);
        } catch {
          continue; // Not installed, or no driver: nothing to measure.
        }
        for (const [network, size] of [
          ['small', 64],
          ['nn4-small', 96],
        ] as const) {
          if (network === 'nn4-small' && !backend.nn4) continue;
          const def = networkDef(network, size, 128);
          if (backend.train) {
            const rate = await trainRate(sets[size], network, size, 1, backend.name, dir, 16, 16);
            out.push({ name: `train ${network} ${size} px, ${backend.name}`, value: rate, unit: 'img/s', note: `${((rate * 3 * def.flopsPerImage) / 1e9).toFixed(2)} GFLOP/s` });
          }
          const n = backend.embed;
          const e = new Embedder(def, initWeights(def, 1));
          const x = await sets[size].images(Array.from({ length: n }, (_, i) => i), size);
          await e.embed(x, n); // compiles the forward pass's kernels
          const s = await timeBest(() => e.embed(x, n), 2);
          out.push({ name: `embed ${network} ${size} px, ${backend.name}`, value: n / s, unit: 'img/s' });
          e.dispose();
        }
      }
      await useBackend('wasm');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

export default bench;
