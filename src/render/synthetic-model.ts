import type { MorphableModel, PcaBlock } from './model.js';
import { keyedRng } from '../rng/index.js';

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
 * triangles to reach the exact counts) with random smooth bases. It is not a face.
 */
export function syntheticModel(size: SyntheticModelSize = {}): MorphableModel {
  const nv = size.vertices ?? 28588;
  const nt = size.triangles ?? 56572;
  const rng = keyedRng(size.seed ?? 7);
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
  // Components are smooth over the surface, as the principal components of real scans are: each
  // is a sum of three separable low-frequency waves per axis. (Per-vertex white noise of a few mm
  // on a 0.9 mm grid would make a spiky surface of slivers that no face model produces, and would
  // make the rasteriser's cost unlike that of a real BFM.) Entries have the rms of the old uniform
  // ±0.01 draw, so displacements stay a few mm.
  const rmsEntry = 0.01 / Math.sqrt(3);
  const uRow = new Float64Array(side);
  const vCol = new Float64Array(side);
  const block = (k: number, m: Float32Array, amp: number): PcaBlock => {
    const basis = new Float32Array(3 * nv * k);
    const col = new Float64Array(grid);
    for (let j = 0; j < k; j++) {
      for (let a = 0; a < 3; a++) {
        col.fill(0);
        for (let q = 0; q < 3; q++) {
          const fu = 0.5 + 2.5 * rng.uniform();
          const fv = 0.5 + 2.5 * rng.uniform();
          const pu = 2 * Math.PI * rng.uniform();
          const pv = 2 * Math.PI * rng.uniform();
          const w = rng.uniform() - 0.5;
          for (let c = 0; c < side; c++) uRow[c] = Math.sin(Math.PI * fu * ((c / (side - 1)) * 2 - 1) + pu);
          for (let r = 0; r < side; r++) vCol[r] = w * Math.cos(Math.PI * fv * ((r / (side - 1)) * 2 - 1) + pv);
          for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) col[r * side + c] = col[r * side + c]! + vCol[r]! * uRow[c]!;
        }
        let sq = 0;
        for (let i = 0; i < grid; i++) sq += col[i]! * col[i]!;
        const scale = sq > 0 ? rmsEntry / Math.sqrt(sq / grid) : 0;
        // synx's layout (model.ts): component j's 3N values are contiguous.
        for (let i = 0; i < grid; i++) basis[j * 3 * nv + 3 * i + a] = col[i]! * scale;
      }
    }
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
