import type { ExpressionPrior } from './expression-prior.js';
import { axpyReference, wasm, type SimdKernel, type WasmMemory } from './simd.js';

/**
 * A linear morphable model: mean, PCA basis and variances for shape, colour and expression, one
 * triangle list and named landmark vertices. The built-in model and BFM 2017 files both load into
 * this shape; an instance is mean + basis · (sqrt(variance) ⊙ alpha).
 */

/** One linear block (shape, colour or expression). */
export interface PcaBlock {
  /** 3N values: x,y,z (mm) per vertex for shape/expression, r,g,b in [0, 1] for colour. */
  readonly mean: Float32Array;
  /**
   * k × 3N: component j's 3N values are contiguous (the transpose of the BFM files' 3N × k), so
   * reconstruction streams through memory once per component group.
   */
  readonly basis: Float32Array;
  /** k variances; a coefficient alpha_j scales sqrt(variance_j) · column j. */
  readonly variance: Float32Array;
  /** Number of components k. */
  readonly components: number;
  /** Values from one column's start to the next (default 3N; padded to a multiple of 8 in an arena). */
  readonly stride?: number;
  /**
   * In a shared arena the basis is stored quantised instead (and `basis` is empty): column j is
   * `codes[j · stride …] · scales[j]`, int16 codes with `scales[j] = max |column j| / 32767`.
   * Reconstruction is bound by reading the basis, and this halves the bytes read and the shared
   * memory. The error, at most half a step (1.5e-5 of the column's largest value), moves a BFM
   * vertex by about a thousandth of a millimetre: far below a pixel or a colour step.
   */
  readonly codes?: Int16Array;
  readonly scales?: Float32Array;
}

/**
 * A shared WebAssembly memory holding a model's arrays and per-renderer scratch slots, so worker
 * threads share one copy of the bases and reconstruct with the SIMD kernel (see simd.ts).
 */
export interface ModelArena {
  readonly memory: WasmMemory;
  /** Byte offset of the Int32 counter of claimed slots. */
  readonly counter: number;
  /** Byte offset of the first slot, bytes per slot, number of slots. */
  readonly slotOffset: number;
  readonly slotBytes: number;
  readonly slots: number;
  /** 3N rounded up to a multiple of 8: the length of every buffer the kernel writes. */
  readonly padded: number;
}

/** A named landmark: a vertex of the mesh. */
export interface ModelLandmark {
  readonly name: string;
  readonly vertex: number;
}

/** How a colour component's coefficient is drawn (see `MorphableModel.colorPrior`). */
export type ColorPrior = 'normal' | 'rectified';

/** A morphable model as the renderer uses it. */
export interface MorphableModel {
  /** For labels and .rps export: `builtin:<version>` or the file path. */
  readonly uri: string;
  readonly vertexCount: number;
  /** 3T vertex indices, counter-clockwise seen from outside the face. */
  readonly triangles: Uint32Array;
  readonly shape: PcaBlock;
  readonly color: PcaBlock;
  /** Expression block; its mean is added to the shape mean (zero in both BFM and built-in). */
  readonly expression: PcaBlock;
  readonly landmarks: readonly ModelLandmark[];
  /** Per colour component: drawn per identity (the default when absent) or per image. */
  readonly colorPer?: readonly ('identity' | 'image')[];
  /**
   * Per colour component, how its coefficient is drawn (absent: 'normal' for all): 'normal' takes
   * the `color` clause's draw as it is; 'rectified' takes max(0, draw), so the component is absent
   * (0) on half the identities and present, with the upper half of the spread, on the rest (the
   * built-in model's beard: most people have none).
   */
  readonly colorPrior?: readonly ColorPrior[];
  /**
   * Present when the expression block holds blendshapes (a unit coefficient = activation 1, the
   * basis column scaled by sqrt(variance) is the blendshape's displacement) weighted in [0, 1] by
   * this prior instead of Gaussian coefficients; `expressionNames` names the blendshapes in order.
   */
  readonly expressionPrior?: ExpressionPrior;
  readonly expressionNames?: readonly string[];
  /** The colour components' names, in order, where the model file has them (built-in models). */
  readonly colorNames?: readonly string[];
  /**
   * The first triangle (its number in `triangles`) of parts drawn after the surface that usually
   * hides them (the built-in model's mouth and eye interior): the rasteriser tests the triangles
   * from here on against a coarse depth buffer before drawing them. A hint for speed only: any
   * value draws the same frame.
   */
  readonly hiddenFrom?: number;
  /** Set by `shareModel`: where the arrays live for worker threads and the SIMD kernel. */
  readonly arena?: ModelArena;
}

/**
 * Writes mean + basis · (sqrt(variance) ⊙ alpha) into `out`, using the first `alpha.length`
 * components (fewer than the block has is fine). `add` accumulates onto `out` instead.
 *
 * The sum is taken in float32, one component after the other (out = f32(out + f32(col · w)); for
 * a quantised block col is the int16 code and w includes the column's scale), by the SIMD kernel
 * when `kernel` is given (then `out` and the block must live in its memory, and `out` must have
 * room for the padded length) or by the same arithmetic in plain JS: both give the same bits, so
 * images do not depend on the thread or the path that rendered them.
 */
export function reconstruct(block: PcaBlock, alpha: ArrayLike<number>, out: Float32Array, add = false, kernel: SimdKernel | null = null): Float32Array {
  const { mean } = block;
  const n = mean.length;
  if (out.length !== n) throw new Error(`reconstruct: out has ${out.length} values, expected ${n}`);
  if (add) addMean(mean, out);
  else out.set(mean);
  return accumulate(block, alpha, out, kernel);
}

/**
 * out += mean, value by value in float32. A mean of all +0 (the expression means of the built-in
 * model and of BFM files) changes nothing but a -0 into +0, so then only those are rewritten: the
 * same bits without a JS loop over (often shared, so slow) typed arrays.
 */
export function addMean(mean: Float32Array, out: Float32Array): void {
  const n = mean.length;
  if (isAllPositiveZero(mean)) {
    positiveZeros(out);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! + mean[i]!;
}

/** Whether every value of `a` is +0 (cached per array: a model's means never change). */
function isAllPositiveZero(a: Float32Array): boolean {
  const hit = zeroCache.get(a);
  if (hit !== undefined) return hit;
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let zero = true;
  for (let i = 0; i < bits.length && zero; i++) if (bits[i] !== 0) zero = false;
  zeroCache.set(a, zero);
  return zero;
}
const zeroCache = new WeakMap<Float32Array, boolean>();

/** Whether some value of `a` is -0 (a native search for the bits 0x80000000, not a JS loop). */
export function hasNegativeZero(a: Float32Array): boolean {
  return new Uint32Array(a.buffer, a.byteOffset, a.length).indexOf(NEGATIVE_ZERO_BITS) !== -1;
}

/** Turns every -0 of `a` into +0 (a native search for the bits 0x80000000). */
export function positiveZeros(a: Float32Array): void {
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = bits.indexOf(NEGATIVE_ZERO_BITS); i !== -1; i = bits.indexOf(NEGATIVE_ZERO_BITS, i + 1)) bits[i] = 0;
}
const NEGATIVE_ZERO_BITS = 0x80000000;

/**
 * Adds basis · (sqrt(variance) ⊙ alpha) onto `out` (no mean), one component after the other in
 * index order, as `reconstruct` does after the mean. Zero weights are skipped: adding f32(code · 0)
 * leaves every value's bits as they are, so skipping them changes nothing but the time (a
 * blendshape prior leaves most of its 53 weights at 0).
 */
export function accumulate(block: PcaBlock, alpha: ArrayLike<number>, out: Float32Array, kernel: SimdKernel | null = null): Float32Array {
  const k = block.components;
  const used = Math.min(alpha.length, k);
  const w = new Float64Array(used);
  for (let j = 0; j < used; j++) w[j] = Math.sqrt(block.variance[j]!) * alpha[j]!;
  const { mean, basis } = block;
  const n = mean.length;
  const stride = block.stride ?? n;
  // Trailing zero weights (dims below k, or coefficients fixed at 0) cost nothing.
  let m = used;
  while (m > 0 && w[m - 1] === 0) m--;
  const { codes, scales } = block;
  if (codes && scales) {
    for (let j = 0; j < m; j++) w[j] = w[j]! * scales[j]!;
    if (kernel && stride % 8 === 0) {
      const n8 = stride / 8;
      const o = out.byteOffset;
      const b = codes.byteOffset;
      let j = 0;
      while (j < m) {
        if (j + 3 < m && w[j] !== 0 && w[j + 1] !== 0 && w[j + 2] !== 0 && w[j + 3] !== 0) {
          kernel.axpy4(o, b + j * stride * 2, stride * 2, n8, w[j]!, w[j + 1]!, w[j + 2]!, w[j + 3]!);
          j += 4;
        } else {
          if (w[j] !== 0) kernel.axpy(o, b + j * stride * 2, n8, w[j]!);
          j++;
        }
      }
    } else {
      for (let j = 0; j < m; j++) if (w[j] !== 0) axpyReference(out, codes, j * stride, n, w[j]!);
    }
    return out;
  }
  for (let j = 0; j < m; j++) if (w[j] !== 0) axpyReference(out, basis, j * stride, n, w[j]!);
  return out;
}

/** int16 codes and per-column scales of a k × 3N basis (column j at j · from), columns `to` apart. */
function quantise(basis: Float32Array, k: number, n3: number, from: number, codes: Int16Array, to: number, scales: Float32Array): void {
  const column = new Int16Array(n3);
  for (let j = 0; j < k; j++) {
    const col = basis.subarray(j * from, j * from + n3);
    let max = 0;
    for (let i = 0; i < n3; i++) {
      const a = col[i]! < 0 ? -col[i]! : col[i]!;
      if (a > max) max = a;
    }
    // A float32 scale, so that both kernel paths multiply by the same f32(w · scale).
    const scale = Math.fround(max / 32767);
    scales[j] = scale;
    if (scale === 0) continue;
    const inv = 1 / scale;
    // |col · inv| ≤ 32767 (up to rounding), so the rounded code fits. Written to a plain array
    // first: loops over SharedArrayBuffer views run several times slower.
    for (let i = 0; i < n3; i++) column[i] = Math.floor(col[i]! * inv + 0.5);
    codes.set(column, j * to);
  }
}

/** Transposes a BFM-layout basis (3N × k, row-major) into synx's k × 3N layout. */
export function transposeBasis(rowMajor: ArrayLike<number>, n3: number, k: number): Float32Array {
  const out = new Float32Array(n3 * k);
  for (let i = 0; i < n3; i++) {
    const r = i * k;
    for (let j = 0; j < k; j++) out[j * n3 + i] = rowMajor[r + j]!;
  }
  return out;
}

/**
 * Copies a model into a shared WebAssembly memory (its ModelArena) with `slots` scratch slots for
 * renderers, so worker threads read one copy and reconstruct with the SIMD kernel. A model that
 * already has an arena is returned as it is.
 */
export function shareModel(m: MorphableModel, slots = 4): MorphableModel {
  if (m.arena) return m;
  const n3 = 3 * m.vertexCount;
  const padded = Math.ceil(n3 / 8) * 8;
  const blocks = [m.shape, m.color, m.expression];
  // Layout (bytes, 16-aligned): counter | per block: mean, codes (k × padded int16), scales,
  // variance | triangles | slots.
  let off = 16;
  const align = (b: number) => Math.ceil(b / 16) * 16;
  const places = blocks.map((b) => {
    const mean = off;
    off = align(off + padded * 4);
    const codes = off;
    off = align(off + b.components * padded * 2);
    const scales = off;
    off = align(off + b.components * 4);
    const variance = off;
    off = align(off + b.components * 4);
    return { mean, codes, scales, variance };
  });
  const tri = off;
  off = align(off + m.triangles.byteLength);
  const slotOffset = off;
  const slotBytes = align(SLOT_BUFFERS * padded * 4);
  const total = slotOffset + slots * slotBytes;
  const pages = Math.ceil(total / 65536);
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  const buf = memory.buffer;
  const shared = blocks.map((b, i): PcaBlock => {
    const p = places[i]!;
    const mean = new Float32Array(buf, p.mean, n3);
    mean.set(b.mean);
    const codes = new Int16Array(buf, p.codes, b.components * padded);
    const scales = new Float32Array(buf, p.scales, b.components);
    quantise(b.basis, b.components, n3, b.stride ?? n3, codes, padded, scales);
    const variance = new Float32Array(buf, p.variance, b.components);
    variance.set(b.variance);
    return { mean, basis: new Float32Array(0), variance, components: b.components, stride: padded, codes, scales };
  });
  const triangles = new Uint32Array(buf, tri, m.triangles.length);
  triangles.set(m.triangles);
  // Every other field (landmarks, colorPer, colorPrior, the expression prior, hiddenFrom, …) as
  // the model has it: a field added to MorphableModel needs no copying here.
  return {
    ...m,
    triangles,
    shape: shared[0]!,
    color: shared[1]!,
    expression: shared[2]!,
    arena: { memory, counter: 0, slotOffset, slotBytes, slots, padded },
  };
}

/** Float buffers of `padded` length in one renderer's slot: identity shape, albedo, posed shape, the identity's albedo. */
export const SLOT_BUFFERS = 4;

/** Claims a free scratch slot of the arena for one renderer; null when all are taken. */
export function claimSlot(arena: ModelArena): Float32Array[] | null {
  const counter = new Int32Array(arena.memory.buffer, arena.counter, 1);
  const slot = Atomics.add(counter, 0, 1);
  if (slot >= arena.slots) return null;
  const base = arena.slotOffset + slot * arena.slotBytes;
  return Array.from({ length: SLOT_BUFFERS }, (_, i) => new Float32Array(arena.memory.buffer, base + i * arena.padded * 4, arena.padded));
}

/**
 * Makes triangle winding counter-clockwise seen from outside: files differ, and back-face culling
 * needs one convention. Outside is judged against the mesh centroid over all triangles.
 */
export function orientOutward(positions: Float32Array, triangles: Uint32Array): Uint32Array {
  const n = positions.length / 3;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let i = 0; i < n; i++) {
    cx += positions[3 * i]!;
    cy += positions[3 * i + 1]!;
    cz += positions[3 * i + 2]!;
  }
  cx /= n;
  cy /= n;
  cz /= n;
  let score = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t]!;
    const b = 3 * triangles[t + 1]!;
    const c = 3 * triangles[t + 2]!;
    const ux = positions[b]! - positions[a]!;
    const uy = positions[b + 1]! - positions[a + 1]!;
    const uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!;
    const vy = positions[c + 1]! - positions[a + 1]!;
    const vz = positions[c + 2]! - positions[a + 2]!;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    score += nx * (positions[a]! - cx) + ny * (positions[a + 1]! - cy) + nz * (positions[a + 2]! - cz);
  }
  if (score >= 0) return triangles;
  const flipped = new Uint32Array(triangles.length);
  for (let t = 0; t < triangles.length; t += 3) {
    flipped[t] = triangles[t]!;
    flipped[t + 1] = triangles[t + 2]!;
    flipped[t + 2] = triangles[t + 1]!;
  }
  return flipped;
}

/** Area-weighted vertex normals (unit length) of a mesh, into `out` (3N). */
export function vertexNormals(positions: Float32Array, triangles: Uint32Array, out: Float32Array): Float32Array {
  out.fill(0);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t]!;
    const b = 3 * triangles[t + 1]!;
    const c = 3 * triangles[t + 2]!;
    const ax = positions[a]!;
    const ay = positions[a + 1]!;
    const az = positions[a + 2]!;
    const ux = positions[b]! - ax;
    const uy = positions[b + 1]! - ay;
    const uz = positions[b + 2]! - az;
    const vx = positions[c]! - ax;
    const vy = positions[c + 1]! - ay;
    const vz = positions[c + 2]! - az;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    out[a] = out[a]! + nx;
    out[a + 1] = out[a + 1]! + ny;
    out[a + 2] = out[a + 2]! + nz;
    out[b] = out[b]! + nx;
    out[b + 1] = out[b + 1]! + ny;
    out[b + 2] = out[b + 2]! + nz;
    out[c] = out[c]! + nx;
    out[c + 1] = out[c + 1]! + ny;
    out[c + 2] = out[c + 2]! + nz;
  }
  for (let i = 0; i < out.length; i += 3) {
    const x = out[i]!;
    const y = out[i + 1]!;
    const z = out[i + 2]!;
    const l = Math.sqrt(x * x + y * y + z * z);
    if (l > 0) {
      out[i] = x / l;
      out[i + 1] = y / l;
      out[i + 2] = z / l;
    } else {
      out[i + 2] = 1;
    }
  }
  return out;
}
