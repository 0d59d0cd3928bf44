// Training and embedding throughput per available backend, and the fraction of peak FLOP/s.
// Training FLOPs per image are counted as 3× the forward pass (forward, input and filter
// gradients), the usual estimate.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fakeInput } from '../test/data/fixtures.js';
import type { Network, TrainParams } from '../src/plan/index.js';
import { readFileSync } from 'node:fs';
import { Embedder, ImageSet, initWeights, networkDef, plainConvGrad, runTraining, useBackend } from '../src/train/index.js';
import { timeBest, type Bench, type BenchResult } from './harness.js';
import { writeProceduralShard } from '../test/train/procedural.js';

const cores = os.cpus().length;

export async function shardSet(size: number, dir: string): Promise<ImageSet> {
  const shard = await writeProceduralShard(path.join(dir, `s${size}`), { firstId: 0, ids: 16, imgsPerId: 8, size });
  return ImageSet.fromInputs([fakeInput(shard)], 'data');
}

/** Images/s of a 2-epoch run (the first epoch is warm-up: workers start, kernels and shaders compile). */
export async function trainRate(set: ImageSet, network: Network, size: number, threads: number, backend: string, dir: string, images = 128, batch = 32): Promise<number> {
  const params: TrainParams = { role: 'pretrain', network, loss: 'triplet', epochs: 2, batch, lr: 0.001, optimizer: 'adam', input: size, embedding: 128, margin: 0.2, seed: 1, images: null };
  const train = set.samples.map((_, i) => i).slice(0, images);
  const { history } = await runTraining({ params, set, train, scratchDir: mkdtempSync(path.join(dir, 'c')), outDir: mkdtempSync(path.join(dir, 'o')), backend, threads });
  return history[history.length - 1]!.images_per_s;
}

/** GFLOP/s of a large single-thread float32 matMul on the active backend, for comparison. */
async function matMulPeak(): Promise<number> {
  const a = tf.randomNormal([1024, 1024]) as tf.Tensor2D;
  const b = tf.randomNormal([1024, 1024]) as tf.Tensor2D;
  const s = await timeBest(() => tf.tidy(() => tf.matMul(a, b).dataSync()), 5);
  return (2 * 1024 ** 3) / s / 1e9;
}

const bench: Bench = {
  name: 'train',
  async run() {
    const out: BenchResult[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-train-'));
    try {
      await useBackend('wasm');
      const sets = { 64: await shardSet(64, dir), 96: await shardSet(96, dir) };
      const peak1 = await matMulPeak();
      out.push({ name: 'wasm matMul 1024² (1 thread; slower than its convs, which is why gradients are convs)', value: peak1, unit: 'GFLOP/s' });
      // AVX2 + FMA: 2 FMA units × 8 float32 lanes × 2 FLOPs per cycle per core.
      const mhz = os.cpus()[0]?.speed || Number(/cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 0);
      const hwPeak = (cores * 32 * mhz) / 1000;
      if (hwPeak > 0) out.push({ name: `hardware fp32 peak (${cores} cores × ${mhz} MHz × 32 FLOP/cycle, AVX2 FMA)`, value: hwPeak, unit: 'GFLOP/s' });

      // The baseline of the issue: a plain custom-gradient wasm loop, 1 thread, same network.
      plainConvGrad.enabled = true;
      const plain = await trainRate(sets[64], 'small', 64, 1, 'wasm', dir, 64);
      plainConvGrad.enabled = false;
      out.push({ name: 'train small 64 px, wasm, plain custom-gradient loop (baseline)', value: plain, unit: 'img/s' });

      for (const [network, size] of [
        ['small', 64],
        ['nn4-small', 96],
        ['small', 96],
      ] as const) {
        const def = networkDef(network, size, 128);
        for (const threads of network === 'nn4-small' ? [cores] : [1, cores]) {
          const rate = await trainRate(sets[size], network, size, threads, 'wasm', dir, network === 'nn4-small' ? 64 : 128);
          const gflops = (rate * 3 * def.flopsPerImage) / 1e9;
          out.push({
            name: `train ${network} ${size} px, wasm, ${threads} thread(s)`,
            value: rate,
            unit: 'img/s',
            ...(network === 'small' && size === 64 && threads === cores ? { target: '≥ 60 img/s' } : {}),
            note: `${(rate / plain).toFixed(1)}× the plain loop; ${gflops.toFixed(1)} GFLOP/s, ${hwPeak > 0 ? ((100 * gflops) / hwPeak).toFixed(1) : '?'}% of the hardware peak`,
          });
          out.push({ name: `train ${network} ${size} px, ${threads} thread(s): achieved`, value: gflops, unit: 'GFLOP/s' });
          if (hwPeak > 0) out.push({ name: `train ${network} ${size} px, ${threads} thread(s): share of hardware peak`, value: (100 * gflops) / hwPeak, unit: '%' });
          if (network === 'small' && size === 64 && threads === 1) out.push({ name: 'speed-up over the plain loop (1 thread)', value: rate / plain, unit: '×' });
        }
        const e = new Embedder(def, initWeights(def, 1));
        const x = await sets[size].images(Array.from({ length: 64 }, (_, i) => i), size);
        const s = await timeBest(() => e.embed(x, 64), 3);
        out.push({ name: `embed ${network} ${size} px, wasm, 1 thread`, value: 64 / s, unit: 'img/s' });
        e.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

export default bench;
