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
}

/** A named landmark: a vertex of the mesh. */
export interface ModelLandmark {
  readonly name: string;
  readonly vertex: number;
}

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
}

/**
 * Writes mean + basis · (sqrt(variance) ⊙ alpha) into `out`, using the first `alpha.length`
 * components (fewer than the block has is fine). `add` accumulates onto `out` instead.
 */
export function reconstruct(block: PcaBlock, alpha: ArrayLike<number>, out: Float32Array, add = false): Float32Array {
  const k = block.components;
  const used = Math.min(alpha.length, k);
  const w = new Float64Array(used);
  for (let j = 0; j < used; j++) w[j] = Math.sqrt(block.variance[j]!) * alpha[j]!;
  const { mean, basis } = block;
  const n = mean.length;
  if (out.length !== n) throw new Error(`reconstruct: out has ${out.length} values, expected ${n}`);
  // Drop trailing zero weights (dims below k, or coefficients fixed at 0) from the work.
  let m = used;
  while (m > 0 && w[m - 1] === 0) m--;
  const acc = accumulator(n);
  if (add) for (let i = 0; i < n; i++) acc[i] = out[i]! + mean[i]!;
  else for (let i = 0; i < n; i++) acc[i] = mean[i]!;
  // Eight components per pass over the accumulator: fewer passes over memory, and a fixed order of
  // sums, so results are the same on every machine and thread.
  let j = 0;
  for (; j + 7 < m; j += 8) {
    const w0 = w[j]!, w1 = w[j + 1]!, w2 = w[j + 2]!, w3 = w[j + 3]!;
    const w4 = w[j + 4]!, w5 = w[j + 5]!, w6 = w[j + 6]!, w7 = w[j + 7]!;
    const o0 = j * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n, o4 = o3 + n, o5 = o4 + n, o6 = o5 + n, o7 = o6 + n;
    for (let i = 0; i < n; i++) {
      acc[i] =
        acc[i]! +
        (basis[o0 + i]! * w0 + basis[o1 + i]! * w1 + basis[o2 + i]! * w2 + basis[o3 + i]! * w3) +
        (basis[o4 + i]! * w4 + basis[o5 + i]! * w5 + basis[o6 + i]! * w6 + basis[o7 + i]! * w7);
    }
  }
  for (; j < m; j++) {
    const wj = w[j]!;
    const o = j * n;
    for (let i = 0; i < n; i++) acc[i] = acc[i]! + basis[o + i]! * wj;
  }
  for (let i = 0; i < n; i++) out[i] = acc[i]!;
  return out;
}

let scratch = new Float64Array(0);
function accumulator(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
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

/** Copies every array of a model into SharedArrayBuffers, so worker threads read it without copies. */
export function shareModel(m: MorphableModel): MorphableModel {
  const f32 = (a: Float32Array) => {
    const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const block = (b: PcaBlock): PcaBlock => ({
    mean: f32(b.mean),
    basis: f32(b.basis),
    variance: f32(b.variance),
    components: b.components,
  });
  const tri = new Uint32Array(new SharedArrayBuffer(m.triangles.byteLength));
  tri.set(m.triangles);
  return {
    uri: m.uri,
    vertexCount: m.vertexCount,
    triangles: tri,
    shape: block(m.shape),
    color: block(m.color),
    expression: block(m.expression),
    landmarks: m.landmarks,
  };
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
