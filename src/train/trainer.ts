import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../plan/index.js';
import { seededRng } from '../rng/index.js';
import { readsSynchronously } from './backend.js';
import { batchLoss, mineSemiHard, pairwiseSq, tripletLoss } from './losses.js';
import type { NetworkDef, Weights } from './networks.js';

/** What one gradient computation needs besides the weights. */
export interface LossConfig {
  readonly loss: Loss;
  readonly margin: number;
  /** The logit scale of arcface/cosface (MARGIN_SOFTMAX_SCALE when absent). */
  readonly scale?: number;
  /** Identities in the training set (the rows of the class-centre head of margin losses). */
  readonly classes: number;
}

let instances = 0;

/**
 * The trainable state of one thread: the network's variables (and the class-centre head of
 * ArcFace/CosFace), which computes the loss and gradients of a batch. The main thread and each
 * data-parallel worker hold one.
 */
export class GradientState {
  readonly names: string[];
  readonly vars: tf.Variable[];
  private readonly prefix: string;
  /**
   * Each variable's value on the host, kept with every assign: the optimizer and checkpoints read
   * the weights every step, and a GPU backend returns them only asynchronously (webgpu).
   */
  private readonly host: Float32Array[];

  constructor(
    readonly def: NetworkDef,
    readonly lossConfig: LossConfig,
    weights: Weights,
    head?: Float32Array,
  ) {
    this.prefix = `synx${instances++}/`;
    this.names = def.params.map((p) => p.name);
    this.host = def.params.map((p) => Float32Array.from(weights.get(p.name)!));
    this.vars = def.params.map((p, i) => tf.variable(tf.tensor(this.host[i]!, [...p.shape]), true, this.prefix + p.name));
    if (lossConfig.loss !== 'triplet') {
      this.names.push('head');
      const h = Float32Array.from(head ?? initHead(def.embedding, lossConfig.classes, 0));
      this.host.push(h);
      this.vars.push(tf.variable(tf.tensor2d(h, [def.embedding, lossConfig.classes]), true, `${this.prefix}head`));
    }
  }

  /**
   * Loss and gradients (one array per variable, in `names` order) of a batch of u8 RGB images.
   * Results are read asynchronously, the only way webgpu can return them under Node.
   */
  async gradients(x: Uint8Array, labels: Int32Array): Promise<{ loss: number; grads: Float32Array[] }> {
    const n = labels.length;
    const s = this.def.input;
    const params: Record<string, tf.Tensor> = {};
    this.def.params.forEach((p, i) => (params[p.name] = this.vars[i]!));
    const head = this.lossConfig.loss === 'triplet' ? undefined : (this.vars[this.vars.length - 1] as tf.Tensor2D);
    const xt = tf.tidy(() => tf.tensor4d(x, [n, s, s, 3], 'int32').toFloat() as tf.Tensor4D);
    try {
      // Triplet mining reads the batch's distances in the middle of the loss. Where that read
      // cannot be synchronous (webgpu), mine from a forward pass first: the same kernels give the
      // same distances, so the same triplets, for one more forward pass per batch.
      let mined: ReturnType<typeof mineSemiHard> | undefined;
      if (this.lossConfig.loss === 'triplet' && !readsSynchronously()) {
        const d = tf.tidy(() => pairwiseSq(this.def.forward(params, xt, 'train')));
        mined = mineSemiHard(await d.data(), labels);
        d.dispose();
      }
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const e = this.def.forward(params, xt, 'train');
          return mined
            ? tripletLoss(e, labels, this.lossConfig.margin, mined)
            : batchLoss(this.lossConfig.loss, e, labels, this.lossConfig.margin, head, this.lossConfig.scale);
        }, this.vars),
      );
      try {
        const [loss, ...gs] = await Promise.all([value.data(), ...this.vars.map((v) => grads[v.name]?.data())]);
        return { loss: loss![0]!, grads: gs.map((g, i) => (g ? (g as Float32Array).slice() : new Float32Array(this.vars[i]!.size))) };
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    } finally {
      xt.dispose();
    }
  }

  /**
   * Overwrites the variables (a worker receiving the main thread's weights). `owned`: the caller
   * hands the arrays over and will not touch them again, so they are kept without a copy.
   */
  assign(values: readonly Float32Array[], owned = false): void {
    values.forEach((v, i) => (this.host[i] = owned ? v : v.slice()));
    this.upload();
  }

  /** The current values, one array per variable, in `names` order. */
  values(): Float32Array[] {
    return this.host.map((h) => h.slice());
  }

  /**
   * Changes the values in place: `change` gets the live host arrays (no copies; the optimizer's
   * step writes every weight), then the variables take the new values.
   */
  update(change: (values: readonly Float32Array[]) => void): void {
    change(this.host);
    this.upload();
  }

  /** Gives the variables the host arrays' values. */
  private upload(): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.tensor(this.host[i]!, v.shape))));
  }

  /** The network weights only (no head), by parameter name. */
  weights(): Weights {
    const out: Weights = new Map();
    this.def.params.forEach((p, i) => out.set(p.name, this.host[i]!.slice()));
    return out;
  }

  head(): Float32Array | undefined {
    return this.lossConfig.loss === 'triplet' ? undefined : this.host[this.host.length - 1]!.slice();
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/** Seeded class centres for a margin-softmax head: unit-variance normal, [embedding, classes]. */
export function initHead(embedding: number, classes: number, seed: number): Float32Array {
  const rng = seededRng(seed, 0x4ead);
  return Float32Array.from({ length: embedding * classes }, () => rng.normal());
}

/** A saved optimizer state: the step count and the moment arrays, in variable order. */
export interface OptimizerState {
  readonly step: number;
  readonly slots: readonly Float32Array[];
}

/** What an Optimizer is set up with besides the rate (which each step passes). */
export interface OptimizerOptions {
  /** SGD's momentum (default 0.9). */
  readonly momentum?: number;
  /** L2 weight decay: added to SGD's gradient, decoupled as in AdamW for Adam (default 0). */
  readonly weightDecay?: number;
}

/**
 * Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) or SGD with momentum (0.9 unless set), on
 * float32 arrays in plain JS: its whole state is saved in checkpoints, so a resumed run continues
 * to the same bytes as one that was never killed (tfjs's optimizers recompute βᵗ on restore).
 * The rate is passed to each step, so a schedule stays a pure function of the step count.
 */
export class Optimizer {
  private step = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly momentum: number;
  private readonly weightDecay: number;

  constructor(
    private readonly state: GradientState,
    private readonly kind: 'adam' | 'sgd',
    private readonly lr: number,
    opts: OptimizerOptions = {},
  ) {
    const sizes = state.vars.map((x) => x.size);
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = kind === 'adam' ? sizes.map((n) => new Float32Array(n)) : [];
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  /** Optimizer steps applied so far (restored from checkpoints): the step a schedule is at. */
  get steps(): number {
    return this.step;
  }

  /** Applies one gradient array per variable (in `state.names` order) at rate `lr`. */
  apply(grads: readonly Float32Array[], lr = this.lr): void {
    this.step++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    const wd = this.weightDecay;
    const mu = this.momentum;
    this.state.update((values) => {
      for (let i = 0; i < values.length; i++) {
        const w = values[i]!;
        const g = grads[i]!;
        const m = this.m[i]!;
        if (this.kind === 'adam') adamStep(w, g, m, this.v[i]!, b1, b2, c1, c2, lr, wd);
        else sgdStep(w, g, m, mu, lr, wd);
      }
    });
  }

  save(): OptimizerState {
    return { step: this.step, slots: [...this.m, ...this.v].map((a) => a.slice()) };
  }

  load(s: OptimizerState): void {
    const all = [...this.m, ...this.v];
    if (s.slots.length !== all.length || s.slots.some((a, i) => a.length !== all[i]!.length)) {
      throw new Error('optimizer state does not fit this network');
    }
    this.step = s.step;
    all.forEach((a, i) => a.set(s.slots[i]!));
  }
}

/**
 * One Adam(W) step over one variable, in place. Its own function with the weight decay's two
 * cases as two loops: inside a closure (over `forEach`) with the case tested per value, V8 ran
 * it about 1.8× slower (a training step's largest serial part, while the other threads wait).
 */
export function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, c1: number, c2: number, lr: number, wd: number): void {
  // The moments are float32 arrays: the step reads them back rounded (Math.fround here, as a
  // store and a load did), in locals, which runs ~1.6× faster.
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  const n = w.length;
  if (wd > 0) {
    for (let k = 0; k < n; k++) {
      const gk = g[k]!;
      const wk = w[k]!;
      const mk = Math.fround(b1 * m[k]! + a1 * gk);
      const vk = Math.fround(b2 * v[k]! + a2 * gk * gk);
      m[k] = mk;
      v[k] = vk;
      // AdamW: the decay is taken from the weight before this step, outside the moments.
      w[k] = wk - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + 1e-8) - lr * wd * wk;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const gk = g[k]!;
    const wk = w[k]!;
    const mk = Math.fround(b1 * m[k]! + a1 * gk);
    const vk = Math.fround(b2 * v[k]! + a2 * gk * gk);
    m[k] = mk;
    v[k] = vk;
    // Without decay, subtracting +0 leaves every value's bits as they are (a -0 stays -0).
    w[k] = wk - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + 1e-8) - 0;
  }
}

/** One SGD-with-momentum step over one variable, in place (decoupled from Adam's for the same reason). */
export function sgdStep(w: Float32Array, g: Float32Array, m: Float32Array, mu: number, lr: number, wd: number): void {
  for (let k = 0; k < w.length; k++) {
    m[k] = mu * m[k]! + (wd > 0 ? g[k]! + wd * w[k]! : g[k]!);
    w[k] = w[k]! - lr * m[k]!;
  }
}
