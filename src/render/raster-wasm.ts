/**
 * The rasteriser of raster.ts, hand-assembled into WebAssembly for speed. Every value it stores
 * comes from the same float64 operations in the same order, so its frames are bit-identical to the
 * JS rasteriser's (a test checks it); only the order of the tests differs (it computes a pixel's
 * depth before knowing whether the pixel is inside). The JS one remains the reference and the
 * fallback.
 */
import { clearFrame, createFrame, createScreenVertices, rasterize, type Frame, type ScreenVertices } from './raster.js';
import { compileOnce, wasm } from './simd.js';
import { block, br, brIf, f32const, f32load, f32store, f64const, f64load, f64store, i32const, i32load, i32load8u, i32store, i32store8, locals, loop, moduleOf, op, packArrays, truncSat } from './wasm-asm.js';

const P = [
  'x', 'y', 'iw', 'rw', 'gw', 'bw', 'cx', 'fx', 'cy', 'fy', 'tri', 'nt', 'nv', 'color', 'depth', 'cov', 'size', 'rec',
  'cull', 'tiles',
] as const;
const I32 = [
  'i', 'o', 't', 'i0', 'i1', 'i2', 'minX', 'maxX', 'minY', 'maxY', 'py', 'px', 'p', 'c', 'o0', 'o1', 'o2', 'tmp',
  'end', 'tw', 'tx', 'ty', 'tx1', 'ty1', 'draw', 'xe', 'ye', 'ex', 'ey', 'tx0', 'ty0',
] as const;
const F64 = [
  'x0', 'y0', 'x1', 'y1', 'x2', 'y2', 'area', 'iw0', 'iw1', 'iw2', 'a0', 'b0', 'a1', 'b1', 'a2', 'b2',
  'inv', 'px0', 'fyc', 'e0', 'e1', 'e2', 'l0', 'l1', 'l2', 'z', 'rz', 'xv', 'yv', 'zb', 'dx', 'dy', 'tv',
] as const;
type Local = (typeof P)[number] | (typeof I32)[number] | (typeof F64)[number];
const fn = locals<Local>(P, I32, F64);
const { get, set } = fn;

/** f64 of the f32 at ptr + 4·i (i given as a byte offset local). */
const loadF = (ptr: Local, off: Local) => [...get(ptr), ...get(off), op.i32Add, ...f32load(), op.f64Promote];
const loadI = (ptr: Local, off: Local) => [...get(ptr), ...get(off), op.i32Add, ...i32load()];
/** The float32 bits of the vertex's 1/depth, as an i32. */
const bitsOf = (o: Local) => [...get('iw'), ...get(o), op.i32Add, ...i32load()];
/** m = min/max over the three vertices' snapped ints (signed), like the JS comparisons. */
const pick3 = (dst: Local, arr: Local, less: boolean) => [
  ...loadI(arr, 'o0'), ...set(dst),
  ...loadI(arr, 'o1'), ...set('tmp'),
  ...get('tmp'), ...get(dst), ...get('tmp'), ...get(dst), less ? op.i32LtS : op.i32GtS, op.select, ...set(dst),
  ...loadI(arr, 'o2'), ...set('tmp'),
  ...get('tmp'), ...get(dst), ...get('tmp'), ...get(dst), less ? op.i32LtS : op.i32GtS, op.select, ...set(dst),
];
const clampCoord = (v: Local) => [...get(v), ...f64const(-1e6), op.f64Max, ...f64const(1e6), op.f64Min, ...set(v)];
const storeSnap = (arr: Local, v: Local, fn: number) => [...get(arr), ...get('o'), op.i32Add, ...get(v), fn, ...truncSat, ...i32store()];
/** a·(u - v) + b·(w - q) in f64, the edge function at a pixel centre. */
const edge = (dst: Local, a: Local, u: Local, v: Local, b: Local, w: Local, q: Local) => [
  ...get(a), ...get(u), ...get(v), op.f64Sub, op.f64Mul, ...get(b), ...get(w), ...get(q), op.f64Sub, op.f64Mul, op.f64Add, ...set(dst),
];
const mul = (x: Local, y: Local) => [...get(x), ...get(y), op.f64Mul];
const channel = (arr: Local, k: number) => [
  ...get('color'), ...get('c'), op.i32Add,
  ...get('l0'), ...loadF(arr, 'o0'), op.f64Mul,
  ...get('l1'), ...loadF(arr, 'o1'), op.f64Mul, op.f64Add,
  ...get('l2'), ...loadF(arr, 'o2'), op.f64Mul, op.f64Add,
  ...get('rz'), op.f64Mul, op.f32Demote,
  ...f32store(4 * k),
];

/**
 * A deferred pixel's 32-byte record (see `deferredPixel`): byte offsets of its depth (float32),
 * winning triangle (int32, its offset into the index list) and λ0, λ1, λ2 (float64); pixel p's
 * record starts at rec + (p << shift).
 */
const REC = { shift: 5, depth: 0, triangle: 4, l0: 8, l1: 16, l2: 24 } as const;
/** The address of the record of the pixel whose index is in local `p` (an i32 on the stack). */
const recordOf = (p: Local) => [...get('rec'), ...get(p), ...i32const(REC.shift), op.i32Shl, op.i32Add];

/**
 * Eager drawing: the nearer-than test against the z-buffer, and what a pixel that a triangle wins
 * gets: its depth, coverage and colour.
 */
const eagerPixel = [
  get('p'), i32const(2), [op.i32Shl], set('c'),
  get('z'), get('depth'), get('c'), [op.i32Add], f32load(), [op.f64Promote], [op.f64Le], brIf(0),
  get('depth'), get('c'), [op.i32Add], get('z'), [op.f32Demote], f32store(),
  get('cov'), get('p'), [op.i32Add], i32const(1), i32store8,
  f64const(1), get('z'), [op.f64Div], set('rz'),
  get('p'), i32const(12), [op.i32Mul], set('c'),
  channel('rw', 0), channel('gw', 1), channel('bw', 2),
];
/**
 * Deferred drawing keeps, per pixel, one 32-byte record: its depth (float32, what the z-buffer
 * holds), the winning triangle (its offset into the index list) and the float64 λ0, λ1, λ2 its
 * colour is computed from (see `DeferredRaster`). The test reads the depth from the record and a
 * win writes the same record, so a win touches one cache line (separate depth, triangle and λ
 * arrays cost a cache miss each, and with a mesh whose triangle order jumps about the frame they
 * miss often). Records are not cleared: a pixel not yet covered counts as depth 0, as a cleared
 * z-buffer does.
 */
const deferredPixel = [
  recordOf('p'), set('c'),
  // Not nearer: covered ? z <= the record's depth : z <= 0.
  get('z'), get('c'), f32load(REC.depth), [op.f64Promote], [op.f64Le],
  get('z'), f64const(0), [op.f64Le],
  get('cov'), get('p'), [op.i32Add], i32load8u(),
  [op.select], brIf(0),
  get('c'), get('z'), [op.f32Demote], f32store(REC.depth),
  get('c'), get('t'), i32store(REC.triangle),
  get('c'), get('l0'), f64store(REC.l0), get('c'), get('l1'), f64store(REC.l1), get('c'), get('l2'), f64store(REC.l2),
  get('cov'), get('p'), [op.i32Add], i32const(1), i32store8,
];

/** Whether the pixel at (e0, e1, e2) is outside the triangle (i32). */
const outside = [
  ...get('e0'), ...f64const(0), op.f64Lt, ...get('e1'), ...f64const(0), op.f64Lt, op.i32Or, ...get('e2'), ...f64const(0), op.f64Lt, op.i32Or,
];
/** One pixel to the right: the edge functions step by a_k. */
const step = [
  ...get('e0'), ...get('a0'), op.f64Add, ...set('e0'),
  ...get('e1'), ...get('a1'), op.f64Add, ...set('e1'),
  ...get('e2'), ...get('a2'), op.f64Add, ...set('e2'),
  ...get('p'), ...i32const(1), op.i32Add, ...set('p'),
  ...get('px'), ...i32const(1), op.i32Add, ...set('px'),
];

/**
 * Tiles of the coarse depth buffer are 2^TILE_SHIFT pixels on a side. At 112 px, of the ~1,530
 * interior triangles per built-in image that reach the test, tiles of 1, 2, 4 and 8 pixels skip
 * ~1,225, ~1,110, ~920 and ~680; 2 and 4 gave the fastest draws (within the noise of each other),
 * 8 a slower one, and 1 (a depth read per box pixel) one slower than no test at all.
 */
export const TILE_SHIFT = 1;
/**
 * The tiles' memory: the number of triangles the last draw skipped (int32), the draw's number
 * (int32), then from TILE_BASE on per tile its smallest depth (float32) and the number of the
 * draw that built it (int32): a tile is built the first time a draw tests a triangle against it.
 */
const TILE_BASE = 16;
/**
 * The tile whose record is at `c` (see `hiddenTest`), built from the frame's records now: the
 * smallest depth over its pixels, a pixel not covered counting as 0, stamped with this draw's number.
 */
// prettier-ignore
const buildTile = [
  ...f64const(Infinity), ...set('tv'),
  ...get('ty'), ...i32const(TILE_SHIFT), op.i32Shl, ...set('py'),
  ...get('py'), ...i32const(1 << TILE_SHIFT), op.i32Add, ...set('ye'),
  ...get('ye'), ...get('size'), ...get('ye'), ...get('size'), op.i32LtS, op.select, ...set('ye'),
  ...get('tx'), ...i32const(TILE_SHIFT), op.i32Shl, ...i32const(1 << TILE_SHIFT), op.i32Add, ...set('xe'),
  ...get('xe'), ...get('size'), ...get('xe'), ...get('size'), op.i32LtS, op.select, ...set('xe'),
  ...loop(
    get('tx'), i32const(TILE_SHIFT), [op.i32Shl], set('px'),
    get('py'), get('size'), [op.i32Mul], get('px'), [op.i32Add], set('p'),
    loop(
      get('tv'),
      recordOf('p'), f32load(REC.depth), f32const(0), get('cov'), get('p'), [op.i32Add], i32load8u(), [op.select],
      [op.f64Promote], [op.f64Min], set('tv'),
      get('p'), i32const(1), [op.i32Add], set('p'),
      get('px'), i32const(1), [op.i32Add], set('px'),
      get('px'), get('xe'), [op.i32LtS], brIf(0),
    ),
    get('py'), i32const(1), [op.i32Add], set('py'),
    get('py'), get('ye'), [op.i32LtS], brIf(0),
  ),
  // tv is a float32 value (or +∞), so demoting it is exact.
  ...get('c'), ...get('tv'), op.f32Demote, ...f32store(TILE_BASE),
  ...get('c'), ...get('draw'), ...i32store(TILE_BASE + 4),
];

/** The tile (x, y) (built first if this draw has not), and a branch out `depth` levels unless it hides the triangle (NaN does not). */
// prettier-ignore
const tileHides = (x: Local, y: Local, depth: number): number[] => [
  ...get(x), ...set('tx'), ...get(y), ...set('ty'),
  ...get('tiles'), ...get('ty'), ...get('tw'), op.i32Mul, ...get('tx'), op.i32Add, ...i32const(3), op.i32Shl, op.i32Add, ...set('c'),
  ...block(get('c'), i32load(TILE_BASE + 4), get('draw'), [op.i32Eq], brIf(0), buildTile),
  ...get('zb'), ...get('c'), ...f32load(TILE_BASE), op.f64Promote, op.f64Le, op.i32Eqz, ...brIf(depth),
];
/** Whether the span x0 … x1 or y0 … y1 (inclusive) holds more than two (i32). */
const widerThanTwo = (x0: Local, x1: Local, y0: Local, y1: Local) => [
  ...get(x1), ...get(x0), op.i32Sub, ...i32const(1), op.i32GtS, ...get(y1), ...get(y0), op.i32Sub, ...i32const(1), op.i32GtS, op.i32Or,
];
/** A branch out `depth` levels unless pixel (x, y)'s depth (0 where not covered) hides the triangle. */
// prettier-ignore
const pixelHides = (x: Local, y: Local, depth: number): number[] => [
  ...get(y), ...get('size'), op.i32Mul, ...get(x), op.i32Add, ...set('p'),
  ...get('zb'),
  ...recordOf('p'), ...f32load(REC.depth), ...f32const(0), ...get('cov'), ...get('p'), op.i32Add, ...i32load8u(), op.select,
  op.f64Promote, op.f64Le, op.i32Eqz, ...brIf(depth),
];
/**
 * The hidden-triangle test (deferred drawing, triangles from `cull` on), placed where a triangle
 * is known to be front-facing, in front of the near plane and to have a pixel centre in its
 * clipped box. `tiles` holds, per tile of the frame, the smallest depth (as the records hold it)
 * over its pixels when the tile was built, or 0 where a pixel was not covered; depths only grow
 * during a draw, so the value stays a lower bound of every pixel's depth in the tile. A triangle
 * is skipped when a proven upper bound of every z it could compute at an inside pixel is at most
 * every tile value its box touches: then each of its pixels fails the depth test (z ≤ the stored
 * depth), so skipping draws exactly what drawing would.
 *
 * The bound. The inside pixels have computed e_k ≥ 0 and inv > 0, so l_k ≥ 0 and
 * z ≤ max(iw)·Σl_k·(1 + u)³ (u = 2⁻⁵³). With exact arithmetic Σe_k = −area at every pixel; the
 * computed e_k differ from the exact edge functions by the start of the row's rounding
 * (≤ 4.01u·2·Dx·Dy, with Dx, Dy the vertices' x and y extents: every pixel centre of the box lies
 * inside them) and at most u·(2Dx·Dy + 2.01Dy) more per step (N ≤ Dx steps), and the computed
 * area differs from the exact one by ≤ 8.01u·Dx·Dy, so
 * Σl_k ≤ (1 + u)²·(1 + 6.1u·(Dx + 7)·Dy·(Dx + 1.01) / |area|). Where
 * (Dx + 8)·(Dx + 2)·Dy ≤ 10⁸·|area| that is below 1 + 10⁻⁷, so z < max(iw)·(1 + 2⁻²⁰), the
 * value compared with the tiles. Slivers that fail the condition (their barycentrics can sum to far
 * more than 1) are drawn as usual, and so is everything whose area is not finite.
 *
 * Dx and Dy come from the snapped box before clipping, as integers: with X the largest ⌊x − ½⌋ and
 * x the smallest ⌈x − ½⌉ over the vertices, Dx < X − x + 2 (likewise Dy), and the bound only grows
 * with them, so the kernel tests (X − x + 10)(X − x + 4)(Y − y + 2) ≤ 10⁸·|area|. (Float min and
 * max of the coordinates cost more: V8 compiles f64.min/max to branches that mispredict here.)
 * An extent of 10⁵ or more is drawn: only then can a vertex have been clamped to ±10⁶ by the snap,
 * where the ints no longer bound its x.
 *
 * The test's order, cheapest first: a box of at most 2 × 2 pixels (half of the built-in model's
 * tested triangles) reads those pixels' depths; a box within 2 × 2 tiles tests them unrolled; a
 * larger one loops over its tiles.
 */
// prettier-ignore
const hiddenTest = [
  ...block(
    // max(iw) without f64.max (a branch V8 mispredicts here): the three are > 0 or NaN, whose
    // float32 bits compare as unsigned ints in the same order, any NaN above every number.
    bitsOf('o0'), set('tmp'),
    bitsOf('o1'), get('tmp'), bitsOf('o1'), get('tmp'), [op.i32GtU], [op.select], set('tmp'),
    bitsOf('o2'), get('tmp'), bitsOf('o2'), get('tmp'), [op.i32GtU], [op.select], set('tmp'),
    get('tmp'), [op.f32FromBits, op.f64Promote], f64const(1 + 2 ** -20), [op.f64Mul], set('zb'),
    block(
      block(
        // A box of at most 2 × 2 pixels (half the interior's): its pixels' depths, no tiles.
        widerThanTwo('minX', 'maxX', 'minY', 'maxY'), brIf(0),
        pixelHides('minX', 'minY', 2), pixelHides('maxX', 'minY', 2), pixelHides('minX', 'maxY', 2), pixelHides('maxX', 'maxY', 2),
        br(1),
      ),
      get('maxX'), i32const(TILE_SHIFT), [op.i32ShrS], set('tx1'),
      get('maxY'), i32const(TILE_SHIFT), [op.i32ShrS], set('ty1'),
      get('minY'), i32const(TILE_SHIFT), [op.i32ShrS], set('ty0'),
      get('minX'), i32const(TILE_SHIFT), [op.i32ShrS], set('tx0'),
      block(
        // At most 2 × 2 tiles (most triangles): the four tests unrolled, a corner repeated where the box spans one.
        widerThanTwo('tx0', 'tx1', 'ty0', 'ty1'), brIf(0),
        tileHides('tx0', 'ty0', 2), tileHides('tx1', 'ty0', 2), tileHides('tx0', 'ty1', 2), tileHides('tx1', 'ty1', 2),
        br(1),
      ),
      get('ty0'), set('ty'),
      loop(
        get('tx0'), set('tx'),
        loop(
          tileHides('tx', 'ty', 3),
          get('tx'), i32const(1), [op.i32Add], set('tx'),
          get('tx'), get('tx1'), [op.i32LeS], brIf(0),
        ),
        get('ty'), i32const(1), [op.i32Add], set('ty'),
        get('ty'), get('ty1'), [op.i32LeS], brIf(0),
      ),
    ),
    // Conditioning: (Dx + 8)(Dx + 2)·Dy ≤ 1e8·|area| and |area| finite, else draw.
    get('ex'), i32const(100000), [op.i32GeS], get('ey'), i32const(100000), [op.i32GeS], [op.i32Or], brIf(0),
    get('ex'), [op.f64FromI32], f64const(10), [op.f64Add], get('ex'), [op.f64FromI32], f64const(4), [op.f64Add], [op.f64Mul], get('ey'), [op.f64FromI32], f64const(2), [op.f64Add], [op.f64Mul],
    f64const(-1e8), get('area'), [op.f64Mul], [op.f64Le],
    f64const(-1e300), get('area'), [op.f64Lt], [op.i32And], [op.i32Eqz], brIf(0),
    // Hidden: count it (tiles[0], read by tests) and skip the triangle.
    get('tiles'), get('tiles'), i32load(), i32const(1), [op.i32Add], i32store(),
    br(1),
  ),
];

/** One triangle (the block is left early when it draws nothing); `t` is its offset into the index list. */
// prettier-ignore
const triangle = (deferred: boolean, culling: boolean): number[] =>
  block(
    get('tri'), get('t'), i32const(2), [op.i32Shl], [op.i32Add], set('o'),
    get('o'), i32load(), i32const(2), [op.i32Shl], set('o0'),
    get('o'), i32load(4), i32const(2), [op.i32Shl], set('o1'),
    get('o'), i32load(8), i32const(2), [op.i32Shl], set('o2'),
    pick3('minX', 'cx', true), pick3('maxX', 'fx', false),
    get('minX'), get('maxX'), [op.i32GtS], brIf(0),
    pick3('minY', 'cy', true), pick3('maxY', 'fy', false),
    get('minY'), get('maxY'), [op.i32GtS], brIf(0),
    loadF('x', 'o0'), set('x0'), loadF('y', 'o0'), set('y0'),
    loadF('x', 'o1'), set('x1'), loadF('y', 'o1'), set('y1'),
    loadF('x', 'o2'), set('x2'), loadF('y', 'o2'), set('y2'),
    // area = (x1 - x0)(y2 - y0) - (y1 - y0)(x2 - x0); only area < 0 is drawn.
    get('x1'), get('x0'), [op.f64Sub], get('y2'), get('y0'), [op.f64Sub], [op.f64Mul],
    get('y1'), get('y0'), [op.f64Sub], get('x2'), get('x0'), [op.f64Sub], [op.f64Mul], [op.f64Sub], set('area'),
    get('area'), f64const(0), [op.f64Lt], [0x45], brIf(0),
    culling ? [...get('maxX'), ...get('minX'), op.i32Sub, ...set('ex'), ...get('maxY'), ...get('minY'), op.i32Sub, ...set('ey')] : [],
    get('minX'), i32const(0), get('minX'), i32const(0), [op.i32GtS], [op.select], set('minX'),
    get('minY'), i32const(0), get('minY'), i32const(0), [op.i32GtS], [op.select], set('minY'),
    get('size'), i32const(1), [op.i32Sub], set('tmp'),
    get('maxX'), get('tmp'), get('maxX'), get('tmp'), [op.i32LtS], [op.select], set('maxX'),
    get('maxY'), get('tmp'), get('maxY'), get('tmp'), [op.i32LtS], [op.select], set('maxY'),
    get('minX'), get('maxX'), [op.i32GtS], get('minY'), get('maxY'), [op.i32GtS], [op.i32Or], brIf(0),
    loadF('iw', 'o0'), set('iw0'), loadF('iw', 'o1'), set('iw1'), loadF('iw', 'o2'), set('iw2'),
    get('iw0'), f64const(0), [op.f64Le], get('iw1'), f64const(0), [op.f64Le], [op.i32Or], get('iw2'), f64const(0), [op.f64Le], [op.i32Or], brIf(0),
    culling ? hiddenTest : [],
    get('y2'), get('y1'), [op.f64Sub], set('a0'), get('x1'), get('x2'), [op.f64Sub], set('b0'),
    get('y0'), get('y2'), [op.f64Sub], set('a1'), get('x2'), get('x0'), [op.f64Sub], set('b1'),
    get('y1'), get('y0'), [op.f64Sub], set('a2'), get('x0'), get('x1'), [op.f64Sub], set('b2'),
    f64const(-1), get('area'), [op.f64Div], set('inv'),
    get('minX'), [op.f64FromI32], f64const(0.5), [op.f64Add], set('px0'),
    get('minY'), set('py'),
    loop(
      get('py'), [op.f64FromI32], f64const(0.5), [op.f64Add], set('fyc'),
      edge('e0', 'a0', 'px0', 'x1', 'b0', 'fyc', 'y1'),
      edge('e1', 'a1', 'px0', 'x2', 'b1', 'fyc', 'y2'),
      edge('e2', 'a2', 'px0', 'x0', 'b2', 'fyc', 'y0'),
      get('py'), get('size'), [op.i32Mul], get('minX'), [op.i32Add], set('p'),
      get('minX'), set('px'),
      // A row's inside pixels are one run: each e_k changes by adding the same a_k at every
      // step, and a rounded sum moves the way a_k points (or stays), so e_k ≥ 0 holds on a
      // prefix or a suffix of the row and all three on an interval. So the row skips the
      // outside pixels before the run with the edge steps alone, draws the run, and ends at its
      // first outside pixel; the pixels drawn and their values are those of testing each one.
      block(
        block(
          loop(
            outside, [0x45], brIf(1),
            step,
            get('px'), get('maxX'), [op.i32LeS], brIf(0),
            br(2),
          ),
        ),
        loop(
          block(
            get('e0'), get('inv'), [op.f64Mul], set('l0'),
            get('e1'), get('inv'), [op.f64Mul], set('l1'),
            get('e2'), get('inv'), [op.f64Mul], set('l2'),
            mul('l0', 'iw0'), mul('l1', 'iw1'), [op.f64Add], mul('l2', 'iw2'), [op.f64Add], set('z'),
            ...(deferred ? deferredPixel : eagerPixel),
          ),
          step,
          get('px'), get('maxX'), [op.i32GtS], brIf(1),
          outside, [0x45], brIf(0),
        ),
      ),
      get('py'), i32const(1), [op.i32Add], set('py'),
      get('py'), get('maxY'), [op.i32LeS], brIf(0),
    ),
  );

/** The triangles from `t` on while t < `end`. */
const triangles = (deferred: boolean, culling: boolean): number[] => [
  ...block(loop(
    get('t'), get('end'), [op.i32GeS], brIf(1),
    triangle(deferred, culling),
    get('t'), i32const(3), [op.i32Add], set('t'), br(0),
  )),
];

// prettier-ignore
const body = (deferred: boolean): number[] => [
  // Snap: cx = ceil(x - 0.5), fx = floor(x - 0.5) per vertex (coordinates clamped to ±1e6 first).
  ...i32const(0), ...set('i'),
  ...block(loop(
    get('i'), get('nv'), [op.i32GeS], brIf(1),
    get('i'), i32const(2), [op.i32Shl], set('o'),
    loadF('x', 'o'), f64const(0.5), [op.f64Sub], set('xv'), clampCoord('xv'),
    loadF('y', 'o'), f64const(0.5), [op.f64Sub], set('yv'), clampCoord('yv'),
    storeSnap('cx', 'xv', op.f64Ceil), storeSnap('fx', 'xv', op.f64Floor),
    storeSnap('cy', 'yv', op.f64Ceil), storeSnap('fy', 'yv', op.f64Floor),
    get('i'), i32const(1), [op.i32Add], set('i'), br(0),
  )),
  ...i32const(0), ...set('t'),
  ...(deferred
    ? [
        // The triangles before `cull` as usual; then, if any are left, the tiles and the rest with the hidden test.
        ...get('tiles'), ...i32const(0), ...i32store(),
        ...get('size'), ...i32const((1 << TILE_SHIFT) - 1), op.i32Add, ...i32const(TILE_SHIFT), op.i32ShrS, ...set('tw'),
        // This draw's number; when it wraps round to 0, every tile's stamp is cleared first.
        ...get('tiles'), ...i32load(4), ...i32const(1), op.i32Add, ...set('draw'),
        ...block(
          get('draw'), brIf(0),
          i32const(0), set('i'),
          block(loop(
            get('i'), get('tw'), get('tw'), [op.i32Mul], [op.i32GeS], brIf(1),
            get('tiles'), get('i'), i32const(3), [op.i32Shl], [op.i32Add], i32const(0), i32store(TILE_BASE + 4),
            get('i'), i32const(1), [op.i32Add], set('i'), br(0),
          )),
          i32const(1), set('draw'),
        ),
        ...get('tiles'), ...get('draw'), ...i32store(4),
        ...get('cull'), ...get('nt'), ...get('cull'), ...get('nt'), op.i32LtS, op.select, ...set('end'),
        ...triangles(true, false),
        ...get('nt'), ...set('end'),
        ...triangles(true, true),
      ]
    : [...get('nt'), ...set('end'), ...triangles(false, false)]),
];

function moduleBytes(deferred: boolean): Uint8Array {
  return moduleOf('rasterize', fn.paramCount, fn.body(body(deferred)));
}

/** The exported function: every argument is a byte offset into the memory, or a count. */
export type WasmRasterize = (...args: number[]) => void;

/** The eager and the deferred rasteriser modules, each compiled on first use. */
const rasterModules = { eager: compileOnce(() => moduleBytes(false)), deferred: compileOnce(() => moduleBytes(true)) };

/**
 * Instantiates the rasteriser over a (non-shared) memory, or null where WebAssembly is missing.
 * `deferred`: the variant that records each pixel's winning triangle instead of its colour.
 */
export function wasmRasterizer(memory: { buffer: ArrayBuffer | SharedArrayBuffer }, deferred = false): WasmRasterize | null {
  const mod = (deferred ? rasterModules.deferred : rasterModules.eager)();
  if (!mod) return null;
  const inst = new wasm.Instance(mod, { env: { memory } });
  return (inst.exports as { rasterize: WasmRasterize }).rasterize;
}

/**
 * The end of a deferred draw, per pixel of the frame: a covered pixel gets its depth from its record
 * and its colour (λ0·cw[i0] + λ1·cw[i1] + λ2·cw[i2]) · (1/z) per channel, with z = Σ λk·iw[ik]: the
 * float64 expressions of eager drawing (`eagerPixel`, the same order), so the same bits. An
 * uncovered pixel gets depth and colour 0, as a cleared frame holds.
 */
function resolveModuleBytes(): Uint8Array {
  const RP = ['cov', 'rec', 'tri', 'iw', 'rw', 'gw', 'bw', 'color', 'depth', 'np'] as const;
  const RI = ['p', 'o', 'o0', 'o1', 'o2', 'c', 'q'] as const;
  const RF = ['l0', 'l1', 'l2', 'z', 'rz'] as const;
  type R = (typeof RP)[number] | (typeof RI)[number] | (typeof RF)[number];
  const r = locals<R>(RP, RI, RF);
  const load = (arr: R, off: R) => [...r.get(arr), ...r.get(off), op.i32Add, ...f32load(), op.f64Promote];
  const term = (l: R, arr: R, off: R) => [...r.get(l), ...load(arr, off), op.f64Mul];
  const colour = (arr: R, k: number) => [
    ...r.get('c'), ...term('l0', arr, 'o0'), ...term('l1', arr, 'o1'), op.f64Add, ...term('l2', arr, 'o2'), op.f64Add,
    ...r.get('rz'), op.f64Mul, op.f32Demote, ...f32store(4 * k),
  ];
  const depthAt = [...r.get('depth'), ...r.get('p'), ...i32const(2), op.i32Shl, op.i32Add];
  const code = [
    ...i32const(0), ...r.set('p'),
    ...block(loop(
      r.get('p'), r.get('np'), [op.i32GeS], brIf(1),
      r.get('color'), r.get('p'), i32const(12), [op.i32Mul], [op.i32Add], r.set('c'),
      block(
        block(
          r.get('cov'), r.get('p'), [op.i32Add], i32load8u(), i32const(1), [op.i32Eq], brIf(0),
          depthAt, f32const(0), f32store(),
          r.get('c'), f32const(0), f32store(0), r.get('c'), f32const(0), f32store(4), r.get('c'), f32const(0), f32store(8),
          br(1),
        ),
        r.get('rec'), r.get('p'), i32const(REC.shift), [op.i32Shl], [op.i32Add], r.set('q'),
        r.get('q'), i32load(REC.triangle), i32const(2), [op.i32Shl], r.get('tri'), [op.i32Add], r.set('o'),
        r.get('o'), i32load(0), i32const(2), [op.i32Shl], r.set('o0'),
        r.get('o'), i32load(4), i32const(2), [op.i32Shl], r.set('o1'),
        r.get('o'), i32load(8), i32const(2), [op.i32Shl], r.set('o2'),
        r.get('q'), f64load(REC.l0), r.set('l0'), r.get('q'), f64load(REC.l1), r.set('l1'), r.get('q'), f64load(REC.l2), r.set('l2'),
        term('l0', 'iw', 'o0'), term('l1', 'iw', 'o1'), [op.f64Add], term('l2', 'iw', 'o2'), [op.f64Add], r.set('z'),
        f64const(1), r.get('z'), [op.f64Div], r.set('rz'),
        colour('rw', 0), colour('gw', 1), colour('bw', 2),
        depthAt, r.get('q'), f32load(REC.depth), f32store(),
      ),
      r.get('p'), i32const(1), [op.i32Add], r.set('p'),
      br(0),
    )),
  ];
  return moduleOf('resolve', r.paramCount, r.body(code));
}

const resolveModule = compileOnce(resolveModuleBytes);
/** The colour resolve over `memory`, or null where WebAssembly is missing. */
function wasmResolver(memory: { buffer: ArrayBuffer | SharedArrayBuffer }): WasmRasterize | null {
  const mod = resolveModule();
  if (!mod) return null;
  const inst = new wasm.Instance(mod, { env: { memory } });
  return (inst.exports as { resolve: WasmRasterize }).resolve;
}

/**
 * Deferred drawing: the same depth test, depth and coverage as `draw`, but each pixel keeps the
 * triangle that won it and the float64 values its colour is computed from (λ0, λ1, λ2), not its
 * colour. Colour is then Σ λk·cw[ik] / z, computed for the winners only (`resolve`), which needs
 * shaded vertices only where some pixel shows them (about a fifth of a face's at 112 px).
 */
/** Int32s per pixel record of a deferred draw (32 bytes: depth, triangle, λ0, λ1, λ2 as f32, i32, 3 × f64). */
export const RECORD_INTS = (1 << REC.shift) / 4;
/** Where in a pixel's record its winning triangle (its offset into the index list) is. */
export const RECORD_TRIANGLE = REC.triangle / 4;

export interface DeferredRaster {
  /** Per-pixel records of RECORD_INTS int32: pixel p's winning triangle is `records[RECORD_INTS·p + RECORD_TRIANGLE]`, where the frame covers p. */
  readonly records: Int32Array;
  /** Clears the coverage and draws coverage and the records; the frame's depth and colour are valid after `resolve`. */
  draw(): void;
  /** The frame's depth and colour (0 where uncovered) from the records and the screen vertices' shaded colours (`rw`, `gw`, `bw`): the same bits as `draw` of the target. */
  resolve(): void;
  /**
   * The first triangle (its number, not its offset) that `draw` tests against the coarse depth
   * buffer before drawing it (see `hiddenTest`); the triangle count: none. The frame is the same
   * for every value, only the time differs.
   */
  readonly hiddenFrom: number;
  /** How many triangles the last `draw` skipped as hidden. */
  readonly skipped: number;
}

/** A frame, its screen vertices and triangles, and how to draw them (WebAssembly when available). */
export interface RasterTarget {
  readonly frame: Frame;
  readonly screen: ScreenVertices;
  readonly triangles: Uint32Array;
  /** Whether `draw` runs the WebAssembly rasteriser (else the JS one; same bits either way). */
  readonly wasm: boolean;
  /** Clears the frame and draws the triangles. */
  draw(): void;
  /** The deferred variant of `draw` (WebAssembly targets only). */
  readonly deferred?: DeferredRaster;
}

/**
 * Allocates everything one renderer rasterises into, inside one private WebAssembly memory when
 * possible (so the kernel reads the arrays in place), else as plain arrays.
 */
export function createRasterTarget(size: number, vertices: number, triangles: Uint32Array, useWasm = true, hiddenFrom = Infinity): RasterTarget {
  const n = vertices;
  const tw = (size + (1 << TILE_SHIFT) - 1) >> TILE_SHIFT;
  const layout: [string, number][] = [
    ['x', 4 * n], ['y', 4 * n], ['iw', 4 * n], ['rw', 4 * n], ['gw', 4 * n], ['bw', 4 * n],
    ['cx', 4 * n], ['fx', 4 * n], ['cy', 4 * n], ['fy', 4 * n],
    ['tri', 4 * triangles.length], ['color', 12 * size * size], ['depth', 4 * size * size], ['cov', size * size],
    ['rec', 4 * RECORD_INTS * size * size], ['tiles', TILE_BASE + 8 * tw * tw],
  ];
  const { ptr, pages } = packArrays(layout);
  const memory = useWasm ? new wasm.Memory({ initial: pages, maximum: pages, shared: false }) : null;
  const run = memory ? wasmRasterizer(memory) : null;
  const runDeferred = memory ? wasmRasterizer(memory, true) : null;
  const runResolve = memory ? wasmResolver(memory) : null;
  if (!memory || !run) {
    const frame = createFrame(size);
    const screen = createScreenVertices(n);
    const tri = new Uint32Array(triangles);
    return { frame, screen, triangles: tri, wasm: false, draw: () => (clearFrame(frame), rasterize(frame, screen, tri)) };
  }
  const buf = memory.buffer as ArrayBuffer;
  const f = (name: string, len: number) => new Float32Array(buf, ptr[name]!, len);
  const i = (name: string) => new Int32Array(buf, ptr[name]!, n);
  const screen: ScreenVertices = { x: f('x', n), y: f('y', n), iw: f('iw', n), rw: f('rw', n), gw: f('gw', n), bw: f('bw', n), cx: i('cx'), fx: i('fx'), cy: i('cy'), fy: i('fy') };
  const frame: Frame = { size, color: f('color', 3 * size * size), invDepth: f('depth', size * size), coverage: new Uint8Array(buf, ptr.cov!, size * size) };
  const tri = new Uint32Array(buf, ptr.tri!, triangles.length);
  tri.set(triangles);
  // The kernel takes the first hidden-tested triangle as an offset into the index list.
  const cullFrom = 3 * Math.min(Math.max(Math.floor(hiddenFrom), 0), triangles.length / 3);
  const args = [ptr.x!, ptr.y!, ptr.iw!, ptr.rw!, ptr.gw!, ptr.bw!, ptr.cx!, ptr.fx!, ptr.cy!, ptr.fy!, ptr.tri!, triangles.length, n, ptr.color!, ptr.depth!, ptr.cov!, size, ptr.rec!, cullFrom, ptr.tiles!];
  const skipped = new Int32Array(buf, ptr.tiles!, 1);
  const resolveArgs = [ptr.cov!, ptr.rec!, ptr.tri!, ptr.iw!, ptr.rw!, ptr.gw!, ptr.bw!, ptr.color!, ptr.depth!, size * size];
  const deferred: DeferredRaster | undefined = runDeferred && runResolve
    ? {
        records: new Int32Array(buf, ptr.rec!, RECORD_INTS * size * size),
        draw: () => {
          // Depth and colour are all rewritten by resolve; the records need no clearing (see deferredPixel).
          frame.coverage.fill(0);
          runDeferred(...args);
        },
        resolve: () => runResolve(...resolveArgs),
        hiddenFrom: cullFrom / 3,
        get skipped() {
          return skipped[0]!;
        },
      }
    : undefined;
  return {
    frame,
    screen,
    triangles: tri,
    wasm: true,
    draw: () => {
      clearFrame(frame);
      run(...args);
    },
    ...(deferred ? { deferred } : {}),
  };
}
