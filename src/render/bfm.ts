import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { NodeFailure } from '../exec/kind.js';
import { orientOutward, transposeBasis, type ModelLandmark, type MorphableModel, type PcaBlock } from './model.js';

/**
 * Loads a Basel Face Model 2017 HDF5 file: groups `shape`, `color`, `expression`, each with
 * `model/{mean, pcaBasis, pcaVariance}` and `representer/cells` (3 × T); landmarks from
 * `metadata/landmarks/json` when present. A file without an `expression` group loads with no
 * expression components. Bad files are NodeFailures naming the file and the dataset inside it.
 */
export async function loadBfmModel(file: string): Promise<MorphableModel> {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new NodeFailure(`model file ${file}: not found`, 'download the BFM 2017 file (e.g. model2017-1_face12_nomouth.h5) and point `model "path.h5"` at it');
  }
  if (!hasHdf5Signature(abs)) {
    throw new NodeFailure(`model file ${file}: not a readable HDF5 file (no HDF5 signature)`, 'point `model` at a BFM 2017 .h5 file');
  }
  await h5wasm.ready;
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(abs, 'r');
  } catch (e) {
    throw new NodeFailure(`model file ${file}: not a readable HDF5 file (${(e as Error).message})`, 'point `model` at a BFM 2017 .h5 file');
  }
  try {
    const shape = block(f, file, 'shape', null);
    const n3 = shape.mean.length;
    if (n3 === 0 || n3 % 3 !== 0) fail(file, 'shape/model/mean', `has ${n3} values, not a positive multiple of 3`);
    const color = block(f, file, 'color', n3);
    const expression = has(f, 'expression') ? block(f, file, 'expression', n3) : emptyBlock(n3);
    const triangles = cells(f, file, n3 / 3);
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
  } finally {
    f.close();
  }
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

function dataset(f: H5File, file: string, p: string): { value: ArrayLike<number>; shape: number[] } {
  const d: unknown = has(f, p) ? f.get(p) : null;
  if (d === null || d === undefined || !(d instanceof h5wasm.Dataset)) fail(file, p, 'is missing');
  const ds = d as InstanceType<typeof h5wasm.Dataset>;
  const value = ds.value as unknown;
  if (!ArrayBuffer.isView(value)) fail(file, p, 'is not numeric');
  return { value: value as unknown as ArrayLike<number>, shape: (ds.shape ?? []).map(Number) };
}

function block(f: H5File, file: string, name: string, n3: number | null): PcaBlock {
  const mean = dataset(f, file, `${name}/model/mean`);
  const basis = dataset(f, file, `${name}/model/pcaBasis`);
  const variance = dataset(f, file, `${name}/model/pcaVariance`);
  const m = mean.value.length;
  if (n3 !== null && m !== n3) fail(file, `${name}/model/mean`, `has ${m} values but the shape has ${n3}`);
  const k = variance.value.length;
  if (basis.shape.length !== 2 || basis.shape[0] !== m || basis.shape[1] !== k) {
    fail(file, `${name}/model/pcaBasis`, `has shape [${basis.shape.join(', ')}], expected [${m}, ${k}]`);
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

function cells(f: H5File, file: string, n: number): Uint32Array {
  const p = 'shape/representer/cells';
  const c = dataset(f, file, p);
  if (c.shape.length !== 2 || c.shape[0] !== 3) fail(file, p, `has shape [${c.shape.join(', ')}], expected [3, T]`);
  const t = c.shape[1]!;
  const out = new Uint32Array(3 * t);
  for (let i = 0; i < t; i++) {
    for (let k = 0; k < 3; k++) {
      const v = Number(c.value[k * t + i]);
      if (!(v >= 0 && v < n && Number.isInteger(v))) fail(file, p, `refers to vertex ${v} of ${n}`);
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
