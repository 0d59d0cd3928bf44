import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkCancelled, NodeFailure, type Progress } from '../node/index.js';
import type { TrainParams } from '../plan/index.js';
import { seededRng } from '../rng/index.js';
import { loadCheckpoint, saveCheckpoint, writeModel } from './model-io.js';
import { initWeights, neckFor, networkDef, type Neck, type NetworkDef, type Weights } from './networks.js';
import { ParallelGradients, type BatchPart } from './parallel.js';
import type { ImageSet } from './samples.js';
import { learningRate } from './schedule.js';
import { GradientState, initHead, Optimizer } from './trainer.js';
import { Embedder } from './embed.js';
import { flipChoices, mirrorImages } from './augment.js';

/** Images per identity in a batch (P identities × K images), so each batch has positives. */
export const IMAGES_PER_IDENTITY = 4;

/** One epoch of history.json. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean batch loss over the epoch. */
  readonly loss: number;
  /** The learning rate of the epoch's last step (it changes within epochs under a schedule). */
  readonly lr: number;
  readonly images: number;
  readonly seconds: number;
  readonly images_per_s: number;
}

/** Everything a training run needs besides the image set. */
export interface TrainRun {
  readonly params: TrainParams;
  readonly set: ImageSet;
  /** Samples to train on (indices into set.samples). */
  readonly train: readonly number[];
  /** Start weights (a finetune's pretrain checkpoint); seeded init when absent. */
  readonly init?: Weights;
  /** The network's neck (a finetune's is set by the train kind); the loss's (`neckFor`) when absent. */
  readonly neck?: Neck;
  readonly scratchDir: string;
  readonly outDir: string;
  readonly backend: string;
  readonly threads: number;
  readonly signal?: AbortSignal;
  progress?(p: Progress): void;
  log?(m: string): void;
}

/**
 * Parts a batch is cut into for data-parallel gradients: one per 16 images, at least 1. Fixed
 * by the batch size alone so the bytes of a run do not depend on the machine's thread count.
 */
export function batchParts(batch: number): number {
  return Math.max(1, Math.floor(batch / 16));
}

/**
 * The seeded P×K batches of one epoch: each batch holds batch/K identities with K images each
 * (fewer identities and more images each when the set has few), as triplet mining needs. Each
 * batch is a list of sample indices grouped by identity, so cutting it into consecutive parts
 * keeps identities whole.
 */
export function epochBatches(byClass: readonly (readonly number[])[], total: number, batch: number, seed: number, epoch: number): number[][] {
  const rng = seededRng(seed, 0xe70c, epoch);
  const usable = byClass.map((l, c) => ({ c, l })).filter((x) => x.l.length > 0);
  const k = Math.max(2, Math.min(IMAGES_PER_IDENTITY, Math.floor(batch / 2)));
  const p = Math.max(1, Math.min(usable.length, Math.floor(batch / k)));
  const steps = Math.max(1, Math.floor(total / batch));
  const out: number[][] = [];
  let order: typeof usable = [];
  for (let s = 0; s < steps; s++) {
    const ids: typeof usable = [];
    while (ids.length < p) {
      if (order.length === 0) order = rng.shuffle([...usable]);
      ids.push(order.pop()!);
    }
    const per = Math.floor(batch / ids.length);
    const b: number[] = [];
    ids.forEach((x, i) => {
      const want = i < batch - per * ids.length ? per + 1 : per;
      const pool = rng.shuffle([...x.l]);
      for (let j = 0; j < want; j++) b.push(pool[j % pool.length]!);
    });
    out.push(b);
  }
  return out;
}

/**
 * Trains a network: P×K batches, data-parallel gradients over `threads`, one optimizer step per
 * batch, a checkpoint in scratchDir after each epoch (a killed run resumes after its last whole
 * epoch), and model.json + weights.bin + history.json in outDir at the end.
 */
export async function runTraining(run: TrainRun): Promise<{ def: NetworkDef; history: EpochRecord[] }> {
  const p = run.params;
  const def = networkDef(p.network, p.input, p.embedding, run.neck ?? neckFor(p.loss, p.network));
  const lossConfig = { loss: p.loss, margin: p.margin, classes: run.set.classes, ...(p.scale !== undefined ? { scale: p.scale } : {}) };
  const byClass: number[][] = Array.from({ length: run.set.classes }, () => []);
  for (const i of run.train) byClass[run.set.samples[i]!.label]!.push(i);
  if (byClass.filter((l) => l.length > 0).length < 2) {
    throw new NodeFailure(`training needs images of at least 2 identities, the inputs have ${byClass.filter((l) => l.length > 0).length}`, 'add identities to the training data', 'SX5005');
  }

  const ckpt = loadCheckpoint(run.scratchDir);
  // A finetune's start weights may lack the neck's arrays (a triplet pretrain under a margin-loss
  // finetune): those start from the seeded init.
  const weights = ckpt?.weights ?? (run.init ? new Map([...initWeights(def, p.seed), ...run.init]) : initWeights(def, p.seed));
  const head = ckpt?.head ?? (p.loss === 'triplet' ? undefined : initHead(def.embedding, run.set.classes, p.seed));
  const state = new GradientState(def, lossConfig, weights, head);
  const opt = new Optimizer(state, p.optimizer, p.lr, {
    ...(p.momentum !== undefined ? { momentum: p.momentum } : {}),
    ...(p.weightDecay !== undefined ? { weightDecay: p.weightDecay } : {}),
  });
  if (ckpt) {
    opt.load(ckpt.optimizer);
    run.log?.(`resuming after epoch ${ckpt.epoch} from ${run.scratchDir}`);
  }
  const history: EpochRecord[] = [...((ckpt?.history ?? []) as EpochRecord[])];
  // Checkpoints hold the identity statistics: the population ones are measured once, at the end.
  const identity = identityStats(def);
  const pool = await ParallelGradients.start(state, run.threads, run.backend);
  try {
    const nParts = batchParts(p.batch);
    // epochBatches makes this many batches (optimizer steps) every epoch.
    const stepsPerEpoch = Math.max(1, Math.floor(run.train.length / p.batch));
    const perEpoch = stepsPerEpoch * p.batch;
    const totalImages = perEpoch * p.epochs;
    for (let epoch = (ckpt?.epoch ?? 0) + 1; epoch <= p.epochs; epoch++) {
      const batches = epochBatches(byClass, run.train.length, p.batch, p.seed, epoch);
      const t0 = performance.now();
      let lossSum = 0;
      let seen = 0;
      let lr = p.lr;
      let next = run.set.images(batches[0]!, def.input);
      for (const [s, b] of batches.entries()) {
        // Within a step of Ctrl-C; the last epoch's checkpoint stays in scratchDir for the next run.
        await checkCancelled(run.signal, 'training');
        const x = await next;
        // Mirrored faces are more poses of the same people (yaw −θ for θ): the choice is drawn
        // per image from the seed, epoch and step, so a resumed run flips what it would have.
        if (p.augment === 'flip') mirrorImages(x, def.input, flipChoices(p.seed, epoch, s, b.length));
        const labels = Int32Array.from(b, (i) => run.set.samples[i]!.label);
        const parts = cutBatch(x, labels, def.input, nParts);
        const step = pool.gradients(parts);
        // Load the next batch while the workers still compute this one: the main thread's own
        // part has run by now (wasm computes synchronously), and the workers wait for nothing
        // but the optimizer step between batches.
        if (s + 1 < batches.length) next = run.set.images(batches[s + 1]!, def.input);
        const { loss, grads } = await step;
        // NaN weights can hide behind a finite loss (relu(NaN) is 0 on some backends): check the
        // gradients too, whose sum is NaN or infinite as soon as one entry is.
        let gsum = 0;
        for (const g of grads) for (let k = 0; k < g.length; k++) gsum += g[k]!;
        if (!Number.isFinite(loss) || !Number.isFinite(gsum)) {
          throw new NodeFailure(
            `the loss became ${Number.isFinite(loss) ? 'NaN in its gradients' : loss} at epoch ${epoch}, batch ${s + 1}`,
            `lower the learning rate (lr ${p.lr}) or change the loss margin (${p.margin})`,
            'SX5005',
          );
        }
        // The rate is a function of the step count, which the checkpoint restores: a resumed run
        // continues the schedule exactly where the stopped one was.
        lr = learningRate(p, stepsPerEpoch, opt.steps);
        opt.apply(grads, lr);
        lossSum += loss;
        seen += b.length;
        const secs = (performance.now() - t0) / 1000;
        run.progress?.({
          done: (epoch - 1) * perEpoch + seen,
          total: totalImages,
          unit: 'images',
          message: `epoch ${epoch}/${p.epochs}`,
          metrics: { loss, 'img/s': seen / secs, epoch, ...(p.schedule || p.warmup ? { lr } : {}) },
        });
      }
      const seconds = (performance.now() - t0) / 1000;
      history.push({ epoch, loss: lossSum / batches.length, lr, images: seen, seconds, images_per_s: seen / seconds });
      run.log?.(`epoch ${epoch}: loss ${(lossSum / batches.length).toFixed(4)}, ${(seen / seconds).toFixed(1)} img/s`);
      const h = state.head();
      saveCheckpoint(run.scratchDir, def, { epoch, weights: new Map([...identity, ...state.weights()]), optimizer: opt.save(), history, ...(h ? { head: h } : {}) });
    }
    const trained = state.weights();
    let stats: Weights = new Map();
    if (def.stats.length > 0) {
      run.log?.(`measuring the embedding batch norm's statistics on ${Math.min(STATS_IMAGES, run.train.length)} training images`);
      stats = await embeddingStats(def, trained, run.set, run.train, p.seed);
    }
    writeModel(run.outDir, def, new Map([...trained, ...stats]));
    writeFileSync(path.join(run.outDir, 'history.json'), `${JSON.stringify(history, null, 1)}\n`);
    return { def, history };
  } finally {
    await pool.close();
    state.dispose();
  }
}

/** Training images the embedding batch norm's population statistics are measured on, at most. */
export const STATS_IMAGES = 1024;

/** Mean 0 and variance 1 for every statistics array of a network (a batch norm that is the identity before its shift and scale). */
export function identityStats(def: NetworkDef): Weights {
  const w = initWeights(def, 0);
  return new Map(def.stats.map((s) => [s.name, w.get(s.name)!]));
}

/**
 * The population mean and (biased) variance of the embedding layer's outputs, measured with the
 * trained weights on up to STATS_IMAGES seeded training images ("precise BN", Wu & Johnson
 * 2021): the moments inference normalises by. Exact over the images, rather than a running
 * average of batch moments taken while the weights were still moving.
 */
export async function embeddingStats(def: NetworkDef, weights: Weights, set: ImageSet, train: readonly number[], seed: number): Promise<Weights> {
  const which = seededRng(seed, 0xb57a)
    .shuffle([...train])
    .slice(0, STATS_IMAGES)
    .sort((a, b) => a - b);
  const d = def.embedding;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  // The neck's stored moments are not read by `features`; the identity ones complete the set.
  const em = new Embedder(def, new Map([...identityStats(def), ...weights]));
  try {
    for (let i = 0; i < which.length; i += 64) {
      const chunk = which.slice(i, i + 64);
      const v = await em.features(await set.images(chunk, def.input), chunk.length);
      for (let r = 0; r < chunk.length; r++) {
        for (let k = 0; k < d; k++) {
          const y = v[r * d + k]!;
          sum[k] = sum[k]! + y;
          sq[k] = sq[k]! + y * y;
        }
      }
    }
  } finally {
    em.dispose();
  }
  const n = which.length;
  const mean = Float32Array.from(sum, (s) => s / n);
  const variance = Float32Array.from(sq, (s, k) => Math.max(0, s / n - (sum[k]! / n) ** 2));
  const [m, v] = def.stats;
  return new Map([
    [m!.name, mean],
    [v!.name, variance],
  ]);
}

/** Cuts a batch (grouped by identity) into `n` consecutive parts. */
export function cutBatch(x: Uint8Array, labels: Int32Array, size: number, n: number): BatchPart[] {
  const per = size * size * 3;
  const parts: BatchPart[] = [];
  const len = labels.length;
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * len) / n);
    const b = Math.floor(((i + 1) * len) / n);
    // Copies, not views: a view would post its whole underlying buffer to a worker.
    if (b > a) parts.push({ x: x.slice(a * per, b * per), labels: labels.slice(a, b) });
  }
  return parts;
}
