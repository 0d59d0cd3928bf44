/**
 * Geometry helpers for the generator (the colour model and the interior simplification): triangle
 * and vertex normals, and ambient occlusion by ray casting
 * against the neutral mesh. Everything here is deterministic: the rays are a fixed set of
 * directions per vertex drawn from a seeded generator, and sums run in a fixed order.
 */
import { mulberry32Rng } from '../../src/rng/index.js';

/** The cross product (b − a) × (c − a) of a triangle's corners: its normal, twice its area long. */
export function triangleNormal(pos: ArrayLike<number>, a: number, b: number, c: number): [number, number, number] {
  const ux = pos[3 * b]! - pos[3 * a]!;
  const uy = pos[3 * b + 1]! - pos[3 * a + 1]!;
  const uz = pos[3 * b + 2]! - pos[3 * a + 2]!;
  const vx = pos[3 * c]! - pos[3 * a]!;
  const vy = pos[3 * c + 1]! - pos[3 * a + 1]!;
  const vz = pos[3 * c + 2]! - pos[3 * a + 2]!;
  return [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
}

/** Per vertex, the sum of its triangles' `triangleNormal`s (area-weighted, not normalised), in triangle order. */
export function vertexNormalSums(pos: ArrayLike<number>, tris: ArrayLike<number>): Float64Array {
  const n = new Float64Array(pos.length);
  for (let t = 0; t < tris.length; t += 3) {
    const nrm = triangleNormal(pos, tris[t]!, tris[t + 1]!, tris[t + 2]!);
    for (let e = 0; e < 3; e++) {
      const i = 3 * tris[t + e]!;
      for (let k = 0; k < 3; k++) n[i + k] = n[i + k]! + nrm[k]!;
    }
  }
  return n;
}

/** Area-weighted vertex normals (unit length; zero for vertices on no triangle). */
export function vertexNormals(pos: Float32Array, tris: Uint32Array): Float32Array {
  const n = vertexNormalSums(pos, tris);
  const out = new Float32Array(pos.length);
  for (let i = 0; i < pos.length; i += 3) {
    const l = Math.hypot(n[i]!, n[i + 1]!, n[i + 2]!);
    if (l > 0) {
      out[i] = n[i]! / l;
      out[i + 1] = n[i + 1]! / l;
      out[i + 2] = n[i + 2]! / l;
    }
  }
  return out;
}

/** A bounding-volume hierarchy over triangles, flattened into arrays. */
interface Bvh {
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Per node: first child index (inner) or -1 - first triangle slot (leaf). */
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly order: Int32Array;
  /** Triangle corners: 9 per triangle. */
  readonly corners: Float64Array;
}

function buildBvh(pos: Float32Array, tris: Uint32Array): Bvh {
  const nt = tris.length / 3;
  const corners = new Float64Array(9 * nt);
  const centre = new Float64Array(3 * nt);
  for (let t = 0; t < nt; t++) {
    for (let c = 0; c < 3; c++) {
      const v = tris[3 * t + c]!;
      for (let k = 0; k < 3; k++) {
        corners[9 * t + 3 * c + k] = pos[3 * v + k]!;
        centre[3 * t + k] = centre[3 * t + k]! + pos[3 * v + k]! / 3;
      }
    }
  }
  const order = Int32Array.from({ length: nt }, (_, i) => i);
  const maxNodes = 2 * nt;
  const min = new Float64Array(3 * maxNodes);
  const max = new Float64Array(3 * maxNodes);
  const first = new Int32Array(maxNodes);
  const count = new Int32Array(maxNodes);
  let nodes = 1;
  const stack: [number, number, number][] = [[0, 0, nt]];
  while (stack.length > 0) {
    const [node, lo, hi] = stack.pop()!;
    const bmin = [Infinity, Infinity, Infinity];
    const bmax = [-Infinity, -Infinity, -Infinity];
    const cmin = [Infinity, Infinity, Infinity];
    const cmax = [-Infinity, -Infinity, -Infinity];
    for (let i = lo; i < hi; i++) {
      const t = order[i]!;
      for (let c = 0; c < 3; c++) {
        for (let k = 0; k < 3; k++) {
          const x = corners[9 * t + 3 * c + k]!;
          if (x < bmin[k]!) bmin[k] = x;
          if (x > bmax[k]!) bmax[k] = x;
        }
      }
      for (let k = 0; k < 3; k++) {
        const x = centre[3 * t + k]!;
        if (x < cmin[k]!) cmin[k] = x;
        if (x > cmax[k]!) cmax[k] = x;
      }
    }
    for (let k = 0; k < 3; k++) {
      min[3 * node + k] = bmin[k]!;
      max[3 * node + k] = bmax[k]!;
    }
    if (hi - lo <= 4) {
      first[node] = -1 - lo;
      count[node] = hi - lo;
      continue;
    }
    // Split the longest axis of the centres at its middle (falling back to the median).
    let axis = 0;
    for (let k = 1; k < 3; k++) if (cmax[k]! - cmin[k]! > cmax[axis]! - cmin[axis]!) axis = k;
    const split = (cmin[axis]! + cmax[axis]!) / 2;
    let mid = lo;
    for (let i = lo; i < hi; i++) {
      const t = order[i]!;
      if (centre[3 * t + axis]! < split) {
        order[i] = order[mid]!;
        order[mid] = t;
        mid++;
      }
    }
    if (mid === lo || mid === hi) {
      const part = order.subarray(lo, hi).sort((a, b) => centre[3 * a + axis]! - centre[3 * b + axis]! || a - b);
      order.set(part, lo);
      mid = (lo + hi) >> 1;
    }
    const left = nodes;
    nodes += 2;
    first[node] = left;
    count[node] = 0;
    stack.push([left, lo, mid], [left + 1, mid, hi]);
  }
  return { min, max, first, count, order, corners };
}

/** Whether a ray (origin o, direction d, length < tMax) hits any triangle of the BVH. */
function occluded(b: Bvh, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, tMax: number, stack: Int32Array): boolean {
  const ix = 1 / dx;
  const iy = 1 / dy;
  const iz = 1 / dz;
  let sp = 0;
  stack[sp++] = 0;
  const { min, max, first, count, order, corners: c } = b;
  while (sp > 0) {
    const node = stack[--sp]!;
    let t0 = 0;
    let t1 = tMax;
    let ta = (min[3 * node]! - ox) * ix;
    let tb = (max[3 * node]! - ox) * ix;
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = ta > t0 ? ta : t0;
    t1 = tb < t1 ? tb : t1;
    ta = (min[3 * node + 1]! - oy) * iy;
    tb = (max[3 * node + 1]! - oy) * iy;
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = ta > t0 ? ta : t0;
    t1 = tb < t1 ? tb : t1;
    ta = (min[3 * node + 2]! - oz) * iz;
    tb = (max[3 * node + 2]! - oz) * iz;
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = ta > t0 ? ta : t0;
    t1 = tb < t1 ? tb : t1;
    if (t0 > t1) continue;
    const f = first[node]!;
    if (f >= 0) {
      stack[sp++] = f;
      stack[sp++] = f + 1;
      continue;
    }
    const lo = -1 - f;
    for (let i = lo; i < lo + count[node]!; i++) {
      const t = 9 * order[i]!;
      // Möller–Trumbore.
      const e1x = c[t + 3]! - c[t]!;
      const e1y = c[t + 4]! - c[t + 1]!;
      const e1z = c[t + 5]! - c[t + 2]!;
      const e2x = c[t + 6]! - c[t]!;
      const e2y = c[t + 7]! - c[t + 1]!;
      const e2z = c[t + 8]! - c[t + 2]!;
      const px = dy * e2z - dz * e2y;
      const py = dz * e2x - dx * e2z;
      const pz = dx * e2y - dy * e2x;
      const det = e1x * px + e1y * py + e1z * pz;
      if (det > -1e-12 && det < 1e-12) continue;
      const inv = 1 / det;
      const sx = ox - c[t]!;
      const sy = oy - c[t + 1]!;
      const sz = oz - c[t + 2]!;
      const u = (sx * px + sy * py + sz * pz) * inv;
      if (u < 0 || u > 1) continue;
      const qx = sy * e1z - sz * e1y;
      const qy = sz * e1x - sx * e1z;
      const qz = sx * e1y - sy * e1x;
      const v = (dx * qx + dy * qy + dz * qz) * inv;
      if (v < 0 || u + v > 1) continue;
      const d = (e2x * qx + e2y * qy + e2z * qz) * inv;
      if (d > 0 && d < tMax) return true;
    }
  }
  return false;
}

/**
 * Ambient occlusion of each listed vertex: the cosine-weighted fraction of `rays` directions over
 * the vertex's normal hemisphere that leave without hitting an occluder triangle within `reach`
 * (mesh units). 1 on open convex skin, towards 0 deep in nostrils, ear folds and the mouth.
 * Directions: cosine-weighted samples from a generator seeded per vertex, so the result does not
 * depend on which other vertices are listed.
 */
export function ambientOcclusion(pos: Float32Array, normals: Float32Array, occluders: Uint32Array, targets: readonly number[], rays: number, reach: number, seed: number): Float32Array {
  const bvh = buildBvh(pos, occluders);
  const stack = new Int32Array(256);
  const ao = new Float32Array(pos.length / 3).fill(1);
  for (const v of targets) {
    const nx = normals[3 * v]!;
    const ny = normals[3 * v + 1]!;
    const nz = normals[3 * v + 2]!;
    if (nx === 0 && ny === 0 && nz === 0) continue;
    // An orthonormal frame (t, b, n).
    const ax = Math.abs(nx) < 0.9 ? 1 : 0;
    const ay = 1 - ax;
    let tx = ay * nz;
    let ty = -ax * nz;
    let tz = ax * ny - ay * nx;
    const tl = Math.hypot(tx, ty, tz);
    tx /= tl;
    ty /= tl;
    tz /= tl;
    const bx = ny * tz - nz * ty;
    const by = nz * tx - nx * tz;
    const bz = nx * ty - ny * tx;
    // Start a hair above the surface so that the vertex's own triangles do not count.
    const eps = Math.min(0.005 * reach, 0.01);
    const ox = pos[3 * v]! + eps * nx;
    const oy = pos[3 * v + 1]! + eps * ny;
    const oz = pos[3 * v + 2]! + eps * nz;
    const rng = mulberry32Rng(seed ^ Math.imul(v + 1, 0x9e3779b1));
    let open = 0;
    for (let r = 0; r < rays; r++) {
      // Stratified in the radius, cosine-weighted (Malley's method).
      const u = (r + rng.uniform()) / rays;
      const phi = 2 * Math.PI * rng.uniform();
      const s = Math.sqrt(u);
      const l1 = s * Math.cos(phi);
      const l2 = s * Math.sin(phi);
      const l3 = Math.sqrt(Math.max(0, 1 - u));
      const dx = l1 * tx + l2 * bx + l3 * nx;
      const dy = l1 * ty + l2 * by + l3 * ny;
      const dz = l1 * tz + l2 * bz + l3 * nz;
      if (!occluded(bvh, ox, oy, oz, dx, dy, dz, reach, stack)) open++;
    }
    ao[v] = open / rays;
  }
  return ao;
}

/** Distance from point (px, py) to the segment (ax, ay)–(bx, by), and the segment parameter. */
export function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): { d: number; t: number } {
  const ux = bx - ax;
  const uy = by - ay;
  const l2 = ux * ux + uy * uy;
  const t = l2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * ux + (py - ay) * uy) / l2)) : 0;
  return { d: Math.hypot(px - ax - t * ux, py - ay - t * uy), t };
}

/** Whether (x, y) lies inside a closed polygon (even-odd rule). */
export function insidePolygon(x: number, y: number, poly: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Signed distance to a closed polygon's boundary: negative inside. */
export function polygonSignedDistance(x: number, y: number, poly: readonly (readonly [number, number])[]): number {
  let d = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    d = Math.min(d, segmentDistance(x, y, poly[j]![0], poly[j]![1], poly[i]![0], poly[i]![1]).d);
  }
  return insidePolygon(x, y, poly) ? -d : d;
}

/** 0 below `a`, 1 above `b`, smooth (Hermite) in between; a > b flips it. */
export function smoothstep(a: number, b: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
}
