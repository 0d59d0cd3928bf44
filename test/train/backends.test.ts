// The backends that can run here give the same loss and gradients on the same batch and weights:
// cpu (TensorFlow.js's stock kernels, the reference), wasm (synx's custom conv and max-pool
// gradients, src/train/ops.ts) and webgpu (stock kernels on Dawn; it must run wherever a Vulkan
// driver it should find an adapter on is installed: `bash scripts/setup.sh --test`, as CI runs,
// installs one; without one, backend-errors.test.ts checks the error that says how).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeInput } from '../../src/node/index.js';
import type { Loss, Network, TrainParams } from '../../src/plan/index.js';
import { GradientState, ImageSet, initHead, initWeights, neckFor, networkDef, trainKind, useBackend, webgpuDriver, type EpochRecord } from '../../src/train/index.js';
import { fakeContext, testConfig, tmpDir, fakeInput } from '../data/fixtures.js';
import { writeProceduralShard } from './procedural.js';

/**
 * Largest gradient difference over the tensor's largest entry (entries near zero have no
 * meaningful relative error in float32). Measured: see docs/train-eval.md.
 */
const GRAD_TOLERANCE = 1e-4;
const LOSS_TOLERANCE = 1e-5;

const driver = webgpuDriver();
const backends = ['wasm', ...(driver ? ['webgpu'] : [])];

const CASES: readonly (readonly [Network, Loss, number])[] = [
  ['small', 'triplet', 16],
  ['resnet', 'arcface', 16],
];

let set: ImageSet;
let input: NodeInput;
beforeAll(async () => {
  const shard = await writeProceduralShard(path.join(tmpDir(), 'agree'), { firstId: 0, ids: 4, imgsPerId: 4, size: 16 });
  input = fakeInput(shard);
  set = await ImageSet.fromInputs([input], 'data');
});

async function gradientsOn(backend: string, network: Network, loss: Loss, size: number) {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const def = networkDef(network, size, 8, neckFor(loss));
  // 2 identities × 4 images: every anchor has 3 positives and 4 negatives to mine from.
  const idx = Array.from({ length: 8 }, (_, i) => i);
  const x = await set.images(idx, size);
  const labels = Int32Array.from(idx, (i) => set.samples[i]!.label);
  const head = loss === 'triplet' ? undefined : initHead(def.embedding, 2, 2);
  const st = new GradientState(def, { loss, margin: 0.3, classes: 2 }, initWeights(def, 1), head);
  try {
    return await st.gradients(x, labels);
  } finally {
    st.dispose();
  }
}

describe('backend agreement', () => {
  for (const [network, loss, size] of CASES) {
    let reference: ReturnType<typeof gradientsOn> | undefined;
    for (const backend of backends) {
      it(`${backend} and cpu give the same loss and gradients: ${network}, ${loss}, ${size} px`, async () => {
        const ref = await (reference ??= gradientsOn('cpu', network, loss, size));
        const got = await gradientsOn(backend, network, loss, size);
        expect(ref.loss).toBeGreaterThan(0);
        let worst = 0;
        let nonzero = 0;
        const scales = ref.grads.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
        const largest = Math.max(...scales);
        ref.grads.forEach((g, i) => {
          const scale = scales[i]!;
          const diff = g.reduce((m, v, k) => Math.max(m, Math.abs(v - got.grads[i]![k]!)), 0);
          // Zero gradients (convs before a Fixup zero-initialised conv) must be zero everywhere.
          if (scale === 0) expect(diff).toBe(0);
          // The embedding layer's bias, whose every shift the batch norm after it subtracts
          // again, has a gradient of zero up to rounding: both backends must find it negligible.
          else if (scale < 1e-5 * largest) expect(diff).toBeLessThan(1e-5 * largest);
          else nonzero++;
          worst = Math.max(worst, scale < 1e-5 * largest ? 0 : diff / scale);
        });
        expect(nonzero).toBeGreaterThan(ref.grads.length / 2);
        expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(LOSS_TOLERANCE);
        expect(worst).toBeLessThan(GRAD_TOLERANCE);
        // The first case builds the cpu reference too: 87 s at load average 20 on 2 cores.
      }, 300_000);
    }
  }
});

// Only where a backend other than wasm runs here (setup.sh --test installs webgpu's driver): a
// suite without tests would fail, and a skipped placeholder would say nothing.
if (backends.some((b) => b !== 'wasm')) describe('the train node kind on each backend', () => {
  // SGD, so that float rounding moves the weights by rounding-sized steps (Adam turns the sign of
  // a near-zero gradient into a full lr step).
  const params: TrainParams = { role: 'pretrain', network: 'small', loss: 'cosface', epochs: 2, batch: 8, lr: 0.01, optimizer: 'sgd', input: 16, embedding: 8, margin: 0.2, seed: 4, images: null };
  let wasmHistory: Promise<EpochRecord[]> | undefined;
  const train = async (backend: string) => {
    const ctx = fakeContext('train', params, testConfig(tmpDir(), {}, { backend, threads: 2 }), [input]);
    await trainKind.run(ctx);
    return {
      info: JSON.parse(readFileSync(path.join(ctx.outDir, 'train.json'), 'utf8')) as { backend: string; threads: number },
      history: JSON.parse(readFileSync(path.join(ctx.outDir, 'history.json'), 'utf8')) as EpochRecord[],
    };
  };
  for (const backend of backends.filter((b) => b !== 'wasm')) {
    it(`${backend}: trains on one thread, with the losses of wasm`, async () => {
      const ref = await (wasmHistory ??= train('wasm').then((r) => r.history));
      const { info, history } = await train(backend);
      // A GPU backend trains on one thread: workers would each open a device on the one GPU.
      expect(info).toMatchObject({ backend, threads: 1 });
      expect(history.map((h) => h.epoch)).toEqual([1, 2]);
      history.forEach((h, i) => expect(Math.abs(h.loss - ref[i]!.loss) / ref[i]!.loss).toBeLessThan(1e-4));
    });
  }
});
