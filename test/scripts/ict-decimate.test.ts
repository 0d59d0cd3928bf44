import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decimateParts, keptVertices, MIN_COMPACTNESS, subsetField, type DecimateResult } from '../../scripts/ict/decimate.js';
import { INTERIOR_PARTS } from '../../scripts/ict/build.js';
import { readObjPolygons, readObjVertices } from '../../scripts/ict/read-input.js';
import { ICT_RANGES, KEPT_VERTICES } from '../../scripts/ict/regions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ICT = path.resolve(here, '../../../shared/reference/ict-facekit');
const hasIct = existsSync(path.join(ICT, 'FaceXModel', 'generic_neutral_mesh.obj'));

type Vec = [number, number, number];
const at = (p: ArrayLike<number>, v: number): Vec => [p[3 * v]!, p[3 * v + 1]!, p[3 * v + 2]!];
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const triNormal = (p: ArrayLike<number>, t: ArrayLike<number>, i: number): Vec => cross(sub(at(p, t[3 * i + 1]!), at(p, t[3 * i]!)), sub(at(p, t[3 * i + 2]!), at(p, t[3 * i]!)));

/** Directed edge counts: a closed, consistently wound surface uses each edge once in each direction. */
function directedEdges(t: ArrayLike<number>, keep: (i: number) => boolean = () => true): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < t.length / 3; i++) {
    if (!keep(i)) continue;
    for (let e = 0; e < 3; e++) {
      const k = `${t[3 * i + e]}>${t[3 * i + ((e + 1) % 3)]}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return m;
}

/** A flat n × n grid of unit squares in z = 0, each split into two counter-clockwise triangles. */
function grid(n: number): { pos: Float64Array; tri: number[] } {
  const pos = new Float64Array(3 * (n + 1) * (n + 1));
  for (let y = 0; y <= n; y++) for (let x = 0; x <= n; x++) pos.set([x, y, 0], 3 * (y * (n + 1) + x));
  const tri: number[] = [];
  const v = (x: number, y: number) => y * (n + 1) + x;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) tri.push(v(x, y), v(x + 1, y), v(x + 1, y + 1), v(x, y), v(x + 1, y + 1), v(x, y + 1));
  return { pos, tri };
}

/** A sphere of radius r: an octahedron subdivided `levels` times, vertices pushed onto the sphere. */
function sphere(levels: number, r: number): { pos: Float64Array; tri: number[] } {
  const p: Vec[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  let tri = [0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5];
  for (let l = 0; l < levels; l++) {
    const mid = new Map<string, number>();
    const m = (a: number, b: number) => {
      const k = a < b ? `${a},${b}` : `${b},${a}`;
      let i = mid.get(k);
      if (i === undefined) {
        const q: Vec = [(p[a]![0] + p[b]![0]) / 2, (p[a]![1] + p[b]![1]) / 2, (p[a]![2] + p[b]![2]) / 2];
        const len = Math.hypot(...q);
        i = p.push([q[0] / len, q[1] / len, q[2] / len]) - 1;
        mid.set(k, i);
      }
      return i;
    };
    const next: number[] = [];
    for (let t = 0; t < tri.length; t += 3) {
      const [a, b, c] = [tri[t]!, tri[t + 1]!, tri[t + 2]!];
      const ab = m(a, b);
      const bc = m(b, c);
      const ca = m(c, a);
      next.push(a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca);
    }
    tri = next;
  }
  return { pos: Float64Array.from(p.flat().map((x) => x * r)), tri };
}

describe('decimateParts on hand-made meshes', () => {
  it('keeps a flat grid exactly: the border vertices stay, the area is the same, every normal +z', () => {
    const { pos, tri } = grid(12);
    const r = decimateParts({ positions: pos, triangles: tri, parts: [{ name: 'grid', range: [0, 168], keep: 0.2 }] });
    expect(r.parts[0]).toMatchObject({ trianglesBefore: 288 });
    expect(r.parts[0]!.trianglesAfter).toBeLessThanOrEqual(Math.floor(0.2 * 288));
    for (let v = 0; v <= 168; v++) {
      const x = v % 13;
      const y = Math.floor(v / 13);
      if (x === 0 || y === 0 || x === 12 || y === 12) expect(r.removed[v], `border vertex ${v}`).toBe(0);
    }
    let area = 0;
    for (let i = 0; i < r.triangles.length / 3; i++) {
      const n = triNormal(pos, r.triangles, i);
      expect(n[2]).toBeGreaterThan(0);
      area += n[2] / 2;
    }
    // The border is fixed and no triangle folds, so the survivors tile the same 12 × 12 square.
    expect(area).toBeCloseTo(144, 9);
    for (const v of r.triangles) expect(r.removed[v]).toBe(0);
  });

  it('keeps a sphere closed, consistently wound, facing out, with its pinned vertex', () => {
    const { pos, tri } = sphere(4, 12);
    const n = pos.length / 3;
    const r = decimateParts({ positions: pos, triangles: tri, parts: [{ name: 'ball', range: [0, n - 1], keep: 0.15 }], pinned: [4] });
    expect(r.parts[0]!.trianglesAfter).toBeLessThanOrEqual(Math.floor(0.15 * (tri.length / 3)));
    expect(r.removed[4]).toBe(0);
    const edges = directedEdges(r.triangles);
    for (const [k, c] of edges) {
      const [a, b] = k.split('>');
      expect(c).toBe(1);
      expect(edges.get(`${b}>${a}`), `edge ${k} has no twin`).toBe(1);
    }
    // Euler characteristic of a sphere: V - E + F = 2.
    const verts = new Set(r.triangles).size;
    expect(verts - edges.size / 2 + r.triangles.length / 3).toBe(2);
    for (let i = 0; i < r.triangles.length / 3; i++) {
      const c = at(pos, r.triangles[3 * i]!);
      expect(dot(triNormal(pos, r.triangles, i), c)).toBeGreaterThan(0);
    }
  });

  it('subsets fields and renumbers kept vertices in order', () => {
    const removed = Uint8Array.from([0, 1, 0, 0, 1]);
    const { kept, newIndex } = keptVertices(removed);
    expect([...kept]).toEqual([0, 2, 3]);
    expect([...newIndex]).toEqual([0, -1, 1, 2, -1]);
    expect([...subsetField(Float32Array.from({ length: 15 }, (_, i) => i), kept)]).toEqual([0, 1, 2, 6, 7, 8, 9, 10, 11]);
  });
});

describe.skipIf(!hasIct)('decimateParts on the ICT interior', () => {
  const file = path.join(ICT, 'FaceXModel', 'generic_neutral_mesh.obj');
  const all = readObjVertices(file);
  const pos = all.subarray(0, 3 * KEPT_VERTICES);
  const tri: number[] = [];
  for (const p of readObjPolygons(file, all.length / 3)) {
    if (!p.every((v) => v < KEPT_VERTICES)) continue;
    for (let k = 1; k + 1 < p.length; k++) tri.push(p[0]!, p[k]!, p[k + 1]!);
  }
  const run = (): DecimateResult => decimateParts({ positions: pos, triangles: tri, parts: INTERIOR_PARTS, pinned: [ICT_RANGES.eyeballLeft[0] + 7] });
  const r = run();
  const inPart = (v: number, [a, b]: readonly [number, number]) => v >= a && v <= b;

  it('is deterministic', () => {
    const again = run();
    expect(Buffer.from(again.triangles.buffer).equals(Buffer.from(r.triangles.buffer))).toBe(true);
    expect(Buffer.from(again.removed).equals(Buffer.from(r.removed))).toBe(true);
  }, 120_000);

  it('removes no face or head vertex, no rim vertex shared with the skin, and no pinned one', () => {
    for (let v = 0; v <= ICT_RANGES.headNeck[1]; v++) expect(r.removed[v]).toBe(0);
    expect(r.removed[ICT_RANGES.eyeballLeft[0] + 7]).toBe(0);
    // Every triangle that joins a socket to the lips or eyelids survives unchanged.
    const parts = INTERIOR_PARTS.map((p) => p.range);
    const rim: string[] = [];
    for (let t = 0; t < tri.length; t += 3) {
      const vs = [tri[t]!, tri[t + 1]!, tri[t + 2]!];
      if (parts.some((range) => vs.every((v) => inPart(v, range)))) continue;
      if (!vs.some((v) => parts.some((range) => inPart(v, range)))) continue;
      rim.push(vs.join(','));
    }
    expect(rim.length).toBeGreaterThan(300);
    const after = new Set<string>();
    for (let t = 0; t < r.triangles.length; t += 3) after.add([r.triangles[t], r.triangles[t + 1], r.triangles[t + 2]].join(','));
    for (const k of rim) expect(after.has(k), `rim triangle ${k}`).toBe(true);
  });

  it('cuts each part to its share of triangles and keeps the whole mesh as closed as it was', () => {
    for (const [i, p] of INTERIOR_PARTS.entries()) expect(r.parts[i]!.trianglesAfter).toBeLessThanOrEqual(Math.floor(p.keep * r.parts[i]!.trianglesBefore));
    expect(r.triangles.length / 3).toBeLessThan(tri.length / 3 - 20_000);
    // The open edges (the neck's cut, the gums' edge) are the same before and after, every other
    // edge has its twin: no crack, hole or non-manifold edge appeared, winding stayed consistent.
    const open = (edges: Map<string, number>) =>
      [...edges.keys()].filter((k) => {
        const [a, b] = k.split('>');
        return !edges.has(`${b}>${a}`);
      }).sort();
    const before = directedEdges(tri);
    const now = directedEdges(r.triangles);
    for (const c of now.values()) expect(c).toBe(1);
    expect(open(now)).toEqual(open(before));
  });

  it('leaves no degenerate triangle, and every moved one faces the way the surface did', () => {
    // Original area-weighted vertex normals: the surface's orientation around each kept vertex.
    const vn = new Float64Array(pos.length);
    for (let i = 0; i < tri.length / 3; i++) {
      const n = triNormal(pos, tri, i);
      for (let e = 0; e < 3; e++) {
        const k = 3 * tri[3 * i + e]!;
        for (let c = 0; c < 3; c++) vn[k + c] = vn[k + c]! + n[c]!;
      }
    }
    const original = new Set<string>();
    for (let t = 0; t < tri.length; t += 3) original.add([tri[t], tri[t + 1], tri[t + 2]].join(','));
    let moved = 0;
    let against = 0;
    for (let i = 0; i < r.triangles.length / 3; i++) {
      const vs = [r.triangles[3 * i]!, r.triangles[3 * i + 1]!, r.triangles[3 * i + 2]!];
      if (original.has(vs.join(','))) continue;
      moved++;
      const n = triNormal(pos, r.triangles, i);
      const len = Math.hypot(...n);
      const sumEdges = vs.reduce((s, v, e) => s + Math.hypot(...sub(at(pos, v), at(pos, vs[(e + 1) % 3]!))) ** 2, 0);
      expect((2 * Math.sqrt(3) * len) / sumEdges).toBeGreaterThanOrEqual(MIN_COMPACTNESS);
      const around: Vec = [0, 0, 0];
      for (const v of vs) for (let c = 0; c < 3; c++) around[c] = around[c]! + vn[3 * v + c]! / Math.hypot(vn[3 * v]!, vn[3 * v + 1]!, vn[3 * v + 2]!);
      if (dot(n, around) <= 0) against++;
    }
    expect(moved).toBeGreaterThan(1000);
    expect(against).toBe(0);
  });
});
