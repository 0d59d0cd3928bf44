/**
 * Mesh simplification of the built-in model's interior parts (mouth socket, gums and tongue, teeth,
 * eyeballs): at 112 px they cover a few pixels but held half the toolkit mesh's triangles, and every
 * vertex costs the renderer per image. Half-edge collapses (u → v, v an existing vertex) ordered by
 * the quadric error metric of Garland and Heckbert (1997, "Surface simplification using quadric
 * error metrics"), so the result keeps a SUBSET of the original vertices: each kept vertex keeps its
 * exact position, identity and expression displacements and colour, and the model's bases are just
 * subset rows. Deterministic: costs are computed in a fixed order and ties broken by vertex numbers.
 *
 * A collapse is refused when it would change the mesh's topology or look:
 * - u is locked: on an open boundary, in a triangle that is not wholly inside its part (the rim
 *   where a socket joins the lips or eyelids: so no crack opens at the skin), or pinned by the caller;
 * - the edge's two triangles are not the only ones u and v share (the link condition: no
 *   non-manifold edge or fold), or an opposite vertex would be left with fewer than three neighbours;
 * - a moved triangle would flip or turn by more than 60° against its current normal, point against
 *   its original normal or the original vertex normals of its corners, or become a sliver
 *   (compactness below MIN_COMPACTNESS).
 */

import { triangleNormal, vertexNormalSums } from './colour-geometry.js';

/** One part of the mesh to simplify: an inclusive range of vertex numbers. */
export interface DecimatePart {
  readonly name: string;
  readonly range: readonly [number, number];
  /** Share of the part's triangles to keep (0 … 1]; collapses stop once the count is at or below it. */
  readonly keep: number;
  /**
   * Weight (mm²) of a squared attribute difference in a collapse's cost, per mm² of u's triangles:
   * with 25, a colour step of 0.1 costs as much as moving a surface 0.5 mm. 0: geometry only.
   */
  readonly attributeWeight?: number;
}

export interface DecimateInput {
  /** 3N positions (mm). */
  readonly positions: ArrayLike<number>;
  /** 3T vertex numbers, consistently wound. */
  readonly triangles: ArrayLike<number>;
  readonly parts: readonly DecimatePart[];
  /** Per-vertex attributes (3N each, e.g. the colour mean and components) whose jumps cost. */
  readonly attributes?: readonly ArrayLike<number>[];
  /** Vertices never removed (e.g. a landmark's). */
  readonly pinned?: readonly number[];
}

export interface DecimateResult {
  /** The surviving triangles in their original order, in the original vertex numbers. */
  readonly triangles: Uint32Array;
  /** 1 for each vertex collapsed away. */
  readonly removed: Uint8Array;
  readonly parts: readonly { readonly name: string; readonly trianglesBefore: number; readonly trianglesAfter: number; readonly verticesBefore: number; readonly verticesAfter: number }[];
}

/** Smallest 4√3·area / Σ edge² (1 for an equilateral triangle) a moved triangle may have. */
export const MIN_COMPACTNESS = 0.08;
/** A moved triangle's normal may turn by at most this much (cosine: 60°) in one collapse. */
const MAX_TURN_COS = 0.5;

/** Binary min-heap of candidate collapses keyed by (cost, u, v), with the stamps they were made at. */
class CollapseHeap {
  private cost: number[] = [];
  private u: number[] = [];
  private v: number[] = [];
  private su: number[] = [];
  private sv: number[] = [];
  get size(): number {
    return this.cost.length;
  }
  private less(i: number, j: number): boolean {
    const a = this.cost[i]!;
    const b = this.cost[j]!;
    if (a !== b) return a < b;
    if (this.u[i] !== this.u[j]) return this.u[i]! < this.u[j]!;
    return this.v[i]! < this.v[j]!;
  }
  private swap(i: number, j: number): void {
    for (const arr of [this.cost, this.u, this.v, this.su, this.sv]) {
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
  }
  push(cost: number, u: number, v: number, su: number, sv: number): void {
    let i = this.cost.length;
    this.cost.push(cost);
    this.u.push(u);
    this.v.push(v);
    this.su.push(su);
    this.sv.push(sv);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { u: number; v: number; su: number; sv: number } {
    const top = { u: this.u[0]!, v: this.v[0]!, su: this.su[0]!, sv: this.sv[0]! };
    const last = this.cost.length - 1;
    this.swap(0, last);
    for (const arr of [this.cost, this.u, this.v, this.su, this.sv]) arr.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.less(l, m)) m = l;
      if (r < last && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Simplifies each part of the mesh; see the module comment. */
export function decimateParts(input: DecimateInput): DecimateResult {
  const pos = input.positions;
  const n = pos.length / 3;
  const tri = Uint32Array.from(input.triangles as ArrayLike<number>);
  const tCount = tri.length / 3;
  const alive = new Uint8Array(tCount).fill(1);
  const removed = new Uint8Array(n);
  const attrs = input.attributes ?? [];

  const normal = (a: number, b: number, c: number) => triangleNormal(pos, a, b, c);
  const dist2 = (a: number, b: number) => (pos[3 * a]! - pos[3 * b]!) ** 2 + (pos[3 * a + 1]! - pos[3 * b + 1]!) ** 2 + (pos[3 * a + 2]! - pos[3 * b + 2]!) ** 2;
  const compactness = (a: number, b: number, c: number, nrm: readonly number[]) => {
    const area2 = Math.hypot(nrm[0]!, nrm[1]!, nrm[2]!); // twice the area
    const sum = dist2(a, b) + dist2(b, c) + dist2(c, a);
    return sum > 0 ? (2 * Math.sqrt(3) * area2) / sum : 0;
  };

  // Original unit normals: a moved triangle must still face the way its original did.
  const origNormal = new Float64Array(3 * tCount);
  for (let t = 0; t < tCount; t++) {
    const [x, y, z] = normal(tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!);
    const l = Math.hypot(x, y, z) || 1;
    origNormal[3 * t] = x / l;
    origNormal[3 * t + 1] = y / l;
    origNormal[3 * t + 2] = z / l;
  }

  // Original unit vertex normals (area-weighted): a moved triangle must face the way the surface
  // around its three vertices did, so the simplified part is not turned inside out anywhere.
  const vertexNormal = vertexNormalSums(pos, tri);
  for (let v = 0; v < n; v++) {
    const l = Math.hypot(vertexNormal[3 * v]!, vertexNormal[3 * v + 1]!, vertexNormal[3 * v + 2]!) || 1;
    for (let c = 0; c < 3; c++) vertexNormal[3 * v + c] = vertexNormal[3 * v + c]! / l;
  }

  // Triangles around each vertex (kept sorted ascending, so neighbour walks are in a fixed order).
  const around: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < tCount; t++) for (let e = 0; e < 3; e++) around[tri[3 * t + e]!]!.push(t);
  const neighbours = (x: number): number[] => {
    const s = new Set<number>();
    for (const t of around[x]!) for (let e = 0; e < 3; e++) if (tri[3 * t + e] !== x) s.add(tri[3 * t + e]!);
    return [...s].sort((a, b) => a - b);
  };

  // Plane quadrics (a², ab, ac, ad, b², bc, bd, c², cd, d²) weighted by area.
  const quadric = new Float64Array(10 * n);
  for (let t = 0; t < tCount; t++) {
    const a = tri[3 * t]!;
    const [x, y, z] = normal(a, tri[3 * t + 1]!, tri[3 * t + 2]!);
    const l = Math.hypot(x, y, z);
    if (l === 0) continue;
    const area = l / 2;
    const nx = x / l;
    const ny = y / l;
    const nz = z / l;
    const d = -(nx * pos[3 * a]! + ny * pos[3 * a + 1]! + nz * pos[3 * a + 2]!);
    const q = [nx * nx, nx * ny, nx * nz, nx * d, ny * ny, ny * nz, ny * d, nz * nz, nz * d, d * d];
    for (let e = 0; e < 3; e++) {
      const v = tri[3 * t + e]!;
      for (let k = 0; k < 10; k++) quadric[10 * v + k] = quadric[10 * v + k]! + area * q[k]!;
    }
  }

  const stamp = new Uint32Array(n);
  const locked = new Uint8Array(n);
  for (const p of input.pinned ?? []) locked[p] = 1;

  const report: { name: string; trianglesBefore: number; trianglesAfter: number; verticesBefore: number; verticesAfter: number }[] = [];
  for (const part of input.parts) {
    const [lo, hi] = part.range;
    const inPart = (v: number) => v >= lo && v <= hi;
    const weight = part.attributeWeight ?? 0;
    // Lock the rim: a vertex of a triangle reaching outside the part, or on an open boundary edge.
    let before = 0;
    const edgeUse = new Map<number, number>();
    for (let t = 0; t < tCount; t++) {
      if (!alive[t]) continue;
      const vs = [tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!];
      if (!vs.every(inPart)) {
        for (const v of vs) if (inPart(v)) locked[v] = 1;
        continue;
      }
      before++;
      for (let e = 0; e < 3; e++) {
        const a = vs[e]!;
        const b = vs[(e + 1) % 3]!;
        const k = a < b ? a * n + b : b * n + a;
        edgeUse.set(k, (edgeUse.get(k) ?? 0) + 1);
      }
    }
    for (const [k, c] of edgeUse) {
      if (c === 1) {
        locked[Math.floor(k / n)] = 1;
        locked[k % n] = 1;
      }
    }
    const target = Math.floor(part.keep * before);

    const cost = (u: number, v: number): number => {
      const q = (k: number) => quadric[10 * u + k]! + quadric[10 * v + k]!;
      const x = pos[3 * v]!;
      const y = pos[3 * v + 1]!;
      const z = pos[3 * v + 2]!;
      const geo =
        q(0) * x * x + 2 * q(1) * x * y + 2 * q(2) * x * z + 2 * q(3) * x + q(4) * y * y + 2 * q(5) * y * z + 2 * q(6) * y + q(7) * z * z + 2 * q(8) * z + q(9);
      let area = 0;
      for (const t of around[u]!) {
        const [a, b, c] = normal(tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!);
        area += Math.hypot(a, b, c) / 2;
      }
      let jump = 0;
      if (weight > 0) for (const f of attrs) for (let c = 0; c < 3; c++) jump += (f[3 * u + c]! - f[3 * v + c]!) ** 2;
      // A tiny length term orders the collapses of a flat patch (all cost 0) shortest edge first.
      return Math.max(geo, 0) + area * (weight * jump + 1e-4 * dist2(u, v));
    };

    const heap = new CollapseHeap();
    // Both ends inside the part: a rim vertex's skin neighbours are never candidates.
    const offer = (x: number) => {
      if (!inPart(x)) return;
      for (const y of neighbours(x)) {
        if (!inPart(y)) continue;
        if (!locked[x]) heap.push(cost(x, y), x, y, stamp[x]!, stamp[y]!);
        if (!locked[y]) heap.push(cost(y, x), y, x, stamp[y]!, stamp[x]!);
      }
    };
    for (let x = lo; x <= hi; x++) {
      if (removed[x] || locked[x]) continue;
      for (const y of neighbours(x)) if (inPart(y)) heap.push(cost(x, y), x, y, stamp[x]!, stamp[y]!);
    }

    let count = before;
    while (count > target && heap.size > 0) {
      const { u, v, su, sv } = heap.pop();
      if (removed[u] || removed[v] || stamp[u] !== su || stamp[v] !== sv) continue;
      if (!canCollapse(u, v)) continue;
      // Collapse: the two triangles on the edge go, u's others take v in u's place (winding kept).
      for (const t of around[u]!) {
        const hasV = tri[3 * t] === v || tri[3 * t + 1] === v || tri[3 * t + 2] === v;
        if (hasV) {
          alive[t] = 0;
          for (let e = 0; e < 3; e++) {
            const w = tri[3 * t + e]!;
            if (w !== u) around[w] = around[w]!.filter((s) => s !== t);
          }
          count--;
        } else {
          for (let e = 0; e < 3; e++) if (tri[3 * t + e] === u) tri[3 * t + e] = v;
          around[v]!.push(t);
        }
      }
      around[v]!.sort((a, b) => a - b);
      around[u] = [];
      removed[u] = 1;
      for (let k = 0; k < 10; k++) quadric[10 * v + k] = quadric[10 * v + k]! + quadric[10 * u + k]!;
      const ring = [v, ...neighbours(v)];
      for (const x of ring) stamp[x] = stamp[x]! + 1;
      for (const x of ring) offer(x);
    }

    let verticesBefore = 0;
    let verticesAfter = 0;
    for (let x = lo; x <= hi; x++) {
      verticesBefore++;
      if (!removed[x]) verticesAfter++;
    }
    report.push({ name: part.name, trianglesBefore: before, trianglesAfter: count, verticesBefore, verticesAfter });
  }

  function canCollapse(u: number, v: number): boolean {
    const shared: number[] = [];
    for (const t of around[u]!) if (tri[3 * t] === v || tri[3 * t + 1] === v || tri[3 * t + 2] === v) shared.push(t);
    if (shared.length !== 2) return false;
    const opposite = shared.map((t) => [tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!].find((w) => w !== u && w !== v)!);
    if (opposite[0] === opposite[1]) return false;
    const nv = new Set(neighbours(v));
    for (const w of neighbours(u)) if (w !== v && nv.has(w) && w !== opposite[0] && w !== opposite[1]) return false;
    for (const w of opposite) if (neighbours(w).length <= 3) return false;
    for (const t of around[u]!) {
      if (shared.includes(t)) continue;
      const vs = [tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!];
      const old = normal(vs[0]!, vs[1]!, vs[2]!);
      const moved = vs.map((w) => (w === u ? v : w));
      const now = normal(moved[0]!, moved[1]!, moved[2]!);
      const ln = Math.hypot(now[0], now[1], now[2]);
      const lo = Math.hypot(old[0], old[1], old[2]);
      if (ln === 0) return false;
      if (now[0] * old[0] + now[1] * old[1] + now[2] * old[2] < MAX_TURN_COS * ln * lo) return false;
      if (now[0] * origNormal[3 * t]! + now[1] * origNormal[3 * t + 1]! + now[2] * origNormal[3 * t + 2]! <= 0) return false;
      let around = 0;
      for (const w of moved) for (let c = 0; c < 3; c++) around += now[c]! * vertexNormal[3 * w + c]!;
      if (around <= 0) return false;
      if (compactness(moved[0]!, moved[1]!, moved[2]!, now) < MIN_COMPACTNESS) return false;
    }
    return true;
  }

  const out: number[] = [];
  for (let t = 0; t < tCount; t++) if (alive[t]) out.push(tri[3 * t]!, tri[3 * t + 1]!, tri[3 * t + 2]!);
  return { triangles: Uint32Array.from(out), removed, parts: report };
}

/**
 * The kept vertices (ascending, so a prefix that loses nothing keeps its numbers) and each original
 * vertex's new number (-1 when removed).
 */
export function keptVertices(removed: Uint8Array): { kept: Uint32Array; newIndex: Int32Array } {
  const newIndex = new Int32Array(removed.length).fill(-1);
  const kept: number[] = [];
  for (let v = 0; v < removed.length; v++) {
    if (removed[v]) continue;
    newIndex[v] = kept.length;
    kept.push(v);
  }
  return { kept: Uint32Array.from(kept), newIndex };
}

/** The rows of a 3N field (x, y, z per vertex) at the kept vertices. */
export function subsetField(field: Float32Array, kept: Uint32Array): Float32Array {
  const out = new Float32Array(3 * kept.length);
  for (let i = 0; i < kept.length; i++) {
    const s = 3 * kept[i]!;
    out[3 * i] = field[s]!;
    out[3 * i + 1] = field[s + 1]!;
    out[3 * i + 2] = field[s + 2]!;
  }
  return out;
}
