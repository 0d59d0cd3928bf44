import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../plan/index.js';
import { Rng } from '../data/index.js';
import { batchLoss } from './losses.js';
import type { NetworkDef, Weights } from './networks.js';

/** What one gradient computation needs besides the weights. */
export interface LossConfig {
  readonly loss: Loss;
  readonly margin: number;
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

  constructor(
    readonly def: NetworkDef,
    readonly lossConfig: LossConfig,
    weights: Weights,
    head?: Float32Array,
  ) {
    this.prefix = `synx${instances++}/`;
    this.names = def.params.map((p) => p.name);
    this.vars = def.params.map((p) => tf.variable(tf.tensor(weights.get(p.name)!, [...p.shape]), true, this.prefix + p.name));
    if (lossConfig.loss !== 'triplet') {
      this.names.push('head');
      const h = head ?? initHead(def.embedding, lossConfig.classes, 0);
      this.vars.push(tf.variable(tf.tensor2d(h, [def.embedding, lossConfig.classes]), true, `${this.prefix}head`));
    }
  }

  /** Loss and gradients (one array per variable, in `names` order) of a batch of u8 RGB images. */
  gradients(x: Uint8Array, labels: Int32Array): { loss: number; grads: Float32Array[] } {
    return tf.tidy(() => {
      const n = labels.length;
      const s = this.def.input;
      const xt = tf.tensor4d(x, [n, s, s, 3], 'int32').toFloat();
      const params: Record<string, tf.Tensor> = {};
      this.def.params.forEach((p, i) => (params[p.name] = this.vars[i]!));
      const head = this.lossConfig.loss === 'triplet' ? undefined : (this.vars[this.vars.length - 1] as tf.Tensor2D);
      const { value, grads } = tf.variableGrads(
        () => batchLoss(this.lossConfig.loss, this.def.forward(params, xt as tf.Tensor4D), labels, this.lossConfig.margin, head),
        this.vars,
      );
      const loss = value.dataSync()[0]!;
      return {
        loss,
        grads: this.vars.map((v) => {
          const g = grads[v.name];
          return g ? (g.dataSync() as Float32Array).slice() : new Float32Array(v.size);
        }),
      };
    });
  }

  /** Overwrites the variables (a worker receiving the main thread's weights). */
  assign(values: readonly Float32Array[]): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.tensor(values[i]!, v.shape))));
  }

  /** The current values, one array per variable, in `names` order. */
  values(): Float32Array[] {
    return this.vars.map((v) => (v.dataSync() as Float32Array).slice());
  }

  /** The network weights only (no head), by parameter name. */
  weights(): Weights {
    const out: Weights = new Map();
    this.def.params.forEach((p, i) => out.set(p.name, (this.vars[i]!.dataSync() as Float32Array).slice()));
    return out;
  }

  head(): Float32Array | undefined {
    return this.lossConfig.loss === 'triplet' ? undefined : (this.vars[this.vars.length - 1]!.dataSync() as Float32Array).slice();
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/** Seeded class centres for a margin-softmax head: unit-variance normal, [embedding, classes]. */
export function initHead(embedding: number, classes: number, seed: number): Float32Array {
  const rng = new Rng(seed, 0x4ead);
  return Float32Array.from({ length: embedding * classes }, () => rng.normal());
}

/** A saved optimizer state: the step count and the moment arrays, in variable order. */
export interface OptimizerState {
  readonly step: number;
  readonly slots: readonly Float32Array[];
}

/**
 * Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) or SGD with momentum 0.9, on float32 arrays
 * in plain JS: its whole state is saved in checkpoints, so a resumed run continues to the same
 * bytes as one that was never killed (tfjs's optimizers recompute βᵗ on restore).
 */
export class Optimizer {
  private step = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(
    private readonly state: GradientState,
    private readonly kind: 'adam' | 'sgd',
    private readonly lr: number,
  ) {
    const sizes = state.vars.map((x) => x.size);
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = kind === 'adam' ? sizes.map((n) => new Float32Array(n)) : [];
  }

  /** Applies one gradient array per variable (in `state.names` order). */
  apply(grads: readonly Float32Array[]): void {
    this.step++;
    const values = this.state.values();
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    values.forEach((w, i) => {
      const g = grads[i]!;
      const m = this.m[i]!;
      if (this.kind === 'adam') {
        const v = this.v[i]!;
        for (let k = 0; k < w.length; k++) {
          m[k] = b1 * m[k]! + (1 - b1) * g[k]!;
          v[k] = b2 * v[k]! + (1 - b2) * g[k]! * g[k]!;
          w[k] = w[k]! - (this.lr * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + 1e-8);
        }
      } else {
        for (let k = 0; k < w.length; k++) {
          m[k] = 0.9 * m[k]! + g[k]!;
          w[k] = w[k]! - this.lr * m[k]!;
        }
      }
    });
    this.state.assign(values);
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
