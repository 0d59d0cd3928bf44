import { compileOnce, wasm } from './simd.js';
import { block, br, brIf, f32const, f64const, f32load, f32store, i32const, i32load, i32store, locals, loop, moduleOf, op, packArrays } from './wasm-asm.js';

/**
 * Vertex normals on demand: the same bits as `vertexNormals` (model.ts) for the vertices asked for,
 * without the pass over every triangle. At 112 px a face shows about a fifth of its vertices, and
 * only those (and the landmarks) need normals, so a renderer that knows which vertices it shades
 * computes a fraction of the work.
 *
 * `vertexNormals` sums, per vertex, the area-weighted face normals of its triangles in triangle
 * order, rounding to float32 after each addition, then normalises. Here each vertex walks its
 * triangles in that same order (an incidence list built once per mesh) and adds the same float64
 * face normals, so each normal comes out bit for bit the same.
 *
 * The WebAssembly kernel recomputes a face normal for each of its shown corners rather than caching
 * it per triangle: each incidence carries its triangle's three corners, read in order, and a cross
 * product costs less than the cache's random reads and writes (an ICT mesh's vertex numbering
 * scatters a vertex's triangles over the index list). The plain-JS fallback caches per triangle.
 */
export class VertexNormalCache {
  /**
   * The vertex positions the normals are computed from: write the geometry here and call `reset`
   * with this array to skip its copy (with the WebAssembly kernel it lives in the kernel's memory).
   */
  readonly positions: Float32Array;
  /** Unit normals (3N), in place: valid for the vertices computed since the last `reset`. */
  readonly values: Float32Array;
  /** Whether `ensure` runs the WebAssembly kernel (else the plain-JS path; same bits either way). */
  get wasm(): boolean {
    return this.kernel !== null;
  }
  /** Incidence lists: the triangles of vertex v are entries start[v] … start[v + 1] of the list. */
  private readonly start: Int32Array;
  private readonly vertexStamp: Int32Array;
  private stamp = 0;
  /** The WebAssembly kernel, its arguments' byte offsets, and where `ensure` copies its vertex list. */
  private readonly kernel: { readonly run: NormalsKernel; readonly ptr: Readonly<Record<string, number>>; readonly list: Int32Array } | null;
  /** The plain-JS path: incidences as offsets into the index list, and face normals cached per triangle. */
  private readonly plain: { readonly triangles: Uint32Array; readonly incident: Int32Array; readonly face: Float64Array; readonly faceStamp: Int32Array } | null;

  constructor(triangles: Uint32Array, vertexCount: number, useWasm = true) {
    const n = vertexCount;
    const nt = triangles.length;
    const mod = useWasm ? normalsModule() : null;
    // Kernel memory: per incidence its triangle's corners (byte offsets of their positions).
    const layout: [string, number][] = [['list', 4 * n], ['vstamp', 4 * n], ['start', 4 * (n + 1)], ['out', 12 * n], ['pos', 12 * n], ['inc', 12 * nt]];
    const { ptr, pages } = packArrays(layout);
    const memory = mod ? new wasm.Memory({ initial: pages, maximum: pages, shared: false }) : null;
    const buf = memory?.buffer as ArrayBuffer | undefined;
    const i32s = (name: string, len: number) => (buf ? new Int32Array(buf, ptr[name]!, len) : new Int32Array(len));
    const f32s = (name: string, len: number) => (buf ? new Float32Array(buf, ptr[name]!, len) : new Float32Array(len));
    this.vertexStamp = i32s('vstamp', n);
    this.values = f32s('out', 3 * n);
    this.positions = f32s('pos', 3 * n);
    const start = i32s('start', n + 1);
    for (let t = 0; t < nt; t++) start[triangles[t]! + 1]!++;
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
    this.start = start;
    const fill = start.slice(0, n);
    // A triangle listing a vertex twice is listed twice for it, as vertexNormals adds it twice.
    const incident = new Int32Array(nt);
    for (let t = 0; t < nt; t += 3) {
      for (let k = 0; k < 3; k++) incident[fill[triangles[t + k]!]!++] = t;
    }
    if (mod && buf) {
      const corners = i32s('inc', 3 * nt);
      for (let k = 0; k < nt; k++) for (let c = 0; c < 3; c++) corners[3 * k + c] = 12 * triangles[incident[k]! + c]!;
      const run = (new wasm.Instance(mod, { env: { memory } }).exports as { normals: NormalsKernel }).normals;
      this.kernel = { run, ptr, list: i32s('list', n) };
      this.plain = null;
    } else {
      this.kernel = null;
      this.plain = { triangles: Uint32Array.from(triangles), incident, face: new Float64Array(nt), faceStamp: new Int32Array(nt) };
      warmNormals();
    }
  }

  /** New geometry: every normal is stale. `positions` (copied unless it is `this.positions`) must not change until the next reset. */
  reset(positions: Float32Array): void {
    if (positions !== this.positions) this.positions.set(positions);
    this.stamp++;
  }

  /** Computes the normals of `vertices[0 … count)` (those not computed since the reset). */
  ensure(vertices: Int32Array, count: number): void {
    const k = this.kernel;
    if (k) {
      k.list.set(vertices.subarray(0, count));
      const p = k.ptr;
      k.run(p.list!, count, this.stamp, p.pos!, p.start!, p.inc!, p.vstamp!, p.out!);
      return;
    }
    const j = this.plain!;
    computeNormals(vertices, count, this.stamp, this.positions, j.triangles, this.start, j.incident, j.face, j.faceStamp, this.vertexStamp, this.values);
  }
}

/** normals(list, count, stamp, pos, start, inc, vstamp, out): byte offsets and counts. */
type NormalsKernel = (...args: number[]) => void;

/**
 * `computeNormals` below in WebAssembly, with each face normal computed where it is added (see
 * VertexNormalCache): the same float64 operations in the same order, rounded to float32 at the same
 * points, so the same bits. `inc` holds 12 bytes per incidence: its triangle's corners in order, as
 * byte offsets into `pos`.
 */
function normalsModuleBytes(): Uint8Array {
  const P = ['list', 'count', 'stamp', 'pos', 'start', 'inc', 'vstamp', 'out'] as const;
  const I = ['i', 'v', 'k', 'end', 'a', 'b', 'c', 'o'] as const;
  const F = ['x', 'y', 'z', 'ax', 'ay', 'az', 'ux', 'uy', 'uz', 'vx', 'vy', 'vz', 'l'] as const;
  type N = (typeof P)[number] | (typeof I)[number] | (typeof F)[number];
  const { get, set, body, paramCount } = locals<N>(P, I, F);
  const at = (base: N, index: N, shift: number) => [...get(base), ...get(index), ...i32const(shift), op.i32Shl, op.i32Add];
  const posF = (v: N, k: number) => [...get('pos'), ...get(v), op.i32Add, ...f32load(4 * k), op.f64Promote];
  const sub = (dst: N, v: N, k: number, a: N) => [...posF(v, k), ...get(a), op.f64Sub, ...set(dst)];
  const cross = (p: N, q: N, r: N, s: N) => [...get(p), ...get(q), op.f64Mul, ...get(r), ...get(s), op.f64Mul, op.f64Sub];
  // x = f32(x + face normal), kept as the float64 of that float32.
  const sum = (x: N, face: number[]) => [...get(x), ...face, op.f64Add, op.f32Demote, op.f64Promote, ...set(x)];
  const unit = (x: N, k: number) => [...get('o'), ...get(x), ...get('l'), op.f64Div, op.f32Demote, ...f32store(4 * k)];
  const code = [
    ...i32const(0), ...set('i'),
    ...block(loop(
      get('i'), get('count'), [op.i32GeS], brIf(1),
      at('list', 'i', 2), i32load(), set('v'),
      block(
        at('vstamp', 'v', 2), i32load(), get('stamp'), [op.i32Eq], brIf(0),
        at('vstamp', 'v', 2), get('stamp'), i32store(),
        f64const(0), set('x'), f64const(0), set('y'), f64const(0), set('z'),
        at('start', 'v', 2), set('o'),
        // k and end: byte offsets of the vertex's first and past-last incidence records.
        get('o'), i32load(4), i32const(12), [op.i32Mul], get('inc'), [op.i32Add], set('end'),
        get('o'), i32load(), i32const(12), [op.i32Mul], get('inc'), [op.i32Add], set('k'),
        block(loop(
          get('k'), get('end'), [op.i32GeS], brIf(1),
          get('k'), i32load(0), set('a'),
          get('k'), i32load(4), set('b'),
          get('k'), i32load(8), set('c'),
          posF('a', 0), set('ax'), posF('a', 1), set('ay'), posF('a', 2), set('az'),
          sub('ux', 'b', 0, 'ax'), sub('uy', 'b', 1, 'ay'), sub('uz', 'b', 2, 'az'),
          sub('vx', 'c', 0, 'ax'), sub('vy', 'c', 1, 'ay'), sub('vz', 'c', 2, 'az'),
          sum('x', cross('uy', 'vz', 'uz', 'vy')),
          sum('y', cross('uz', 'vx', 'ux', 'vz')),
          sum('z', cross('ux', 'vy', 'uy', 'vx')),
          get('k'), i32const(12), [op.i32Add], set('k'),
          br(0),
        )),
        get('x'), get('x'), [op.f64Mul], get('y'), get('y'), [op.f64Mul], [op.f64Add], get('z'), get('z'), [op.f64Mul], [op.f64Add], [op.f64Sqrt], set('l'),
        get('out'), get('v'), i32const(12), [op.i32Mul], [op.i32Add], set('o'),
        block(
          block(
            get('l'), f64const(0), [op.f64Gt], brIf(0),
            get('o'), get('x'), [op.f32Demote], f32store(0),
            get('o'), get('y'), [op.f32Demote], f32store(4),
            get('o'), f32const(1), f32store(8),
            br(1),
          ),
          unit('x', 0), unit('y', 1), unit('z', 2),
        ),
      ),
      get('i'), i32const(1), [op.i32Add], set('i'),
      br(0),
    )),
  ];
  return moduleOf('normals', paramCount, body(code));
}

/** The compiled normals module, or null where WebAssembly is missing. */
const normalsModule = compileOnce(normalsModuleBytes);

/** See VertexNormalCache; one function with everything in locals, so V8 keeps the loop tight. */
function computeNormals(
  vertices: Int32Array, count: number, stamp: number, positions: Float32Array, triangles: Uint32Array,
  start: Int32Array, incident: Int32Array, face: Float64Array, faceStamp: Int32Array, vertexStamp: Int32Array, normals: Float32Array,
): void {
  for (let i = 0; i < count; i++) {
    const v = vertices[i]!;
    if (vertexStamp[v] === stamp) continue;
    vertexStamp[v] = stamp;
    let x = 0;
    let y = 0;
    let z = 0;
    for (let k = start[v]!, end = start[v + 1]!; k < end; k++) {
      const t = incident[k]!;
      if (faceStamp[t] !== stamp) {
        // The unnormalised face normal, as vertexNormals computes it.
        faceStamp[t] = stamp;
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
        face[t] = uy * vz - uz * vy;
        face[t + 1] = uz * vx - ux * vz;
        face[t + 2] = ux * vy - uy * vx;
      }
      x = Math.fround(x + face[t]!);
      y = Math.fround(y + face[t + 1]!);
      z = Math.fround(z + face[t + 2]!);
    }
    const l = Math.sqrt(x * x + y * y + z * z);
    const o = 3 * v;
    if (l > 0) {
      normals[o] = x / l;
      normals[o + 1] = y / l;
      normals[o + 2] = z / l;
    } else {
      normals[o] = x;
      normals[o + 1] = y;
      normals[o + 2] = 1;
    }
  }
}

/**
 * Runs computeNormals on a small mesh until V8 has compiled it: compiled first by on-stack
 * replacement inside a call over a whole face, the loop stays about half as fast (as renderer.ts's
 * vertex stage, measured 3.6 vs 6.5 ms for all 24,591 normals of the built-in model).
 */
function warmNormals(): void {
  if (normalsWarm) return;
  normalsWarm = true;
  const tri = new Uint32Array([0, 1, 2, 0, 2, 3]);
  const pos = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
  const cache = new VertexNormalCache(tri, 4, false);
  const all = new Int32Array([0, 1, 2, 3]);
  for (let t = 0; t < 3000; t++) {
    cache.reset(pos);
    cache.ensure(all, 4);
  }
}
let normalsWarm = false;
