import type { MorphableModel, PcaBlock } from './model.js';
import { Rng } from './rng.js';

/** Sizes of a synthetic model; the defaults are those of BFM 2017 face12 (28,588 / 56,572; 199/199/100). */
export interface SyntheticModelSize {
  readonly vertices?: number;
  readonly triangles?: number;
  readonly shape?: number;
  readonly color?: number;
  readonly expression?: number;
  readonly seed?: number;
}

/**
 * A stand-in with the size of a real BFM file, for benchmarks and tests where the licensed file is
 * not available: a bumpy ellipsoidal face patch (a grid, plus unused padding vertices and repeated
 * triangles to reach the exact counts) with random smooth-ish bases. It is not a face.
 */
export function syntheticModel(size: SyntheticModelSize = {}): MorphableModel {
  const nv = size.vertices ?? 28588;
  const nt = size.triangles ?? 56572;
  const rng = new Rng(size.seed ?? 7);
  const side = Math.max(2, Math.floor(Math.sqrt(nv)));
  const grid = side * side;
  const mean = new Float32Array(3 * nv);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const u = (c / (side - 1)) * 2 - 1;
      const v = (r / (side - 1)) * 2 - 1;
      const i = r * side + c;
      const x = 75 * u;
      const y = -100 * v;
      mean[3 * i] = x;
      mean[3 * i + 1] = y;
      mean[3 * i + 2] = 90 * Math.sqrt(Math.max(0, 1 - 0.7 * u * u - 0.5 * v * v)) + 3 * Math.sin(u * 9) * Math.cos(v * 7);
    }
  }
  for (let i = grid; i < nv; i++) mean.set([mean[0]!, mean[1]!, mean[2]!], 3 * i);
  const tri = new Uint32Array(3 * nt);
  let t = 0;
  for (let r = 0; r < side - 1 && t < 3 * nt; r++) {
    for (let c = 0; c < side - 1 && t < 3 * nt; c++) {
      const a = r * side + c;
      tri.set([a, a + side, a + 1], t);
      t += 3;
      if (t < 3 * nt) {
        tri.set([a + 1, a + side, a + side + 1], t);
        t += 3;
      }
    }
  }
  for (let q = 0; t < 3 * nt; q += 3, t += 3) tri.set(tri.subarray(q, q + 3), t);
  const block = (k: number, m: Float32Array, amp: number): PcaBlock => {
    const basis = new Float32Array(3 * nv * k);
    for (let i = 0; i < basis.length; i++) basis[i] = (rng.uniform() - 0.5) * 0.02;
    const variance = new Float32Array(k);
    for (let j = 0; j < k; j++) variance[j] = (amp * amp) / (1 + j);
    return { mean: m, basis, variance, components: k };
  };
  const colorMean = new Float32Array(3 * nv);
  for (let i = 0; i < nv; i++) colorMean.set([0.7, 0.5, 0.4], 3 * i);
  return {
    uri: `synthetic:${nv}x${nt}`,
    vertexCount: nv,
    triangles: tri,
    shape: block(size.shape ?? 199, mean, 200),
    color: block(size.color ?? 199, colorMean, 2),
    expression: block(size.expression ?? 100, new Float32Array(3 * nv), 100),
    landmarks: [{ name: 'center.nose.tip', vertex: Math.floor(side / 2) * side + Math.floor(side / 2) }],
  };
}
