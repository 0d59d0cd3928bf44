import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeInput } from '../../src/node/index.js';
import { BN_EPSILON, embeddingStats, Embedder, GradientState, ImageSet, initWeights, networkDef, Optimizer, useBackend, type Weights } from '../../src/train/index.js';
import { tmpDir, fakeInput } from '../data/fixtures.js';
import { writeProceduralShard } from './procedural.js';

const input = (dir: string) => fakeInput(dir);

let set: ImageSet;
beforeAll(async () => {
  await useBackend('wasm');
  set = await ImageSet.fromInputs([input(await writeProceduralShard(path.join(tmpDir(), 's'), { firstId: 0, ids: 6, imgsPerId: 4, size: 16 }))], 'data');
});

const def = () => networkDef('small', 16, 8, 'bn');

/** Weights with a non-trivial batch-norm scale and shift, so the test sees them applied. */
function weights(): Weights {
  const w = initWeights(def(), 4);
  w.set('embedding/bn/gamma', Float32Array.from({ length: 8 }, (_, k) => 0.5 + k / 8));
  w.set('embedding/bn/beta', Float32Array.from({ length: 8 }, (_, k) => (k - 4) / 10));
  return w;
}

function tensors(w: Weights): Record<string, tf.Tensor> {
  const d = def();
  return Object.fromEntries([...d.params, ...d.stats].map((p) => [p.name, tf.tensor(w.get(p.name)!, [...p.shape])]));
}

/** The straightforward computation: per-dimension standardisation by the given moments, scale, shift, L2 normalisation. */
function reference(f: Float32Array, n: number, mean: ArrayLike<number>, variance: ArrayLike<number>, w: Weights): number[][] {
  const g = w.get('embedding/bn/gamma')!;
  const b = w.get('embedding/bn/beta')!;
  return Array.from({ length: n }, (_, r) => {
    const y = Array.from({ length: 8 }, (_, k) => ((f[r * 8 + k]! - mean[k]!) / Math.sqrt(variance[k]! + BN_EPSILON)) * g[k]! + b[k]!);
    const norm = Math.hypot(...y);
    return y.map((v) => v / norm);
  });
}

function moments(f: Float32Array, n: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: 8 }, (_, k) => Array.from({ length: n }, (_, r) => f[r * 8 + k]!).reduce((a, c) => a + c, 0) / n);
  const variance = mean.map((m, k) => Array.from({ length: n }, (_, r) => (f[r * 8 + k]! - m) ** 2).reduce((a, c) => a + c, 0) / n);
  return { mean, variance };
}

describe('the embedding batch norm', () => {
  it('standardises each dimension by the batch in training and by the stored moments in inference', async () => {
    const all = set.samples.map((_, i) => i);
    const n = all.length;
    const x = tf.tensor4d(await set.images(all, 16), [n, 16, 16, 3], 'int32').toFloat() as tf.Tensor4D;
    const w = weights();
    const p = tensors(w);
    const f = def().features(p, x).dataSync() as Float32Array;
    const batch = moments(f, n);
    const train = def().forward(p, x, 'train').arraySync();
    reference(f, n, batch.mean, batch.variance, w).forEach((row, r) => row.forEach((v, k) => expect(train[r]![k]).toBeCloseTo(v, 4)));
    // Inference ignores the batch: the stored moments (here some fixed values) are used.
    const stored = { mean: Array.from({ length: 8 }, (_, k) => k / 3), variance: Array.from({ length: 8 }, (_, k) => 1 + k) };
    p['embedding/bn/mean'] = tf.tensor1d(stored.mean);
    p['embedding/bn/var'] = tf.tensor1d(stored.variance);
    const inferred = def().forward(p, x, 'infer').arraySync();
    reference(f, n, stored.mean, stored.variance, w).forEach((row, r) => row.forEach((v, k) => expect(inferred[r]![k]).toBeCloseTo(v, 4)));
  });

  it('measures the population moments on the training images, so inference on them equals training mode over all of them', async () => {
    const all = set.samples.map((_, i) => i);
    const n = all.length;
    const w = weights();
    const stats = await embeddingStats(def(), w, set, all, 1);
    const x = tf.tensor4d(await set.images(all, 16), [n, 16, 16, 3], 'int32').toFloat() as tf.Tensor4D;
    const f = def().features(tensors(w), x).dataSync() as Float32Array;
    const ref = moments(f, n);
    ref.mean.forEach((m, k) => expect(stats.get('embedding/bn/mean')![k]).toBeCloseTo(m, 4));
    ref.variance.forEach((v, k) => expect(stats.get('embedding/bn/var')![k]).toBeCloseTo(v, 4));
    const withStats = new Map([...w, ...stats]);
    const em = new Embedder(def(), withStats);
    const inferred = await em.embed(await set.images(all, 16), n);
    em.dispose();
    const train = def().forward(tensors(w), x, 'train').dataSync();
    train.forEach((v, i) => expect(inferred[i]).toBeCloseTo(v, 4));
  });

  it('starts as the identity: fresh weights hold mean 0 and variance 1 and a unit scale', () => {
    const w = initWeights(def(), 9);
    expect([...w.get('embedding/bn/mean')!]).toEqual(new Array(8).fill(0));
    expect([...w.get('embedding/bn/var')!]).toEqual(new Array(8).fill(1));
    expect([...w.get('embedding/bn/gamma')!]).toEqual(new Array(8).fill(1));
    expect(def().params.map((p) => p.name)).not.toContain('embedding/bn/mean');
    expect(def().stats.map((p) => p.name)).toEqual(['embedding/bn/mean', 'embedding/bn/var']);
  });
});

describe('margin losses with the embedding batch norm', () => {
  it('ArcFace fits a repeated batch of 6 identities (without the batch norm it sat at identical embeddings)', async () => {
    const d = networkDef('small', 16, 16, 'bn');
    const idx = set.samples.map((_, i) => i).filter((i) => set.samples[i]!.label < 6);
    const x = await set.images(idx, 16);
    const labels = Int32Array.from(idx, (i) => set.samples[i]!.label);
    const st = new GradientState(d, { loss: 'arcface', margin: 0.5, classes: 6 }, initWeights(d, 1));
    const opt = new Optimizer(st, 'adam', 0.003);
    const cosines = () =>
      tf.tidy(() => {
        const p = Object.fromEntries(d.params.map((q, i) => [q.name, st.vars[i]!]));
        const e = d.forward(p, tf.tensor4d(x, [idx.length, 16, 16, 3], 'int32').toFloat() as tf.Tensor4D, 'train');
        const g = tf.matMul(e, e, false, true).dataSync();
        let sum = 0;
        let count = 0;
        labels.forEach((a, i) => labels.forEach((b, j) => (a !== b ? ((sum += g[i * idx.length + j]!), count++) : 0)));
        return sum / count;
      });
    // Different identities start far apart, not at cosine ~0.95 as pooled ReLU features put them.
    expect(cosines()).toBeLessThan(0.3);
    const losses: number[] = [];
    for (let s = 0; s < 40; s++) {
      const { loss, grads } = await st.gradients(x, labels);
      losses.push(loss);
      opt.apply(grads, 0.003);
    }
    st.dispose();
    // Uniform logits would leave log(6) + the margin's share (about 15 at s = 30, m = 0.5).
    expect(losses[0]).toBeGreaterThan(10);
    expect(losses.at(-1)).toBeLessThan(0.5);
  });
});
