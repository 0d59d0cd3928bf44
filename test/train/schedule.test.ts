import { describe, expect, it } from 'vitest';
import { TRAIN_OPTION_DEFAULTS } from '../../src/lang/index.js';
import { learningRate, MARGIN_SOFTMAX_SCALE, Optimizer, type GradientState, type LrParams } from '../../src/train/index.js';
import { seededRng } from '../../src/rng/index.js';

/** The rates of every step of a run, from the schedule function. */
const rates = (p: LrParams, stepsPerEpoch: number) => Array.from({ length: p.epochs * stepsPerEpoch }, (_, s) => learningRate(p, stepsPerEpoch, s));

describe('learning-rate schedules (hand-computed)', () => {
  it('constant: exactly lr at every step, so runs without a schedule keep their bytes', () => {
    expect(rates({ lr: 0.003, epochs: 3 }, 5)).toEqual(Array(15).fill(0.003));
  });

  it('linear warmup then cosine to 0', () => {
    // 4 epochs × 2 steps, 1 warmup epoch: steps 0–1 ramp to lr, steps 2–7 follow ½(1 + cos(π t / 6)).
    const r = rates({ lr: 0.1, epochs: 4, schedule: { type: 'cosine' }, warmup: 1 }, 2);
    const c30 = Math.sqrt(3) / 2;
    const want = [0.05, 0.1, 0.1, 0.05 * (1 + c30), 0.075, 0.05, 0.025, 0.05 * (1 - c30)];
    r.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 12));
  });

  it('cosine without warmup starts at lr', () => {
    const r = rates({ lr: 1, epochs: 2, schedule: { type: 'cosine' } }, 2);
    r.forEach((x, i) => expect(x).toBeCloseTo([1, 0.5 * (1 + Math.SQRT1_2), 0.5, 0.5 * (1 - Math.SQRT1_2)][i]!, 12));
  });

  it('step(1, 3): ÷10 after epoch 1 and again after epoch 3; the warmup ramp multiplies it', () => {
    expect(rates({ lr: 0.1, epochs: 4, schedule: { type: 'step', epochs: [1, 3] } }, 2).map((x) => +x.toPrecision(12))).toEqual([0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001]);
    // 1.5 warmup epochs of 2 steps = 3 steps: ⅓, ⅔, 1 of the scheduled rate.
    const w = rates({ lr: 0.1, epochs: 4, schedule: { type: 'step', epochs: [1, 3] }, warmup: 1.5 }, 2);
    expect(w.slice(0, 4).map((x) => +x.toPrecision(12))).toEqual([0.0333333333333, 0.0666666666667, 0.01, 0.01]);
  });

  it('warmup with a constant rate', () => {
    expect(rates({ lr: 0.4, epochs: 2, warmup: 1 }, 4).map((x) => +x.toPrecision(12))).toEqual([0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.4, 0.4]);
  });
});

/** A stand-in for a network's variables: the Optimizer only reads sizes and changes the values in place. */
function fakeState(values: number[]) {
  const w = Float32Array.from(values);
  const state = { vars: [{ size: values.length }], update: (change: (v: Float32Array[]) => void) => change([w]) };
  return { state: state as unknown as GradientState, get: () => [...w] };
}

describe('optimizer options (hand-computed)', () => {
  it('SGD with momentum 0.5 and weight decay 0.1 added to the gradient, at the rate each step passes', () => {
    const { state, get } = fakeState([1, -2]);
    const opt = new Optimizer(state, 'sgd', 0.1, { momentum: 0.5, weightDecay: 0.1 });
    const g = [Float32Array.from([0.5, 0.5])];
    opt.apply(g, 0.1);
    // m = g + 0.1 w = (0.6, 0.3); w −= 0.1 m.
    expect(get()[0]).toBeCloseTo(0.94, 6);
    expect(get()[1]).toBeCloseTo(-2.03, 6);
    opt.apply(g, 0.05);
    // m = 0.5 (0.6, 0.3) + (0.5 + 0.094, 0.5 − 0.203) = (0.894, 0.447); w −= 0.05 m.
    expect(get()[0]).toBeCloseTo(0.94 - 0.0447, 6);
    expect(get()[1]).toBeCloseTo(-2.03 - 0.02235, 6);
    expect(opt.steps).toBe(2);
  });

  it('Adam with decoupled weight decay (AdamW): the first step moves each weight by lr·sign(g) + lr·wd·w', () => {
    const { state, get } = fakeState([1, -2]);
    const opt = new Optimizer(state, 'adam', 0.01, { weightDecay: 0.1 });
    opt.apply([Float32Array.from([0.5, -0.25])]);
    expect(get()[0]).toBeCloseTo(1 - 0.01 - 0.001, 6);
    expect(get()[1]).toBeCloseTo(-2 + 0.01 + 0.002, 6);
  });

  it('Adam gives, to the bit, the textbook loop over float32 weights and moments (with and without decay, ±0 gradients)', () => {
    for (const wd of [0, 0.01]) {
      const rng = seededRng(7, wd * 100);
      const start = Array.from({ length: 64 }, () => rng.normal());
      const { state, get } = fakeState(start);
      const opt = new Optimizer(state, 'adam', 0.003, { weightDecay: wd });
      // The reference: Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected), each value stored in a
      // Float32Array as it is computed.
      const w = Float32Array.from(start);
      const m = new Float32Array(64);
      const v = new Float32Array(64);
      for (let t = 1; t <= 5; t++) {
        const g = Float32Array.from({ length: 64 }, (_, k) => (k === 0 ? -0 : k === 1 ? 0 : rng.normal() * 0.1));
        opt.apply([g], 0.003);
        for (let k = 0; k < 64; k++) {
          m[k] = 0.9 * m[k]! + (1 - 0.9) * g[k]!;
          v[k] = 0.999 * v[k]! + (1 - 0.999) * g[k]! * g[k]!;
          w[k] = w[k]! - (0.003 * (m[k]! / (1 - 0.9 ** t))) / (Math.sqrt(v[k]! / (1 - 0.999 ** t)) + 1e-8) - 0.003 * wd * w[k]!;
        }
      }
      expect(get()).toEqual([...w]);
    }
  });

  it('the defaults the checker leaves out of TrainParams are the ones the train stage uses', () => {
    expect(TRAIN_OPTION_DEFAULTS.scale).toBe(MARGIN_SOFTMAX_SCALE);
    const a = fakeState([1]);
    const b = fakeState([1]);
    const g = [Float32Array.from([1])];
    const x = new Optimizer(a.state, 'sgd', 0.1);
    const y = new Optimizer(b.state, 'sgd', 0.1, { momentum: TRAIN_OPTION_DEFAULTS.momentum });
    for (let i = 0; i < 3; i++) (x.apply(g), y.apply(g));
    expect(a.get()).toEqual(b.get());
  });
});
