import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/rng/index.js';
import { adamStep, sgdStep } from '../../src/train/trainer.js';

// The optimizer's loops, checked bit for bit against the plain per-value formulas (the code as it
// was before the loops moved into functions of their own), with and without weight decay, over
// values of every size and sign, zeros of both signs among them.

function reference(kind: 'adam' | 'sgd', w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, step: number, lr: number, wd: number, mu: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** step;
  const c2 = 1 - b2 ** step;
  for (let k = 0; k < w.length; k++) {
    if (kind === 'adam') {
      const gk = g[k]!;
      const wk = w[k]!;
      m[k] = b1 * m[k]! + (1 - b1) * gk;
      v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
      const decay = wd > 0 ? lr * wd * wk : 0;
      w[k] = wk - (lr * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + 1e-8) - decay;
    } else {
      m[k] = mu * m[k]! + (wd > 0 ? g[k]! + wd * w[k]! : g[k]!);
      w[k] = w[k]! - lr * m[k]!;
    }
  }
}

function values(seed: number, n: number): Float32Array {
  const rng = keyedRng(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 0 : i % 13 === 1 ? -0 : (rng.uniform() - 0.5) * 10 ** (rng.int(10) - 6)));
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));

describe('the optimizer steps', () => {
  for (const kind of ['adam', 'sgd'] as const) {
    for (const wd of [0, 5e-4]) {
      it(`${kind}, weight decay ${wd}: the same bits as the per-value formulas over ten steps`, () => {
        const n = 1001;
        const [w, m, v] = [values(1, n), new Float32Array(n), new Float32Array(n)];
        const [w2, m2, v2] = [w.slice(), m.slice(), v.slice()];
        for (let step = 1; step <= 10; step++) {
          const g = values(100 + step, n);
          const lr = 0.003 / step;
          if (kind === 'adam') adamStep(w, g, m, v, 0.9, 0.999, 1 - 0.9 ** step, 1 - 0.999 ** step, lr, wd);
          else sgdStep(w, g, m, 0.9, lr, wd);
          reference(kind, w2, g, m2, v2, step, lr, wd, 0.9);
        }
        expect(bits(w)).toEqual(bits(w2));
        expect(bits(m)).toEqual(bits(m2));
        expect(bits(v)).toEqual(bits(v2));
        // The weights moved.
        expect(bits(w)).not.toEqual(bits(values(1, n)));
      });
    }
  }
});
