import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFailure, type NodeInput } from '../../src/node/index.js';
import type { TrainParams } from '../../src/plan/index.js';
import {
  epochBatches,
  flipChoices,
  ImageSet,
  learningRate,
  mirrorImages,
  readModel,
  runTraining,
  trainKind,
  useBackend,
  type TrainRun,
} from '../../src/train/index.js';
import { fakeContext, testConfig, tmpDir, fakeInput } from '../data/fixtures.js';
import { proceduralImage, writeProceduralShard } from './procedural.js';

const params = (o: Partial<TrainParams> = {}): TrainParams => ({
  role: 'pretrain',
  network: 'small',
  loss: 'triplet',
  epochs: 2,
  batch: 16,
  lr: 0.002,
  optimizer: 'adam',
  input: 16,
  embedding: 16,
  margin: 0.2,
  seed: 3,
  images: null,
  ...o,
});

const input = fakeInput;

let shard: string;
let set: ImageSet;
beforeAll(async () => {
  await useBackend('wasm');
  shard = await writeProceduralShard(path.join(tmpDir(), 'train'), { firstId: 0, ids: 8, imgsPerId: 4, size: 16 });
  set = await ImageSet.fromInputs([input(shard)], 'data');
});

function runWith(o: Partial<TrainRun> & { params: TrainParams }): Promise<unknown> {
  return runTraining({ set, train: set.samples.map((_, i) => i), scratchDir: tmpDir(), outDir: tmpDir(), backend: 'wasm', threads: 1, ...o });
}

describe('batches', () => {
  it('P×K identity groups, seeded per epoch', () => {
    const byClass = Array.from({ length: 10 }, (_, c) => [c * 10, c * 10 + 1, c * 10 + 2, c * 10 + 3, c * 10 + 4]);
    const a = epochBatches(byClass, 50, 16, 1, 1);
    expect(a).toHaveLength(3);
    for (const b of a) {
      expect(b).toHaveLength(16);
      const ids = b.map((i) => Math.floor(i / 10));
      // 4 identities, 4 images each, consecutive.
      expect(new Set(ids).size).toBe(4);
      for (let k = 0; k < 16; k += 4) expect(new Set(ids.slice(k, k + 4)).size).toBe(1);
      expect(new Set(b).size).toBe(16);
    }
    expect(epochBatches(byClass, 50, 16, 1, 1)).toEqual(a);
    expect(epochBatches(byClass, 50, 16, 1, 2)).not.toEqual(a);
  });
});

describe('training loop', () => {
  for (const [what, p] of [
    ['constant rate', params({ epochs: 3 })],
    // The schedule, the warmup and the momentum buffers all depend on the step count the
    // checkpoint restores: a resumed run must continue them mid-ramp and mid-decay.
    ['SGD, warmup, cosine, weight decay', params({ epochs: 3, optimizer: 'sgd', lr: 0.05, momentum: 0.8, weightDecay: 5e-4, schedule: { type: 'cosine' }, warmup: 1.5 })],
    // The flips are drawn per epoch and step: a resumed run must flip what the whole run did.
    ['flip augmentation', params({ epochs: 3, augment: 'flip' })],
  ] as const) {
    it(`resumes after a kill from the last epoch, to the same bytes as an uninterrupted run (${what})`, async () => {
      const whole = tmpDir();
      await runWith({ params: p, outDir: whole });
      const scratch = tmpDir();
      const ac = new AbortController();
      // "Kill" during epoch 2, after epoch 1's checkpoint.
      await expect(
        runWith({ params: p, scratchDir: scratch, signal: ac.signal, progress: (x) => (x.message === 'epoch 2/3' ? ac.abort() : undefined) }),
      ).rejects.toThrow('training cancelled');
      const logs: string[] = [];
      const resumed = tmpDir();
      await runWith({ params: p, scratchDir: scratch, outDir: resumed, log: (m) => logs.push(m) });
      expect(logs[0]).toBe(`resuming after epoch 1 from ${scratch}`);
      expect(readFileSync(path.join(resumed, 'weights.bin')).equals(readFileSync(path.join(whole, 'weights.bin')))).toBe(true);
      const h = JSON.parse(readFileSync(path.join(resumed, 'history.json'), 'utf8')) as { epoch: number; lr: number }[];
      expect(h.map((e) => e.epoch)).toEqual([1, 2, 3]);
      // 32 images in batches of 16: 2 steps an epoch; each epoch records its last step's rate.
      expect(h.map((e) => e.lr)).toEqual([1, 3, 5].map((s) => learningRate(p, 2, s)));
      const w = JSON.parse(readFileSync(path.join(whole, 'history.json'), 'utf8')) as { lr: number }[];
      expect(w.map((e) => e.lr)).toEqual(h.map((e) => e.lr));
    });
  }

  it('data-parallel over 2 threads gives the same bytes as 1 thread, with a schedule and a logit scale', async () => {
    // The scale reaches the workers' losses; the schedule runs on the main thread's optimizer.
    const p = params({ epochs: 2, batch: 32, loss: 'cosface', margin: 0.35, scale: 16, schedule: { type: 'step', epochs: [1] }, warmup: 0.5 });
    const one = tmpDir();
    const two = tmpDir();
    await runWith({ params: p, outDir: one, threads: 1 });
    await runWith({ params: p, outDir: two, threads: 2 });
    expect(readFileSync(path.join(two, 'weights.bin')).equals(readFileSync(path.join(one, 'weights.bin')))).toBe(true);
  });

  it('a resized, data-parallel run gives the bytes the code before the speed-ups gave (weights resized once a run, optimizer in place)', async () => {
    // The sha256 was computed by the training loop as it was before images were kept resized,
    // the optimizer stepped in place and the gradient mean was fused (commit 8c94403), on 1 and
    // 2 threads: those changes only move work, so the bytes must not move. A change that means
    // to change the numbers updates it and says so.
    const resized = await writeProceduralShard(path.join(tmpDir(), 'r24'), { firstId: 0, ids: 8, imgsPerId: 8, size: 24 });
    const rset = await ImageSet.fromInputs([input(resized)], 'data');
    const p = params({ epochs: 3, batch: 32 });
    for (const threads of [1, 2]) {
      const out = tmpDir();
      await runTraining({ params: p, set: rset, train: rset.samples.map((_, i) => i), scratchDir: tmpDir(), outDir: out, backend: 'wasm', threads });
      expect(createHash('sha256').update(readFileSync(path.join(out, 'weights.bin'))).digest('hex')).toBe('dc8479fb255239e4633881baad649f65dba4facefdd717c7a6655e968d2ba069');
    }
  });

  it('augment flip trains on the images flipChoices picks, mirrored: the same bytes as no augmentation on a set holding them mirrored', async () => {
    // One epoch of one batch (32 images, each once), so every image's batch position is known.
    const p = params({ epochs: 1, batch: 32, augment: 'flip' });
    const byClass: number[][] = Array.from({ length: set.classes }, () => []);
    set.samples.forEach((s, i) => byClass[s.label]!.push(i));
    const [batch] = epochBatches(byClass, 32, 32, p.seed, 1);
    const choices = flipChoices(p.seed, 1, 0, 32);
    const flipped = new Set(batch!.filter((_, k) => choices[k]));
    expect(flipped.size).toBeGreaterThan(0);
    expect(flipped.size).toBeLessThan(32);
    // The reference: the set with exactly those images mirrored, trained without augmentation.
    const mirroredSet = Object.create(set) as ImageSet;
    mirroredSet.images = async (which, size) => {
      const x = await set.images(which, size);
      mirrorImages(x, size, which.map((i) => flipped.has(i)));
      return x;
    };
    const augmented = tmpDir();
    const reference = tmpDir();
    const plain = tmpDir();
    await runWith({ params: p, outDir: augmented });
    await runWith({ params: params({ epochs: 1, batch: 32 }), set: mirroredSet, outDir: reference });
    await runWith({ params: params({ epochs: 1, batch: 32 }), outDir: plain });
    const w = (dir: string) => readFileSync(path.join(dir, 'weights.bin'));
    expect(w(augmented).equals(w(reference))).toBe(true);
    expect(w(augmented).equals(w(plain))).toBe(false);
  });

  it('a NaN loss is a clear failure', async () => {
    const e = await runWith({ params: params({ optimizer: 'sgd', lr: 1e38, epochs: 2 }) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NodeFailure);
    expect((e as NodeFailure).message).toMatch(/^the loss became NaN (in its gradients )?at epoch \d, batch \d/);
    expect((e as NodeFailure).hint).toContain('lower the learning rate (lr 1e+38)');
  });
});

describe('train node kind', () => {
  it('pretrain then finetune from its model; a mismatched finetune is refused', async () => {
    const config = testConfig(tmpDir());
    const pre = fakeContext('train', params({ epochs: 1 }), config, [input(shard)]);
    await trainKind.run(pre);
    const m = readModel(pre.outDir);
    expect(m.def.network).toBe('small');
    const info = JSON.parse(readFileSync(path.join(pre.outDir, 'train.json'), 'utf8')) as { classes: number; images: number };
    expect(info).toMatchObject({ classes: 8, images: 32 });
    expect(pre.progresses.at(-1)).toMatchObject({ done: 32, total: 32, unit: 'images' });
    expect(pre.progresses.at(-1)!.metrics).toHaveProperty('img/s');

    const ft = fakeContext('train', params({ role: 'finetune', epochs: 1, lr: 0 , optimizer: 'sgd' }), config, [input(shard), input(pre.outDir, 'init', 'train')]);
    await trainKind.run(ft);
    // lr 0: the finetune's weights are exactly the pretrain's.
    expect(readFileSync(path.join(ft.outDir, 'weights.bin')).equals(readFileSync(path.join(pre.outDir, 'weights.bin')))).toBe(true);

    const bad = fakeContext('train', params({ role: 'finetune', embedding: 32 }), config, [input(shard), input(pre.outDir, 'init', 'train')]);
    await expect(trainKind.run(bad)).rejects.toThrow('the pretrain model is small at 16 px with 16-d embeddings, the finetune asks for small at 16 px, 32-d');
  });

  it('margin losses train with the batch-norm neck, triplet without; a finetune keeps a pretrain\'s neck and a margin-loss finetune adds one', async () => {
    const config = testConfig(tmpDir());
    const pre = fakeContext('train', params({ epochs: 1, loss: 'arcface', margin: 0.5 }), config, [input(shard)]);
    await trainKind.run(pre);
    const m = readModel(pre.outDir);
    expect(m.def.neck).toBe('bn');
    expect(JSON.parse(readFileSync(path.join(pre.outDir, 'model.json'), 'utf8'))).toMatchObject({ neck: 'bn' });
    // The measured moments, not the identity ones the checkpoints hold.
    expect([...m.weights.get('embedding/bn/var')!].some((v) => v !== 1)).toBe(true);
    // A triplet finetune of the ArcFace model keeps its batch norm (its weights were trained for it).
    const ft = fakeContext('train', params({ role: 'finetune', epochs: 1 }), config, [input(shard), input(pre.outDir, 'init', 'train')]);
    await trainKind.run(ft);
    expect(readModel(ft.outDir).def.neck).toBe('bn');
    const tri = fakeContext('train', params({ epochs: 1 }), config, [input(shard)]);
    await trainKind.run(tri);
    expect(readModel(tri.outDir).def.neck).toBe('none');
    expect(readModel(tri.outDir).weights.has('embedding/bn/mean')).toBe(false);
    // An ArcFace finetune of the triplet model adds the neck, the rest starting from the pretrain.
    const arc = fakeContext('train', params({ role: 'finetune', epochs: 1, loss: 'arcface', margin: 0.5, lr: 0, optimizer: 'sgd' }), config, [input(shard), input(tri.outDir, 'init', 'train')]);
    await trainKind.run(arc);
    const a = readModel(arc.outDir);
    expect(a.def.neck).toBe('bn');
    expect([...a.weights.get('embedding/bn/gamma')!]).toEqual(new Array(16).fill(1));
    expect(a.weights.get('conv1/w')).toEqual(readModel(tri.outDir).weights.get('conv1/w'));
  });

  it('draws `images` training images by a seeded choice', async () => {
    const ctx = fakeContext('train', params({ epochs: 1, images: 20 }), testConfig(tmpDir()), [input(shard)]);
    await trainKind.run(ctx);
    expect(JSON.parse(readFileSync(path.join(ctx.outDir, 'train.json'), 'utf8'))).toMatchObject({ images: 20 });
  });
});

describe('procedural fixtures', () => {
  it('are seeded: same arguments, same bytes; another sample, other bytes', () => {
    expect(proceduralImage(1, 0, 16)).toEqual(proceduralImage(1, 0, 16));
    expect(proceduralImage(1, 1, 16)).not.toEqual(proceduralImage(1, 0, 16));
  });
});
