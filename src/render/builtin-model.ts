import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ExpressionPrior } from './expression-prior.js';
import { orientOutward, type ColorPrior, type ModelLandmark, type MorphableModel, type PcaBlock } from './model.js';

/**
 * The built-in model's file format: `<name>.json` (this header) beside `<name>.bin.gz`, which holds,
 * gzipped and little-endian: shape mean (3N float32), colour mean (3N float32), triangles
 * (3T uint32), then per block (shape, colour, expression) k float32 scales and 3N × k int16
 * components (row-major; with `layout: 'columns'` each component's 3N codes are contiguous instead,
 * which gzip compresses far better for sparse fields such as blendshapes). A component is the
 * displacement of one standard deviation (of one unit of activation for a blendshape); the loader
 * turns each into a unit basis column and its variance.
 */
/** The optional fields a model file's header carries over from the generator to the renderer's model. */
export interface BuiltinModelOptions {
  /** Per colour component: drawn once per identity (default) or per image. */
  readonly colorPer?: readonly ('identity' | 'image')[];
  /** Per colour component: 'normal' (default) or 'rectified' (see MorphableModel.colorPrior). */
  readonly colorPrior?: readonly ColorPrior[];
  /** The first triangle of the parts that show only through openings (see MorphableModel.hiddenFrom). */
  readonly hiddenFrom?: number;
  /** Present when the expression block holds blendshapes weighted in [0, 1] by this prior. */
  readonly expressionPrior?: ExpressionPrior;
}

export interface BuiltinModelHeader extends BuiltinModelOptions {
  readonly format: 'synx-builtin-model';
  readonly version: number;
  readonly vertices: number;
  readonly triangles: number;
  readonly blocks: {
    readonly shape: readonly string[];
    readonly color: readonly string[];
    readonly expression: readonly string[];
  };
  readonly landmarks: readonly ModelLandmark[];
  readonly note: string;
  /** 'columns': component-major codes (absent: vertex-major, the version-1 layout). */
  readonly layout?: 'columns';
}

/** What the generator script hands to `encodeBuiltinModel`. */
export interface BuiltinModelSource extends BuiltinModelOptions {
  readonly shapeMean: Float32Array;
  readonly colorMean: Float32Array;
  readonly triangles: Uint32Array;
  /** Per block: component names and displacement-per-sd fields (3N each). */
  readonly shape: readonly { readonly name: string; readonly field: Float32Array }[];
  readonly color: readonly { readonly name: string; readonly field: Float32Array }[];
  readonly expression: readonly { readonly name: string; readonly field: Float32Array }[];
  readonly landmarks: readonly ModelLandmark[];
  readonly version: number;
  readonly note: string;
  /**
   * A fixed quantisation step per block (field units): codes are round(field / step), so a small
   * component gets small codes that gzip packs tightly; the error is at most step / 2 per value.
   * Without one (and always when a component is too large for it) the step is max |field| / 32767.
   * Setting any step also selects the component-major layout.
   */
  readonly steps?: { readonly shape?: number; readonly color?: number; readonly expression?: number };
}

const BLOCKS = ['shape', 'color', 'expression'] as const;

/** The options that are set, in the order the header has always written them (its bytes stay the same). */
function optionsOf(o: BuiltinModelOptions): BuiltinModelOptions {
  return {
    ...(o.colorPer ? { colorPer: o.colorPer } : {}),
    ...(o.colorPrior ? { colorPrior: o.colorPrior } : {}),
    ...(o.hiddenFrom !== undefined ? { hiddenFrom: o.hiddenFrom } : {}),
    ...(o.expressionPrior ? { expressionPrior: o.expressionPrior } : {}),
  };
}

/** Encodes a generated model into its header and gzipped body. */
export function encodeBuiltinModel(src: BuiltinModelSource): { header: BuiltinModelHeader; body: Buffer } {
  const n3 = src.shapeMean.length;
  const parts: Buffer[] = [
    Buffer.from(src.shapeMean.buffer, src.shapeMean.byteOffset, src.shapeMean.byteLength),
    Buffer.from(src.colorMean.buffer, src.colorMean.byteOffset, src.colorMean.byteLength),
    Buffer.from(src.triangles.buffer, src.triangles.byteOffset, src.triangles.byteLength),
  ];
  const columns = src.steps !== undefined;
  for (const b of BLOCKS) {
    const comps = src[b];
    const k = comps.length;
    const scales = new Float32Array(k);
    const q = new Int16Array(n3 * k);
    const step = src.steps?.[b];
    comps.forEach((c, j) => {
      let max = 0;
      for (let i = 0; i < n3; i++) max = Math.max(max, Math.abs(c.field[i]!));
      const s = Math.fround(step !== undefined ? Math.max(step, max / 32767) : max > 0 ? max / 32767 : 1);
      scales[j] = s;
      if (columns) for (let i = 0; i < n3; i++) q[j * n3 + i] = Math.round(c.field[i]! / s);
      else for (let i = 0; i < n3; i++) q[i * k + j] = Math.round(c.field[i]! / s);
    });
    parts.push(Buffer.from(scales.buffer), Buffer.from(q.buffer));
  }
  const header: BuiltinModelHeader = {
    format: 'synx-builtin-model',
    version: src.version,
    vertices: n3 / 3,
    triangles: src.triangles.length / 3,
    blocks: {
      shape: src.shape.map((c) => c.name),
      color: src.color.map((c) => c.name),
      expression: src.expression.map((c) => c.name),
    },
    landmarks: src.landmarks,
    note: src.note,
    ...(columns ? { layout: 'columns' as const } : {}),
    ...optionsOf(src),
  };
  return { header, body: gzipSync(Buffer.concat(parts), { level: 9 }) };
}

/** Decodes a built-in model from its header and gzipped body. */
export function decodeBuiltinModel(header: BuiltinModelHeader, gz: Uint8Array, uri: string): MorphableModel {
  const raw = gunzipSync(gz);
  // Copy into an aligned buffer: gunzip's Buffer may sit at any offset of a pooled ArrayBuffer.
  const buf = new Uint8Array(raw.length);
  buf.set(raw);
  const n3 = header.vertices * 3;
  let off = 0;
  const f32 = (count: number) => {
    // Copied out byte-wise: after an odd number of int16 codes the offset is not a multiple of 4.
    const a = new Float32Array(buf.slice(off, off + count * 4).buffer);
    off += count * 4;
    return a;
  };
  const shapeMean = f32(n3);
  const colorMean = f32(n3);
  const triangles = new Uint32Array(buf.buffer, off, header.triangles * 3).slice();
  off += header.triangles * 12;
  const blocks: PcaBlock[] = [];
  for (const b of BLOCKS) {
    const k = header.blocks[b].length;
    const scales = f32(k);
    const q = new Int16Array(buf.buffer, off, n3 * k);
    off += n3 * k * 2;
    const basis = new Float32Array(n3 * k);
    const norms = new Float64Array(k);
    const columns = header.layout === 'columns';
    for (let i = 0; i < n3; i++) {
      for (let j = 0; j < k; j++) {
        const v = q[columns ? j * n3 + i : i * k + j]! * scales[j]!;
        basis[j * n3 + i] = v;
        norms[j] = norms[j]! + v * v;
      }
    }
    const variance = new Float32Array(k);
    for (let j = 0; j < k; j++) variance[j] = norms[j]!;
    for (let j = 0; j < k; j++) {
      const nrm = Math.sqrt(norms[j]!);
      if (nrm > 0) for (let i = 0; i < n3; i++) basis[j * n3 + i] = basis[j * n3 + i]! / nrm;
    }
    const mean = b === 'shape' ? shapeMean : b === 'color' ? colorMean : new Float32Array(n3);
    blocks.push({ mean, basis, variance, components: k });
  }
  if (off !== buf.length) throw new Error(`builtin model ${uri}: ${buf.length - off} bytes left over`);
  return {
    uri,
    vertexCount: header.vertices,
    triangles: orientOutward(shapeMean, triangles),
    shape: blocks[0]!,
    color: blocks[1]!,
    expression: blocks[2]!,
    landmarks: header.landmarks,
    ...optionsOf(header),
    ...(header.expressionPrior ? { expressionNames: header.blocks.expression } : {}),
    colorNames: header.blocks.color,
  };
}

/** Base name of the built-in model's files under lib/models. */
export const BUILTIN_MODEL_NAME = 'builtin-face';
/** Base name of the procedural model's files (`model procedural`, synx's default before render kind 4). */
export const PROCEDURAL_MODEL_NAME = 'procedural-face';

/** The folder holding the built-in model (lib/models of the package, from src/ or dist/). */
export function builtinModelDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'lib', 'models');
    if (existsSync(path.join(candidate, `${BUILTIN_MODEL_NAME}.json`))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('the built-in model lib/models/builtin-face.json is missing from the synx package');
}

const cached = new Map<string, MorphableModel>();

/** The header (`<name>.json`) of a model shipped in lib/models: its components' names, landmarks, …, without decoding the model. */
export function builtinModelHeader(name: string = BUILTIN_MODEL_NAME): BuiltinModelHeader {
  return JSON.parse(readFileSync(path.join(builtinModelDir(), `${name}.json`), 'utf8')) as BuiltinModelHeader;
}

/**
 * Loads (once per thread) a model shipped in lib/models: the built-in ICT-derived face by default,
 * or the procedural one (`PROCEDURAL_MODEL_NAME`). Its uri is `builtin:<version>` or
 * `procedural:<version>`.
 */
export function loadBuiltinModel(name: string = BUILTIN_MODEL_NAME): MorphableModel {
  const hit = cached.get(name);
  if (hit) return hit;
  const header = builtinModelHeader(name);
  const body = readFileSync(path.join(builtinModelDir(), `${name}.bin.gz`));
  const kind = name === PROCEDURAL_MODEL_NAME ? 'procedural' : 'builtin';
  const m = decodeBuiltinModel(header, body, `${kind}:${header.version}`);
  cached.set(name, m);
  return m;
}
