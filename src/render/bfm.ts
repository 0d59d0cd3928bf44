import fs, { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { NodeFailure } from '../node/index.js';
import { orientOutward, transposeBasis, type ModelLandmark, type MorphableModel, type PcaBlock } from './model.js';

/**
 * Loads a Basel Face Model 2017 HDF5 file: groups `shape`, `color`, `expression`, each with
 * `model/{mean, pcaBasis, pcaVariance}` and `representer/cells` (3 × T); landmarks from
 * `metadata/landmarks/json` when present. A file without an `expression` group loads with no
 * expression components. Every numeric type HDF5 stores (float16/32/64, integers) is read. Bad
 * files are NodeFailures naming the file and the dataset inside it: missing or mis-shaped
 * datasets, a truncated file, NaN or infinite means and bases, negative variances and triangles
 * that name vertices the model does not have (which would otherwise render as missing faces).
 */
export async function loadBfmModel(file: string): Promise<MorphableModel> {
  const abs = path.resolve(file);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new NodeFailure(`model file ${file}: not found`, 'download the BFM 2017 file (e.g. model2017-1_face12_nomouth.h5) and point `model "path.h5"` at it');
  }
  if (!st.isFile()) {
    const what = st.isDirectory() ? 'a folder' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isFIFO() ? 'a named pipe' : 'not a regular file';
    throw new NodeFailure(`model file ${file}: is ${what}, not a file`, 'point `model "path.h5"` at a BFM 2017 .h5 file');
  }
  if (!hasHdf5Signature(abs)) {
    throw new NodeFailure(`model file ${file}: not a readable HDF5 file (no HDF5 signature)`, 'point `model` at a BFM 2017 .h5 file');
  }
  const module = await h5wasm.ready;
  return quietly(() => {
    let f: InstanceType<typeof h5wasm.File>;
    try {
      f = new h5wasm.File(abs, 'r');
    } catch (e) {
      throw new NodeFailure(`model file ${file}: not a readable HDF5 file (${h5Message(e)})`, 'point `model` at a BFM 2017 .h5 file');
    }
    try {
      const read = reader(module, f, file);
      const shape = block(read, file, 'shape', null);
      const n3 = shape.mean.length;
      if (n3 === 0 || n3 % 3 !== 0) fail(file, 'shape/model/mean', `has ${n3} values, not a positive multiple of 3`);
      const color = block(read, file, 'color', n3);
      const expression = has(f, 'expression') ? block(read, file, 'expression', n3) : emptyBlock(n3);
      const triangles = cells(read, file, n3 / 3);
      const landmarks = readLandmarks(f, file, shape.mean);
      return {
        uri: abs,
        vertexCount: n3 / 3,
        triangles: orientOutward(shape.mean, triangles),
        shape,
        color,
        expression,
        landmarks,
      };
    } catch (e) {
      if (e instanceof NodeFailure) throw e;
      // h5wasm opens a truncated file and then fails on the first read with messages such as
      // "error - name not defined!" (which says nothing to a user): the file is what is wrong.
      void e;
      throw new NodeFailure(`model file ${file}: the HDF5 file is truncated or damaged (its groups cannot be read)`, 'copy or download the .h5 file again; a BFM 2017 file is about 100 MB to 1 GB');
    } finally {
      f.close();
    }
  });
}

/**
 * Runs `fn` with the HDF5 library's own error dump silenced: on a damaged file it prints ~45 lines
 * of `HDF5-DIAG: Error detected…` before throwing; synx reports the problem in one line. h5wasm
 * is built with NODERAWFS, so the C library's stderr is `fs.writeSync(2, …)`, not process.stderr:
 * writes to descriptor 2 are dropped while `fn` runs (it is synchronous, and writes nothing else).
 */
function quietly<T>(fn: () => T): T {
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (fd === 2) {
      const data = rest[0];
      return typeof data === 'string' ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? ((rest[2] as number | undefined) ?? data.byteLength) : 0;
    }
    return (writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  try {
    return fn();
  } finally {
    fs.writeSync = writeSync;
  }
}

/** h5wasm throws strings and Errors alike. */
function h5Message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** HDF5 files start with a signature at offset 0, 512, 1024, 2048, … (after an optional user block). */
function hasHdf5Signature(file: string): boolean {
  const sig = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      readSync(fd, buf, 0, 8, off);
      if (buf.equals(sig)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

type H5File = InstanceType<typeof h5wasm.File>;

function fail(file: string, dataset: string, what: string): never {
  throw new NodeFailure(`model file ${file}: dataset '${dataset}' ${what}`, 'the file must follow the BFM 2017 layout (shape|color|expression/model/{mean,pcaBasis,pcaVariance}, shape/representer/cells)');
}

/** Whether a path exists, walking group keys so that HDF5 prints no diagnostics for missing ones. */
function has(f: H5File, p: string): boolean {
  let g: unknown = f;
  for (const part of p.split('/')) {
    if (!(g instanceof h5wasm.Group) || !g.keys().includes(part)) return false;
    g = g.get(part);
  }
  return g != null;
}

/** Reads a numeric dataset as float64 values with its shape; fails naming what is wrong. */
type Reader = (p: string) => { value: Float64Array; shape: number[] };

function reader(module: Awaited<typeof h5wasm.ready>, f: H5File, file: string): Reader {
  return (p) => {
    const d: unknown = has(f, p) ? f.get(p) : null;
    if (d === null || d === undefined || !(d instanceof h5wasm.Dataset)) fail(file, p, 'is missing');
    const ds = d as InstanceType<typeof h5wasm.Dataset>;
    let meta;
    try {
      meta = ds.metadata;
    } catch (e) {
      fail(file, p, `cannot be read: the file is truncated or damaged (${h5Message(e)})`);
    }
    const shape = (meta.shape ?? []).map(Number);
    const isInt = meta.type === module.H5T_class_t.H5T_INTEGER.value;
    const isFloat = meta.type === module.H5T_class_t.H5T_FLOAT.value;
    if (!(isInt && [1, 2, 4, 8].includes(meta.size)) && !(isFloat && [2, 4, 8].includes(meta.size))) {
      fail(file, p, `has type ${describeType(module, meta.type, meta.size)}, not a number type (float16/32/64 or an integer)`);
    }
    let value: Float64Array;
    try {
      if (isFloat && meta.size === 2) value = halfFloats(module, ds, meta.total_size, meta.littleEndian);
      else {
        const v = ds.value as unknown;
        if (!ArrayBuffer.isView(v)) fail(file, p, 'is not numeric');
        // Cast: h5wasm gives a numeric dataset as a typed array, but ArrayBufferView's type (which
        // also covers DataView) does not say it is indexable.
        value = Float64Array.from(v as unknown as ArrayLike<number | bigint>, Number);
      }
    } catch (e) {
      if (e instanceof NodeFailure) throw e;
      fail(file, p, `cannot be read: the file is truncated or damaged (${h5Message(e)})`);
    }
    return { value, shape };
  };
}

/** float16 data (h5wasm has no container for it on Node 20): the raw bytes, decoded here. */
function halfFloats(module: Awaited<typeof h5wasm.ready>, ds: InstanceType<typeof h5wasm.Dataset>, n: number, littleEndian: boolean): Float64Array {
  const ptr = module._malloc(Math.max(2, 2 * n));
  let bytes: Uint8Array;
  try {
    module.get_dataset_data(ds.file_id, ds.path, null, null, null, BigInt(ptr));
    bytes = module.HEAPU8.slice(ptr, ptr + 2 * n);
  } finally {
    module._free(ptr);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(2 * i, littleEndian));
  return out;
}

/** IEEE 754 binary16 to a number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function describeType(module: Awaited<typeof h5wasm.ready>, type: number, size: number): string {
  const name = Object.entries(module.H5T_class_t).find(([, v]) => (v as { value?: number }).value === type)?.[0] ?? `class ${type}`;
  return `${name.replace(/^H5T_/, '').toLowerCase()} of ${size} byte${size === 1 ? '' : 's'}`;
}

/** The first index whose value is not finite (or, with `nonNegative`, is below 0), or -1. */
function firstBad(values: Float64Array, nonNegative = false): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || (nonNegative && v < 0)) return i;
  }
  return -1;
}

function block(read: Reader, file: string, name: string, n3: number | null): PcaBlock {
  const mean = read(`${name}/model/mean`);
  const basis = read(`${name}/model/pcaBasis`);
  const variance = read(`${name}/model/pcaVariance`);
  const m = mean.value.length;
  if (n3 !== null && m !== n3) fail(file, `${name}/model/mean`, `has ${m} values but the shape has ${n3}`);
  const k = variance.value.length;
  if (basis.shape.length !== 2 || basis.shape[0] !== m || basis.shape[1] !== k) {
    fail(file, `${name}/model/pcaBasis`, `has shape [${basis.shape.join(', ')}], expected [${m}, ${k}]`);
  }
  // A NaN or an infinity in the model makes vertices NaN, and their triangles vanish from the
  // images without an error; a negative variance makes the sampled coefficient NaN (its sqrt).
  for (const [p, d, nonNegative] of [
    [`${name}/model/mean`, mean, false],
    [`${name}/model/pcaBasis`, basis, false],
    [`${name}/model/pcaVariance`, variance, true],
  ] as const) {
    const i = firstBad(d.value, nonNegative);
    if (i >= 0) {
      const at = d.shape.length === 2 ? `[${Math.floor(i / d.shape[1]!)}, ${i % d.shape[1]!}]` : `[${i}]`;
      fail(file, p, `has ${d.value[i]} at index ${at}${nonNegative ? '; variances must be finite and not negative' : '; values must be finite'}`);
    }
  }
  return {
    mean: Float32Array.from(mean.value),
    basis: transposeBasis(basis.value, m, k),
    variance: Float32Array.from(variance.value),
    components: k,
  };
}

function emptyBlock(n3: number): PcaBlock {
  return { mean: new Float32Array(n3), basis: new Float32Array(0), variance: new Float32Array(0), components: 0 };
}

function cells(read: Reader, file: string, n: number): Uint32Array {
  const p = 'shape/representer/cells';
  const c = read(p);
  if (c.shape.length !== 2 || c.shape[0] !== 3) fail(file, p, `has shape [${c.shape.join(', ')}], expected [3, T]`);
  const t = c.shape[1]!;
  const out = new Uint32Array(3 * t);
  for (let i = 0; i < t; i++) {
    for (let k = 0; k < 3; k++) {
      const v = Number(c.value[k * t + i]);
      if (!(v >= 0 && v < n && Number.isInteger(v))) fail(file, p, `has ${v} at index [${k}, ${i}] (triangle ${i}), not a vertex index of the ${n} vertices (0 to ${n - 1})`);
      out[3 * i + k] = v;
    }
  }
  return out;
}

function readLandmarks(f: H5File, file: string, mean: Float32Array): ModelLandmark[] {
  const p = 'metadata/landmarks/json';
  if (!has(f, p)) return [];
  let list: unknown;
  try {
    const v = (f.get(p) as InstanceType<typeof h5wasm.Dataset>).value as unknown;
    list = JSON.parse(Array.isArray(v) ? String(v[0]) : String(v));
  } catch (e) {
    fail(file, p, `is not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) fail(file, p, 'is not a JSON list of {id, coordinates}');
  const out: ModelLandmark[] = [];
  for (const l of list as { id?: unknown; coordinates?: unknown }[]) {
    if (typeof l.id !== 'string' || !Array.isArray(l.coordinates) || l.coordinates.length !== 3) continue;
    const [x, y, z] = l.coordinates.map(Number) as [number, number, number];
    let best = 0;
    let bd = Infinity;
    for (let i = 0; i < mean.length / 3; i++) {
      const d = (mean[3 * i]! - x) ** 2 + (mean[3 * i + 1]! - y) ** 2 + (mean[3 * i + 2]! - z) ** 2;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    out.push({ name: l.id, vertex: best });
  }
  return out;
}
