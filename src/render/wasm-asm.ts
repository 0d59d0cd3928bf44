/**
 * A tiny WebAssembly assembler for the renderer's one-function kernels (the rasteriser and the
 * vertex normals): opcodes, structured control flow and a module of one exported function over an
 * imported (non-shared) memory, whose parameters are all i32 and whose locals are named.
 */
import { leb } from './simd.js';

export const f64const = (v: number): number[] => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
export const f32const = (v: number): number[] => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
export const i32const = (v: number): number[] => {
  // Signed LEB128.
  const out: number[] = [0x41];
  let more = true;
  while (more) {
    let b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) more = false;
    else b |= 0x80;
    out.push(b);
  }
  return out;
};

export const op = {
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32GtS: 0x4a, i32LeS: 0x4c, i32GeS: 0x4e,
  i32Or: 0x72, i32And: 0x71, i32ShrS: 0x75, i32Eqz: 0x45, i32GtU: 0x4b, f32FromBits: 0xbe,
  f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5, f32Min: 0x96,
  f64Sqrt: 0x9f, f64Ceil: 0x9b, f64Floor: 0x9c, f64Promote: 0xbb, f32Demote: 0xb6, f64FromI32: 0xb7, select: 0x1b,
} as const;
export const truncSat = [0xfc, 0x02]; // i32.trunc_sat_f64_s
/** Loads and stores with a constant byte offset (aligned as their width). */
export const f32load = (offset = 0): number[] => [0x2a, 0x02, ...leb(offset)];
export const f64load = (offset = 0): number[] => [0x2b, 0x03, ...leb(offset)];
export const i32load = (offset = 0): number[] => [0x28, 0x02, ...leb(offset)];
export const i32load8u = (offset = 0): number[] => [0x2d, 0x00, ...leb(offset)];
export const f32store = (offset = 0): number[] => [0x38, 0x02, ...leb(offset)];
export const f64store = (offset = 0): number[] => [0x39, 0x03, ...leb(offset)];
export const i32store = (offset = 0): number[] => [0x36, 0x02, ...leb(offset)];
export const i32store8 = [0x3a, 0x00, 0x00];
export const block = (...body: number[][]): number[] => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body: number[][]): number[] => [0x03, 0x40, ...body.flat(), 0x0b];
export const brIf = (depth: number): number[] => [0x0d, ...leb(depth)];
export const br = (depth: number): number[] => [0x0c, ...leb(depth)];

/** Named locals of one function: i32 parameters first, then i32 and f64 locals. */
export function locals<N extends string>(params: readonly N[], i32: readonly N[], f64: readonly N[]) {
  const index = new Map<string, number>([...params, ...i32, ...f64].map((n, i) => [n, i]));
  const at = (n: N) => leb(index.get(n)!);
  return {
    get: (n: N): number[] => [0x20, ...at(n)],
    set: (n: N): number[] => [0x21, ...at(n)],
    tee: (n: N): number[] => [0x22, ...at(n)],
    /** The function body's bytes: its local declarations, the code and `end`. */
    body: (code: number[]): number[] => [0x02, ...leb(i32.length), 0x7f, ...leb(f64.length), 0x7c, ...code, 0x0b],
    paramCount: params.length,
  };
}

/** A module importing env.memory (non-shared) and exporting one function `name` of `paramCount` i32 parameters. */
export function moduleOf(name: string, paramCount: number, body: number[]): Uint8Array {
  const type = [0x60, ...leb(paramCount), ...new Array<number>(paramCount).fill(0x7f), 0x00];
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const str = (s: string) => [...leb(s.length), ...Buffer.from(s, 'ascii')];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, ...type]),
    ...section(2, [0x01, ...str('env'), ...str('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...str(name), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/**
 * Packs named arrays (name, byte length) into one kernel memory: each starts 16-byte aligned
 * after a 16-byte guard (so no array sits at address 0). Returns their byte offsets and the
 * memory's size in 64 KiB pages.
 */
export function packArrays(layout: readonly (readonly [string, number])[]): { ptr: Record<string, number>; pages: number } {
  const ptr: Record<string, number> = {};
  let off = 16;
  for (const [name, bytes] of layout) {
    ptr[name] = off;
    off += Math.ceil(bytes / 16) * 16;
  }
  return { ptr, pages: Math.ceil(off / 65536) };
}
