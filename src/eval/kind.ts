import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkCancelled, NodeFailure, type NodeContext, type NodeKind } from '../node/index.js';
import { KIND_VERSIONS, type EvalParams, type PretrainedNetwork } from '../plan/index.js';
import type { PretrainedEmbedder } from '../networks/index.js';
import { seededRng } from '../rng/index.js';
import type { Embedder, ImageSet } from '../train/index.js';
import { meanStd, rank1ByPose, rocCurve, tarAtFar, type Rank1Result } from './metrics.js';
import { verificationMetrics, type ScoredPair, type VerificationResult } from './verification.js';

/** results.json, the output of an eval node (the report stage reads it). */
export interface EvalResults {
  readonly dataset: string;
  readonly protocol: EvalParams['protocol'];
  readonly verification?: VerificationResult & { readonly tar_at_far_std?: Readonly<Record<string, number>> };
  /** At most 200 (FAR, TAR) points, accept when score ≥ threshold. */
  readonly roc?: readonly { readonly far: number; readonly tar: number }[];
  readonly identification?: Rank1Result;
}

export const RESULTS_FILE = 'results.json';

/** Verification pairs drawn for a synthetic test set, per kind (genuine, impostor). */
export const SYNTHETIC_PAIRS = 3000;

/**
 * The `eval` node kind: embeds the `test` inputs with the `model` input's network and computes
 * the protocol's metrics (see docs/train-eval.md): lfw (10-fold accuracy, VAL@FAR, TAR@FAR),
 * ijba (template scores, TAR@FAR by split), multipie (rank-1 by pose) or synthetic (seeded
 * balanced pairs and rank-1 by yaw bucket from render shards). Writes results.json.
 */
export const evalKind: NodeKind<EvalParams> = {
  kind: 'eval',
  version: KIND_VERSIONS.eval,
  resources: (_p, config) => ({ cpu: 1, gpu: config.backend === 'webgpu' || config.backend === 'tfjs-node-gpu' ? 1 : 0, memoryMb: 1024 }),
  async run(ctx) {
    const results = await evaluate(ctx);
    writeFileSync(path.join(ctx.outDir, RESULTS_FILE), `${JSON.stringify(results, null, 1)}\n`);
  },
};

/** Evaluation embeds each test image once: an image cache would only hold memory. */
const READ_ONCE = { cacheBytes: 0 } as const;

/** Runs an evaluation and returns its results (exported for tests and tools). */
export async function evaluate(ctx: NodeContext<EvalParams>): Promise<EvalResults> {
  const train = await import('../train/index.js');
  const p = ctx.params;
  await train.useBackend(ctx.config.backend);
  if (p.network) return evaluatePretrained(ctx, p.network);
  const modelIn = ctx.inputs.find((i) => i.role === 'model');
  if (!modelIn) throw new NodeFailure(`eval ${ctx.node.label} has no model input`, 'an eval needs a `model` input (a train node)', 'SX5003');
  const { def, weights } = train.readModel(modelIn.dir);
  const set = await train.ImageSet.fromInputs(ctx.inputs, 'test', READ_ONCE);
  if (set.samples.length === 0) throw new NodeFailure(`eval ${ctx.node.label}: its test inputs hold no images`, 'give it render shards or a data node', 'SX5005');
  const embedder = new train.Embedder(def, weights);
  try {
    const embedAll = async (which: readonly number[]): Promise<Float32Array> => {
      const out = new Float32Array(which.length * def.embedding);
      const step = 64;
      for (let i = 0; i < which.length; i += step) {
        await checkCancelled(ctx.signal, 'evaluation');
        const part = which.slice(i, i + step);
        out.set(await embedder.embed(await set.images(part, def.input), part.length, p.flip), i * def.embedding);
        ctx.progress({ done: Math.min(i + step, which.length), total: which.length, unit: 'images', message: 'embedding' });
      }
      // A diverged network (NaN weights) embeds to NaN; every metric of it would be meaningless.
      const bad = out.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw new NodeFailure(
          `eval ${ctx.node.label}: the model embeds image ${which[Math.floor(bad / def.embedding)]} of its test set to ${out[bad]} (the weights of ${modelIn.id} are not finite)`,
          'the training diverged: retrain with a lower learning rate or a warmup',
          'SX5005',
        );
      }
      return out;
    };
    return await protocol(ctx, set, embedAll, def.embedding, train.cosineRows);
  } finally {
    embedder.dispose();
  }
}

/**
 * Evaluates a network synx did not train (`eval ... with network face-api | "model.onnx"`): test
 * images are read at the render's size (or the network's input for real data) and resized by the
 * network's own preprocessing, as face-api resizes its inputs.
 */
async function evaluatePretrained(ctx: NodeContext<EvalParams>, network: PretrainedNetwork): Promise<EvalResults> {
  const train = await import('../train/index.js');
  const networks = await import('../networks/index.js');
  const set = await train.ImageSet.fromInputs(ctx.inputs, 'test', READ_ONCE);
  if (set.samples.length === 0) throw new NodeFailure(`eval ${ctx.node.label}: its test inputs hold no images`, 'give it render shards or a data node', 'SX5005');
  // Render shards are read at their own size and resized by the network's preprocessing, as
  // face-api resizes what it is given; real data is decoded straight to the network's input.
  const tests = ctx.inputs.filter((i) => i.role === 'test');
  const sizes = new Set(tests.map((i) => (i.kind === 'render' ? i.params.size : undefined)));
  const only = sizes.size === 1 ? [...sizes][0] : undefined;
  const size = only ?? network.input;
  let embedder: PretrainedEmbedder;
  try {
    embedder = await networks.loadPretrained(network);
  } catch (e) {
    if (e instanceof networks.NetworkError) throw new NodeFailure(`eval ${ctx.node.label}: ${e.message}`, e.hint, 'SX5003');
    throw e;
  }
  const d = embedder.dim;
  try {
    const embedAll = async (which: readonly number[]): Promise<Float32Array> => {
      const out = new Float32Array(which.length * d);
      const step = 32;
      for (let i = 0; i < which.length; i += step) {
        await checkCancelled(ctx.signal, 'evaluation');
        const part = which.slice(i, i + step);
        let rows: Float32Array;
        try {
          rows = await embedder.embed(await set.images(part, size), part.length, size, ctx.params.flip);
        } catch (e) {
          if (e instanceof networks.NetworkError) throw new NodeFailure(`eval ${ctx.node.label}: ${e.message}`, e.hint, 'SX5003');
          throw e;
        }
        out.set(rows, i * d);
        ctx.progress({ done: Math.min(i + step, which.length), total: which.length, unit: 'images', message: `embedding with ${network.file}` });
      }
      const bad = out.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw new NodeFailure(
          `eval ${ctx.node.label}: ${network.file} embeds image ${which[Math.floor(bad / d)]} of its test set to ${out[bad]}`,
          'the network produces non-finite embeddings: check its normalisation and input size, or the file',
          'SX5003',
        );
      }
      return out;
    };
    return await protocol(ctx, set, embedAll, d, train.cosineRows);
  } finally {
    embedder.dispose();
  }
}

type EmbedAll = (which: readonly number[]) => Promise<Float32Array>;
type Cos = (a: Float32Array, i: number, b: Float32Array, j: number, d: number) => number;

function withRoc(pairs: readonly ScoredPair[]) {
  const g = pairs.filter((x) => x.same).map((x) => x.score);
  const i = pairs.filter((x) => !x.same).map((x) => x.score);
  return rocCurve(g, i, 200);
}

async function protocol(ctx: NodeContext<EvalParams>, set: ImageSet, embedAll: EmbedAll, d: number, cos: Cos): Promise<EvalResults> {
  const p = ctx.params;
  const base = { dataset: p.dataset, protocol: p.protocol } as const;
  const all = set.samples.map((_, i) => i);
  const manifest = set.manifest(0);
  const need = (what: string) =>
    new NodeFailure(`eval ${ctx.node.label}: protocol '${p.protocol}' needs ${what}`, `give the eval a data node of format ${p.protocol} as its test input`, 'SX5005');

  if (p.protocol === 'lfw') {
    if (!manifest?.pairs) throw need('an LFW data node (pairs)');
    const e = await embedAll(manifest.images.map((_, i) => i));
    const pairs = manifest.pairs.map((q) => ({ same: q.same, score: cos(e, q.a, e, q.b, d), fold: q.fold }));
    if (pairs.length < 10) throw new NodeFailure(`eval ${ctx.node.label}: only ${pairs.length} LFW pairs have both images`, 'check the dataset and its fraction', 'SX5005');
    return { ...base, verification: verificationMetrics(pairs), roc: withRoc(pairs) };
  }

  if (p.protocol === 'ijba') {
    if (!manifest?.templates || !manifest.comparisons) throw need('an IJB-A data node (templates and comparisons)');
    const e = await embedAll(manifest.images.map((_, i) => i));
    // A template's feature: the mean of its images' (unit) embeddings, re-normalised.
    const feats = new Float32Array(manifest.templates.length * d);
    manifest.templates.forEach((t, ti) => {
      for (const im of t.images) for (let k = 0; k < d; k++) feats[ti * d + k]! += e[im * d + k]!;
    });
    const pairs: ScoredPair[] = manifest.comparisons.map((c) => ({ same: c.same, score: cos(feats, c.a, feats, c.b, d), ...(c.split !== undefined ? { fold: c.split } : {}) }));
    if (pairs.length < 10) throw new NodeFailure(`eval ${ctx.node.label}: only ${pairs.length} IJB-A comparisons`, 'check the comparisons CSV', 'SX5005');
    const v = verificationMetrics(pairs);
    const splits = [...new Set(pairs.map((x) => x.fold))].filter((x): x is number => x !== undefined);
    if (splits.length > 1 && pairs.every((x) => x.fold !== undefined)) {
      // IJB-A reports TAR@FAR as mean ± std over its splits.
      const per = splits.map((s) => {
        const sp = pairs.filter((x) => x.fold === s);
        return tarAtFar(sp.filter((x) => x.same).map((x) => x.score), sp.filter((x) => !x.same).map((x) => x.score), [1e-1, 1e-2, 1e-3]).map((t) => t.tar);
      });
      const ms = [0, 1, 2].map((k) => meanStd(per.map((r) => r[k]!)));
      return {
        ...base,
        verification: {
          ...v,
          tar_at_far: { '1e-1': ms[0]!.mean, '1e-2': ms[1]!.mean, '1e-3': ms[2]!.mean },
          tar_at_far_std: { '1e-1': ms[0]!.std, '1e-2': ms[1]!.std, '1e-3': ms[2]!.std },
        },
        roc: withRoc(pairs),
      };
    }
    return { ...base, verification: v, roc: withRoc(pairs) };
  }

  const e = await embedAll(all);
  const identification = rank1(set, e, d);
  if (p.protocol === 'multipie') return { ...base, identification };

  // synthetic: seeded balanced pairs over all test images, then rank-1 by yaw bucket.
  const pairs = syntheticPairs(set, p.seed).map((q) => ({ same: q.same, score: cos(e, q.a, e, q.b, d) }));
  if (pairs.length < 10) throw new NodeFailure(`eval ${ctx.node.label}: the synthetic test set gives only ${pairs.length} pairs`, 'render more identities or images per identity for the test set', 'SX5005');
  return { ...base, verification: verificationMetrics(pairs), roc: withRoc(pairs), identification };
}

/** Gallery: each identity's most frontal image (smallest |yaw|, then |pitch|); probes: the rest. */
function rank1(set: ImageSet, e: Float32Array, d: number): Rank1Result {
  const gal = new Map<number, number>();
  set.samples.forEach((s, i) => {
    const g = gal.get(s.label);
    const key = (j: number) => Math.abs(set.samples[j]!.yaw) * 1000 + Math.abs(set.samples[j]!.pitch);
    if (g === undefined || key(i) < key(g)) gal.set(s.label, i);
  });
  const galleryIdx = new Set(gal.values());
  const row = (i: number) => e.subarray(i * d, (i + 1) * d);
  const gallery = [...gal.entries()].map(([id, i]) => ({ id, embedding: row(i) }));
  const probes = set.samples.flatMap((s, i) => (galleryIdx.has(i) ? [] : [{ id: s.label, yaw: s.yaw, embedding: row(i) }]));
  return rank1ByPose(gallery, probes);
}

/**
 * Seeded verification pairs from sample labels: up to SYNTHETIC_PAIRS distinct genuine pairs
 * (two images of one identity) and as many impostor pairs (two identities), alternating
 * genuine/impostor so every consecutive fold is balanced.
 */
export function syntheticPairs(set: ImageSet, seed: number): { a: number; b: number; same: boolean }[] {
  const rng = seededRng(seed, 0xba125);
  const byClass = new Map<number, number[]>();
  set.samples.forEach((s, i) => byClass.set(s.label, [...(byClass.get(s.label) ?? []), i]));
  const multi = [...byClass.values()].filter((l) => l.length >= 2);
  const classes = [...byClass.values()];
  if (multi.length === 0 || classes.length < 2) return [];
  const possible = multi.reduce((a, l) => a + (l.length * (l.length - 1)) / 2, 0);
  const n = Math.min(SYNTHETIC_PAIRS, possible);
  const seen = new Set<string>();
  const genuine: [number, number][] = [];
  for (let tries = 0; genuine.length < n && tries < n * 50; tries++) {
    const l = rng.choice(multi);
    const i = rng.int(l.length);
    let j = rng.int(l.length - 1);
    if (j >= i) j++;
    const [a, b] = [Math.min(l[i]!, l[j]!), Math.max(l[i]!, l[j]!)];
    if (seen.has(`${a},${b}`)) continue;
    seen.add(`${a},${b}`);
    genuine.push([a, b]);
  }
  const out: { a: number; b: number; same: boolean }[] = [];
  for (const [a, b] of genuine) {
    out.push({ a, b, same: true });
    const ci = rng.int(classes.length);
    let cj = rng.int(classes.length - 1);
    if (cj >= ci) cj++;
    const la = classes[ci]!;
    const lb = classes[cj]!;
    out.push({ a: rng.choice(la), b: rng.choice(lb), same: false });
  }
  return out;
}

