import * as tf from '@tensorflow/tfjs';
import type { Loss, Network } from '../plan/index.js';
import { seededRng } from '../rng/index.js';
import { FACE_API_EMBEDDING, FACE_API_NORMALIZATION } from '../networks/index.js';
import { conv2dSame, hasNativeFilterGrad, maxPool2 } from './ops.js';

/** One trainable array of a network, in definition order (which fixes init and file order). */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Named weight arrays, the form networks, checkpoints and workers exchange. */
export type Weights = Map<string, Float32Array>;

/**
 * How a forward pass normalises the embedding: `train` with the batch's own moments, `infer`
 * with the population moments stored in the model (the `stats` arrays).
 */
export type ForwardMode = 'train' | 'infer';

/**
 * What sits between the embedding layer and the L2 normalisation: nothing (FaceNet's layout) or a
 * batch norm (InsightFace's "BN-neck").
 */
export type Neck = 'none' | 'bn';

/**
 * The neck a loss trains with: a batch norm for the margin softmaxes, which without it start with
 * every image at nearly the same embedding (pooled ReLU features share a large positive mean:
 * cosine ≈ 0.95 between any two faces) and sit there at uniform logits; none for the triplet
 * loss, which those collapsed starting embeddings suit (every triplet is active, so gradients are
 * strong from the first step) and which a batch norm slowed (measured in docs/train-eval.md).
 */
export function neckFor(loss: Loss, network?: Network): Neck {
  // face-api's weights were trained without a neck; a fresh one would change its embeddings.
  if (network === 'face-api') return 'none';
  return loss === 'triplet' ? 'none' : 'bn';
}

/** A network with its parameter list and cost, for a given input size and embedding width. */
export interface NetworkDef {
  readonly network: Network;
  readonly input: number;
  readonly embedding: number;
  readonly neck: Neck;
  /** The trainable arrays. */
  readonly params: readonly ParamSpec[];
  /**
   * Arrays that are measured, not trained: the embedding batch norm's population mean and
   * variance, set from the training images after training (see `features`); none without a neck.
   */
  readonly stats: readonly ParamSpec[];
  /** Multiply-adds of one forward pass of one image, ×2 (FLOPs). */
  readonly flopsPerImage: number;
  /** Embeddings (L2-normalised, [n, embedding]) of RGB images [n, input, input, 3] in 0..255. */
  forward(p: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D;
  /** The embedding layer's outputs before the neck, whose moments become `stats`. */
  features(p: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor4D): tf.Tensor2D;
}

type Init = 'he' | 'zeros' | 'ones' | 'small' | 'dense';

/** The variance floor of batch norm (PyTorch's and InsightFace's default). */
export const BN_EPSILON = 1e-5;

/** Gives a forward pass its parameters; in the define pass it creates them (and counts FLOPs). */
class Layers {
  flops = 0;
  /** The network input: its conv needs no input gradient. */
  input: tf.Tensor | null = null;
  readonly specs: ParamSpec[] = [];
  readonly statSpecs: ParamSpec[] = [];
  readonly created = new Map<string, { shape: number[]; init: Init }>();

  constructor(
    private readonly p: Readonly<Record<string, tf.Tensor>> | null,
    private readonly native: boolean,
  ) {}

  get hasParams(): boolean {
    return this.p !== null;
  }

  get(name: string, shape: number[], init: Init, stat = false): tf.Tensor {
    if (this.p) {
      const t = this.p[name];
      if (!t) throw new Error(`network parameter ${name} missing`);
      return t;
    }
    (stat ? this.statSpecs : this.specs).push({ name, shape });
    this.created.set(name, { shape, init });
    return tf.zeros(shape);
  }

  conv(name: string, x: tf.Tensor4D, k: number, cout: number, stride = 1, relu = true, init: Init = 'he'): tf.Tensor4D {
    const cin = x.shape[3];
    const w = this.get(`${name}/w`, [k, k, cin, cout], init) as tf.Tensor4D;
    const b = this.get(`${name}/b`, [cout], 'zeros') as tf.Tensor1D;
    const ho = Math.ceil(x.shape[1] / stride);
    const wo = Math.ceil(x.shape[2] / stride);
    if (!this.p) this.flops += 2 * ho * wo * k * k * cin * cout;
    return conv2dSame(x, w, b, stride, this.native, x !== this.input, relu);
  }

  /**
   * One of face-api's recogniser layers: conv + bias, then a per-channel scale and shift, then
   * ReLU. Its stride-2 convs are 'valid' (face-api's padding), the others 'same'. The parameter
   * names are face-api's, so its weight file initialises them as they are.
   */
  scaledConv(name: string, x: tf.Tensor4D, k: number, cout: number, stride: 1 | 2, relu: boolean): tf.Tensor4D {
    const cin = x.shape[3];
    const w = this.get(`${name}/conv/filters`, [k, k, cin, cout], 'he') as tf.Tensor4D;
    const b = this.get(`${name}/conv/bias`, [cout], 'zeros') as tf.Tensor1D;
    const scale = this.get(`${name}/scale/weights`, [cout], 'ones');
    const shift = this.get(`${name}/scale/biases`, [cout], 'zeros');
    const pad = stride === 2 ? 'valid' : 'same';
    const y = conv2dSame(x, w, b, stride, this.native, x !== this.input, false, pad);
    if (!this.p) this.flops += 2 * y.shape[1] * y.shape[2] * k * k * cin * cout;
    const out = tf.add(tf.mul(y, scale), shift) as tf.Tensor4D;
    return relu ? tf.relu(out) : out;
  }

  pool2(x: tf.Tensor4D): tf.Tensor4D {
    return maxPool2(x, this.native);
  }

  dense(name: string, x: tf.Tensor2D, out: number): tf.Tensor2D {
    const w = this.get(`${name}/w`, [x.shape[1], out], 'dense') as tf.Tensor2D;
    const b = this.get(`${name}/b`, [out], 'zeros');
    if (!this.p) this.flops += 2 * x.shape[1] * out;
    return tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  }

  /**
   * Batch norm over the rows of x, with a learned scale and shift: in `train` mode by the batch's
   * moments, in `infer` mode by the stored population moments.
   */
  batchNorm(name: string, x: tf.Tensor2D, mode: ForwardMode): tf.Tensor2D {
    const d = x.shape[1];
    const gamma = this.get(`${name}/gamma`, [d], 'ones');
    const beta = this.get(`${name}/beta`, [d], 'zeros');
    // Training never reads the stored moments (the training state holds only trained arrays);
    // the define pass creates them all the same.
    const stored = mode === 'infer' || !this.p ? { mean: this.get(`${name}/mean`, [d], 'zeros', true), variance: this.get(`${name}/var`, [d], 'ones', true) } : null;
    const { mean, variance } = mode === 'train' ? tf.moments(x, 0) : stored!;
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPSILON)));
    return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D;
  }
}

const maxPool = (x: tf.Tensor4D, k: number, s: number) => tf.maxPool(x, k, s, 'same');

/** The small fast CPU network: conv 32-64-128-128 (3×3, each followed by a 2×2 max-pool). */
function small(L: Layers, x: tf.Tensor4D): tf.Tensor4D {
  let h = x;
  for (const [i, c] of [32, 64, 128, 128].entries()) h = L.pool2(L.conv(`conv${i + 1}`, h, 3, c));
  return h;
}

/** An inception module: 1×1, 1×1→3×3, 1×1→5×5 and pool→1×1 branches, concatenated. */
function inception(
  L: Layers,
  name: string,
  x: tf.Tensor4D,
  o: { c1?: number; r3: number; c3: number; r5?: number; c5?: number; pool: 'max' | 'avg'; proj?: number; stride?: number },
): tf.Tensor4D {
  const s = o.stride ?? 1;
  const out: tf.Tensor4D[] = [];
  if (o.c1) out.push(L.conv(`${name}/1x1`, x, 1, o.c1));
  out.push(L.conv(`${name}/3x3`, L.conv(`${name}/3x3r`, x, 1, o.r3), 3, o.c3, s));
  if (o.r5 && o.c5) out.push(L.conv(`${name}/5x5`, L.conv(`${name}/5x5r`, x, 1, o.r5), 5, o.c5, s));
  const pooled = o.pool === 'max' ? maxPool(x, 3, s) : tf.avgPool(x, 3, s, 'same');
  out.push(o.proj ? L.conv(`${name}/proj`, pooled, 1, o.proj) : pooled);
  return tf.concat(out, 3);
}

/**
 * NN4-small-like (OpenFace nn4.small2, for 96 px): 7×7 stem, inception 3a–5b with OpenFace's
 * widths, average pool. No LRN or batch norm: synx trains it with Adam from a scaled init.
 */
function nn4Small(L: Layers, x: tf.Tensor4D): tf.Tensor4D {
  let h = L.conv('conv1', x, 7, 64, 2);
  h = maxPool(h, 3, 2);
  h = L.conv('conv2', h, 1, 64);
  h = L.conv('conv3', h, 3, 192);
  h = maxPool(h, 3, 2);
  h = inception(L, '3a', h, { c1: 64, r3: 96, c3: 128, r5: 16, c5: 32, pool: 'max', proj: 32 });
  h = inception(L, '3b', h, { c1: 64, r3: 96, c3: 128, r5: 32, c5: 64, pool: 'avg', proj: 64 });
  h = inception(L, '3c', h, { r3: 128, c3: 256, r5: 32, c5: 64, pool: 'max', stride: 2 });
  h = inception(L, '4a', h, { c1: 256, r3: 96, c3: 192, r5: 32, c5: 64, pool: 'avg', proj: 128 });
  h = inception(L, '4e', h, { r3: 160, c3: 256, r5: 64, c5: 128, pool: 'max', stride: 2 });
  h = inception(L, '5a', h, { c1: 256, r3: 96, c3: 384, pool: 'avg', proj: 96 });
  h = inception(L, '5b', h, { c1: 256, r3: 96, c3: 384, pool: 'max', proj: 96 });
  return h;
}

/**
 * ResNet-style: a strided 3×3 stem, then basic blocks at 32, 64 (/2), 128 (/2), 256 (/2). The
 * second conv of each block starts at zero (Fixup), so every block starts as the identity and the
 * net trains without batch norm.
 */
function resnet(L: Layers, x: tf.Tensor4D): tf.Tensor4D {
  let h = L.conv('stem', x, 3, 32, 2);
  for (const [i, c] of [32, 64, 128, 256].entries()) {
    const s = i === 0 ? 1 : 2;
    const a = L.conv(`block${i + 1}/a`, h, 3, c, s);
    const b = L.conv(`block${i + 1}/b`, a, 3, c, 1, false, 'zeros');
    const short = s !== 1 || h.shape[3] !== c ? L.conv(`block${i + 1}/short`, h, 1, c, s, false) : h;
    h = tf.relu(tf.add(b, short)) as tf.Tensor4D;
  }
  return h;
}

/**
 * face-api's recogniser (the forward of src/networks/face-api.ts, which the tests check against
 * face-api's own descriptor) built from `Layers`, so its convs train on wasm: a 7×7/2 stem and a
 * 3×3/2 max-pool, residual blocks at 32, 64, 128 and 256 channels whose downsampling shortcut is
 * a 2×2 average pool zero-padded in channels, and a last downsampling block.
 */
function faceApiBody(L: Layers, x: tf.Tensor4D): tf.Tensor4D {
  const residual = (input: tf.Tensor4D, name: string): tf.Tensor4D => {
    const c = input.shape[3];
    const out = L.scaledConv(`${name}/conv2`, L.scaledConv(`${name}/conv1`, input, 3, c, 1, true), 3, c, 1, false);
    return tf.relu(tf.add(out, input)) as tf.Tensor4D;
  };
  const residualDown = (input: tf.Tensor4D, name: string, c: number): tf.Tensor4D => {
    let out = L.scaledConv(`${name}/conv2`, L.scaledConv(`${name}/conv1`, input, 3, c, 2, true), 3, c, 1, false);
    let pooled = tf.avgPool(input, 2, 2, 'valid') as tf.Tensor4D;
    // A 'valid' stride-2 conv of an odd size is one row and column short of the pool: face-api pads zeros.
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) out = tf.pad(out, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    if (pooled.shape[3] !== c) pooled = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, c - pooled.shape[3]]]);
    return tf.relu(tf.add(pooled, out)) as tf.Tensor4D;
  };
  let h = L.scaledConv('conv32_down', x, 7, 32, 2, true);
  h = tf.maxPool(h, 3, 2, 'valid');
  for (const n of ['conv32_1', 'conv32_2', 'conv32_3']) h = residual(h, n);
  h = residualDown(h, 'conv64_down', 64);
  for (const n of ['conv64_1', 'conv64_2', 'conv64_3']) h = residual(h, n);
  h = residualDown(h, 'conv128_down', 128);
  for (const n of ['conv128_1', 'conv128_2']) h = residual(h, n);
  h = residualDown(h, 'conv256_down', 256);
  for (const n of ['conv256_1', 'conv256_2']) h = residual(h, n);
  return residualDown(h, 'conv256_down_out', 256);
}

/**
 * face-api's whole recogniser: normalisation ((x − mean RGB) / 255), body, global average pool, `fc`, then synx's L2
 * normalisation (face-api's descriptor is the raw `fc` output; its distances are Euclidean, synx
 * compares by cosine, which L2-normalised rows make the same ranking). No neck: its weights were
 * trained without one.
 */
function runFaceApi(L: Layers, x: tf.Tensor4D, normalise: boolean): tf.Tensor2D {
  const scaled = tf.div(tf.sub(x, tf.tensor1d([...FACE_API_NORMALIZATION.mean])), 255) as tf.Tensor4D;
  L.input = scaled;
  const pooled = tf.mean(faceApiBody(L, scaled), [1, 2]) as tf.Tensor2D;
  const fc = L.get('fc', [pooled.shape[1], FACE_API_EMBEDDING], 'dense') as tf.Tensor2D;
  if (!L.hasParams) L.flops += 2 * pooled.shape[1] * FACE_API_EMBEDDING;
  const f = tf.matMul(pooled, fc) as tf.Tensor2D;
  if (!normalise) return f;
  return tf.div(f, tf.sqrt(tf.add(tf.sum(tf.square(f), 1, true), 1e-10))) as tf.Tensor2D;
}

const BODIES: Record<Exclude<Network, 'face-api'>, (L: Layers, x: tf.Tensor4D) => tf.Tensor4D> = { small, 'nn4-small': nn4Small, resnet };

/**
 * The whole network: input scaled to [-1, 1], body, global average pool, dense embedding, the
 * neck, L2 normalisation (`mode` null stops before the neck).
 */
function run(L: Layers, network: Network, embedding: number, neck: Neck, x: tf.Tensor4D, mode: ForwardMode | null): tf.Tensor2D {
  if (network === 'face-api') return runFaceApi(L, x, mode !== null);
  const scaled = tf.sub(tf.div(x, 127.5), 1) as tf.Tensor4D;
  L.input = scaled;
  const h = BODIES[network](L, scaled);
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const f = L.dense('embedding', pooled, embedding);
  if (mode === null) return f;
  const e = neck === 'bn' ? L.batchNorm('embedding/bn', f, mode) : f;
  return tf.div(e, tf.sqrt(tf.add(tf.sum(tf.square(e), 1, true), 1e-10))) as tf.Tensor2D;
}

const defs = new Map<string, { def: NetworkDef; inits: Map<string, { shape: number[]; init: Init }> }>();

function define(network: Network, input: number, embedding: number, neck: Neck) {
  if (network === 'face-api' && (embedding !== FACE_API_EMBEDDING || neck !== 'none')) {
    throw new Error(`face-api's recogniser has ${FACE_API_EMBEDDING}-d embeddings and no neck, not ${embedding}-d with neck ${neck}`);
  }
  const key = `${network}/${input}/${embedding}/${neck}`;
  const hit = defs.get(key);
  if (hit) return hit;
  const L = new Layers(null, true);
  tf.tidy(() => run(L, network, embedding, neck, tf.zeros([1, input, input, 3]) as tf.Tensor4D, 'train'));
  const def: NetworkDef = {
    network,
    input,
    embedding,
    neck,
    params: L.specs,
    stats: L.statSpecs,
    flopsPerImage: L.flops,
    forward: (p, x, mode) => run(new Layers(p, hasNativeFilterGrad()), network, embedding, neck, x, mode),
    features: (p, x) => run(new Layers(p, hasNativeFilterGrad()), network, embedding, neck, x, null),
  };
  const entry = { def, inits: L.created };
  defs.set(key, entry);
  return entry;
}

/** The network `network` for square inputs of `input` px and `embedding`-d outputs, with `neck`. */
export function networkDef(network: Network, input: number, embedding: number, neck: Neck = 'none'): NetworkDef {
  return define(network, input, embedding, neck).def;
}

/**
 * Seeded initial weights: He-normal convs (std √(2/fan-in)), zero biases, dense layers with std
 * √(1/fan-in), the zero-initialised residual branches, batch-norm scales 1 and shifts 0, and the
 * identity batch-norm statistics (mean 0, variance 1). Same seed ⇒ same bytes.
 */
export function initWeights(def: NetworkDef, seed: number): Weights {
  const { inits } = define(def.network, def.input, def.embedding, def.neck);
  const rng = seededRng(seed, 0x1417);
  const out: Weights = new Map();
  for (const spec of [...def.params, ...def.stats]) {
    const { shape, init } = inits.get(spec.name)!;
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 4 ? shape[0]! * shape[1]! * shape[2]! : (shape[0] ?? 1);
    const std = init === 'he' ? Math.sqrt(2 / fanIn) : init === 'dense' ? Math.sqrt(1 / fanIn) : init === 'small' ? 0.01 : 0;
    const a = new Float32Array(n);
    if (init === 'ones') a.fill(1);
    else if (std > 0 && shape.length > 1) for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
    out.set(spec.name, a);
  }
  return out;
}
