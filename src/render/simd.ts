/**
 * A tiny hand-assembled WebAssembly SIMD kernel for morphable-model reconstruction: out += w · col
 * over f32x4 lanes (one column, or four in one pass; or out = src + w · col, the same onto a copy
 * of src without copying), where a column is stored as int16 codes (see
 * `PcaBlock.codes`: a basis value is code · scale, and the scale is folded into w). It reads the
 * model from a shared WebAssembly.Memory, so every worker thread uses one copy of a BFM file's bases;
 * reconstruction is bound by reading them, and int16 codes halve the bytes read.
 *
 * Semantics are those of `axpyReference`: per element, out = f32(out + f32(code · f32(w))), one
 * column after the other (an int16 converts to float32 exactly). WebAssembly has no fused
 * multiply-add, so the kernel and the plain-JS reference give the same bits, and renders do not
 * depend on which one ran.
 */

// A small assembler for the three functions, with named locals (params first).
const AXPY_LOCALS = { i32: ['out', 'col', 'n8'], f32: ['w'], v128: ['ws', 'v', 'lo', 'hi'], i32b: ['end'] } as const;
const ADD_FROM_LOCALS = { i32: ['out', 'src', 'col', 'n8'], f32: ['w'], v128: ['ws', 'v', 'lo', 'hi'], i32b: ['end'] } as const;
const AXPY4_LOCALS = {
  i32: ['out', 'c0', 'stride', 'n8'],
  f32: ['w0', 'w1', 'w2', 'w3'],
  v128: ['s0', 's1', 's2', 's3', 'v', 'lo', 'hi'],
  i32b: ['end', 'c1', 'c2', 'c3'],
} as const;

function assemble(
  locals: { i32: readonly string[]; f32: readonly string[]; v128: readonly string[]; i32b: readonly string[] },
  code: (get: (n: string) => number[], set: (n: string) => number[]) => number[],
): number[] {
  const names = [...locals.i32, ...locals.f32, ...locals.v128, ...locals.i32b];
  const at = (n: string) => {
    const i = names.indexOf(n);
    if (i < 0) throw new Error(`simd: unknown local ${n}`);
    return leb(i);
  };
  const decl = [0x02, ...leb(locals.v128.length), 0x7b, ...leb(locals.i32b.length), 0x7f];
  return [...decl, ...code((n) => [0x20, ...at(n)], (n) => [0x21, ...at(n)]), 0x0b];
}

const V = {
  load: (offset: number) => [0xfd, 0x00, 0x04, ...leb(offset)],
  store: (offset: number) => [0xfd, 0x0b, 0x04, ...leb(offset)],
  f32x4Splat: [0xfd, 0x13],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  extendLow: [0xfd, 0xa7, 0x01], // i32x4.extend_low_i16x8_s
  extendHigh: [0xfd, 0xa8, 0x01], // i32x4.extend_high_i16x8_s
  convert: [0xfd, 0xfa, 0x01], // f32x4.convert_i32x4_s
};
const i32 = { add: 0x6a, shl: 0x74, geU: 0x4f, ltU: 0x49, const: (v: number) => [0x41, ...sleb(v)] };
const blockLoop = (cond: number[], body: number[]) => [0x02, 0x40, ...cond, 0x0d, 0x00, 0x03, 0x40, ...body, 0x0b, 0x0b];

/** lo/hi += codes (8 int16 in v) · splat, the low and high four lanes. */
function madd(get: (n: string) => number[], set: (n: string) => number[], splat: string): number[] {
  return [
    ...get('lo'), ...get('v'), ...V.extendLow, ...V.convert, ...get(splat), ...V.f32x4Mul, ...V.f32x4Add, ...set('lo'),
    ...get('hi'), ...get('v'), ...V.extendHigh, ...V.convert, ...get(splat), ...V.f32x4Mul, ...V.f32x4Add, ...set('hi'),
  ];
}

// axpy(out, col, n8, w): 8 values per step; out is float32 (32 bytes a step), col int16 (16 bytes).
const AXPY = assemble(AXPY_LOCALS, (get, set) => [
  ...get('w'), ...V.f32x4Splat, ...set('ws'),
  ...get('n8'), ...i32.const(5), i32.shl, ...get('out'), i32.add, ...set('end'),
  ...blockLoop([...get('out'), ...get('end'), i32.geU], [
    ...get('col'), ...V.load(0), ...set('v'),
    ...get('out'), ...V.load(0), ...set('lo'),
    ...get('out'), ...V.load(16), ...set('hi'),
    ...madd(get, set, 'ws'),
    ...get('out'), ...get('lo'), ...V.store(0),
    ...get('out'), ...get('hi'), ...V.store(16),
    ...get('col'), ...i32.const(16), i32.add, ...set('col'),
    ...get('out'), ...i32.const(32), i32.add, 0x22, ...leb(0), // local.tee out
    ...get('end'), i32.ltU, 0x0d, 0x00,
  ]),
]);

// addFrom(out, src, col, n8, w): out = src + w · col, the axpy of a copy of src without the copy.
const ADD_FROM = assemble(ADD_FROM_LOCALS, (get, set) => [
  ...get('w'), ...V.f32x4Splat, ...set('ws'),
  ...get('n8'), ...i32.const(5), i32.shl, ...get('out'), i32.add, ...set('end'),
  ...blockLoop([...get('out'), ...get('end'), i32.geU], [
    ...get('col'), ...V.load(0), ...set('v'),
    ...get('src'), ...V.load(0), ...set('lo'),
    ...get('src'), ...V.load(16), ...set('hi'),
    ...madd(get, set, 'ws'),
    ...get('out'), ...get('lo'), ...V.store(0),
    ...get('out'), ...get('hi'), ...V.store(16),
    ...get('col'), ...i32.const(16), i32.add, ...set('col'),
    ...get('src'), ...i32.const(32), i32.add, ...set('src'),
    ...get('out'), ...i32.const(32), i32.add, 0x22, ...leb(0), // local.tee out
    ...get('end'), i32.ltU, 0x0d, 0x00,
  ]),
]);

// axpy4(out, c0, stride, n8, w0..w3): four columns `stride` bytes apart, applied in order per step.
const AXPY4 = assemble(AXPY4_LOCALS, (get, set) => [
  ...get('w0'), ...V.f32x4Splat, ...set('s0'),
  ...get('w1'), ...V.f32x4Splat, ...set('s1'),
  ...get('w2'), ...V.f32x4Splat, ...set('s2'),
  ...get('w3'), ...V.f32x4Splat, ...set('s3'),
  ...get('c0'), ...get('stride'), i32.add, ...set('c1'),
  ...get('c1'), ...get('stride'), i32.add, ...set('c2'),
  ...get('c2'), ...get('stride'), i32.add, ...set('c3'),
  ...get('n8'), ...i32.const(5), i32.shl, ...get('out'), i32.add, ...set('end'),
  ...blockLoop([...get('out'), ...get('end'), i32.geU], [
    ...get('out'), ...V.load(0), ...set('lo'),
    ...get('out'), ...V.load(16), ...set('hi'),
    ...(['c0', 'c1', 'c2', 'c3'] as const).flatMap((c, k) => [...get(c), ...V.load(0), ...set('v'), ...madd(get, set, `s${k}`)]),
    ...get('out'), ...get('lo'), ...V.store(0),
    ...get('out'), ...get('hi'), ...V.store(16),
    ...(['c0', 'c1', 'c2', 'c3'] as const).flatMap((c) => [...get(c), ...i32.const(16), i32.add, ...set(c)]),
    ...get('out'), ...i32.const(32), i32.add, 0x22, ...leb(0),
    ...get('end'), i32.ltU, 0x0d, 0x00,
  ]),
]);

/** Signed LEB128 (for i32.const). */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** Unsigned LEB128, the integer encoding of WebAssembly binaries. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function moduleBytes(): Uint8Array {
  const name = (t: string) => [...leb(t.length), ...Buffer.from(t, 'ascii')];
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const bodies = [AXPY, AXPY4, ADD_FROM].flatMap((b) => [...leb(b.length), ...b]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // (i32 i32 i32 f32) -> (), (i32 i32 i32 i32 f32 f32 f32 f32) -> (), (i32 i32 i32 i32 f32) -> ()
    ...section(1, [0x03, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7d, 0x00, 0x60, 0x08, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0x7d, 0x7d, 0x7d, 0x00, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0x00]),
    // env.memory: shared, min 1 page, max 65536 pages
    ...section(2, [0x01, ...name('env'), ...name('memory'), 0x02, 0x03, 0x01, 0x80, 0x80, 0x04]),
    ...section(3, [0x03, 0x00, 0x01, 0x02]),
    ...section(7, [0x03, ...name('axpy'), 0x00, 0x00, ...name('axpy4'), 0x00, 0x01, ...name('addFrom'), 0x00, 0x02]),
    ...section(10, [0x03, ...bodies]),
  ]);
}

/** The parts of WebAssembly's JS API used here (the project's lib settings carry no DOM types). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
}
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
/** The global WebAssembly object, typed. */
// Cast: lib ES2023 (no DOM lib) declares no WebAssembly; WasmApi declares the part used here.
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The kernel's functions; pointers and strides are byte offsets into the shared memory, `col`/`c0`
 * point at int16 codes, `n8` counts steps of 8 values (out: 32 bytes, codes: 16 bytes per step).
 */
export interface SimdKernel {
  axpy(out: number, col: number, n8: number, w: number): void;
  axpy4(out: number, c0: number, stride: number, n8: number, w0: number, w1: number, w2: number, w3: number): void;
  /** out = src + w · col over n8 · 8 values: per element f32(src + f32(code · f32(w))), what a copy and `axpy` give. */
  addFrom(out: number, src: number, col: number, n8: number, w: number): void;
}

/**
 * The module `bytes()` builds, compiled on the first call and kept: null where WebAssembly is
 * missing or rejects it (no SIMD, no shared memory), so callers take their JS paths.
 */
export function compileOnce(bytes: () => Uint8Array): () => WasmModule | null {
  let compiled: WasmModule | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        const b = bytes();
        compiled = wasm.validate(b) ? new wasm.Module(b) : null;
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
}

/** The compiled module, or null where WebAssembly SIMD or shared memory is not available. */
export const simdModule = compileOnce(moduleBytes);

const instances = new WeakMap<WasmMemory, SimdKernel>();

/** The kernel over `memory` (one instance per memory per thread), or null without SIMD support. */
export function simdKernel(memory: WasmMemory): SimdKernel | null {
  const cached = instances.get(memory);
  if (cached) return cached;
  const mod = simdModule();
  if (!mod) return null;
  const inst = new wasm.Instance(mod, { env: { memory } });
  // Cast: WebAssembly gives exports untyped; the module above, written here, fixes their signatures.
  const k = inst.exports as unknown as SimdKernel;
  instances.set(memory, k);
  return k;
}

/** The kernel's semantics in plain JS (also its fallback): out[i] = f32(out[i] + f32(col[i] · f32(w))). */
export function axpyReference(out: Float32Array, col: Float32Array | Int16Array, colOffset: number, n: number, w: number): void {
  const wf = Math.fround(w);
  for (let i = 0; i < n; i++) out[i] = out[i]! + Math.fround(col[colOffset + i]! * wf);
}
