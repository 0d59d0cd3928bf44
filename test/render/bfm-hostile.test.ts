import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { halfToNumber } from '../../src/render/bfm.js';
import { loadBfmModel } from '../../src/render/index.js';

// Model files a hostile-input probe and a careless user made (issues 14 and 15): each is refused
// with one line naming the file, the dataset inside it and what is wrong; every numeric type
// HDF5 stores is read. The .h5 fixtures are kept in fixtures-bfm/ (written by `model()` below
// when missing or with UPDATE_GOLDENS=1).
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures-bfm');

const N = 4;
const mean = [-50, -50, 0, 50, -50, 0, 50, 50, 0, -50, 50, 0];
const basis = Array.from({ length: 3 * N * 2 }, (_, i) => ((i * 7) % 5) / 8 - 0.25); // 12 × 2, exact in float16
const variance = [4, 1];

/** float → IEEE binary16 bits, for values exact in float16 (the fixtures use only those). */
function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 0x7e00 : v > 0 ? 0x7c00 : 0xfc00;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const e = Math.floor(Math.log2(a));
  const frac = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | frac;
}

type Put = { data: number[]; dtype?: string };
// h5wasm cannot write float16, so a float16 file is written as float32 datasets holding the
// half-float bytes, and the float32 datatype messages are then patched to IEEE binary16 (HDF5's
// datatype message: class, bit field, size, offset, precision, exponent/mantissa places, bias).
// The oldest file format keeps object headers free of checksums, so the patch is valid.
const FLOAT32_TYPE = Buffer.from([0x11, 0x20, 0x1f, 0x00, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0]);
const FLOAT16_TYPE = Buffer.from([0x11, 0x20, 0x0f, 0x00, 2, 0, 0, 0, 0, 0, 16, 0, 10, 5, 0, 10, 15, 0, 0, 0]);

async function writeModel(file: string, over: Record<string, Put | null> = {}): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w', { libver: ['earliest', 'v108'] });
  let halves = false;
  const put = (name: string, data: number[], shape: number[], dtype = '<f') => {
    const o = over[name];
    if (o === null) return;
    const d = o?.data ?? data;
    const t = o?.dtype ?? dtype;
    if (t === '<e') {
      halves = true;
      const packed = new Float32Array(d.length);
      new Uint16Array(packed.buffer).set(d.map(toHalf));
      f.create_dataset({ name, data: packed, shape, dtype: '<f' });
      return;
    }
    const typed =
      t === '<e' ? new Uint16Array(d.map(toHalf))
      : t === '<d' ? new Float64Array(d)
      : t === '<i' ? new Int32Array(d)
      : t === '<h' ? new Int16Array(d)
      : t === '<B' ? new Uint8Array(d)
      : t === '<q' ? new BigInt64Array(d.map(BigInt))
      : new Float32Array(d);
    f.create_dataset({ name, data: typed, shape, dtype: t });
  };
  for (const g of ['shape', 'color']) {
    f.create_group(g);
    f.create_group(`${g}/model`);
  }
  f.create_group('shape/representer');
  put('shape/model/mean', mean, [3 * N]);
  put('shape/model/pcaBasis', basis, [3 * N, 2]);
  put('shape/model/pcaVariance', variance, [2]);
  put('shape/representer/cells', [0, 0, 1, 2, 2, 3], [3, 2], '<i');
  put('color/model/mean', mean.map((_, i) => [0.5, 0.25, 0.75][i % 3]!), [3 * N]);
  put('color/model/pcaBasis', mean.map((_, i) => (i % 3 === 0 ? 0.125 : 0)), [3 * N, 1]);
  put('color/model/pcaVariance', [0.5], [1]);
  f.close();
  if (halves) {
    const bytes = readFileSync(file);
    for (let i = bytes.indexOf(FLOAT32_TYPE); i >= 0; i = bytes.indexOf(FLOAT32_TYPE, i + 1)) FLOAT16_TYPE.copy(bytes, i);
    writeFileSync(file, bytes);
  }
}

const FIXTURES: Record<string, Record<string, Put | null>> = {
  'good.h5': {},
  // Every float dataset is float16 here (the byte patch changes every float32 datatype).
  'float16.h5': {
    'shape/model/mean': { data: mean, dtype: '<e' },
    'shape/model/pcaBasis': { data: basis, dtype: '<e' },
    'shape/model/pcaVariance': { data: variance, dtype: '<e' },
    'color/model/mean': { data: mean.map((_, i) => [0.5, 0.25, 0.75][i % 3]!), dtype: '<e' },
    'color/model/pcaBasis': { data: mean.map((_, i) => (i % 3 === 0 ? 0.125 : 0)), dtype: '<e' },
    'color/model/pcaVariance': { data: [0.5], dtype: '<e' },
  },
  'float64-int.h5': { 'shape/model/mean': { data: mean, dtype: '<d' }, 'shape/model/pcaVariance': { data: variance, dtype: '<q' }, 'shape/representer/cells': { data: [0, 0, 1, 2, 2, 3], dtype: '<B' }, 'color/model/mean': { data: mean.map(() => 0), dtype: '<h' } },
  'nan-mean.h5': { 'shape/model/mean': { data: mean.map((v, i) => (i === 7 ? NaN : v)) } },
  'inf-basis.h5': { 'shape/model/pcaBasis': { data: basis.map((v, i) => (i === 5 ? Infinity : v)) } },
  'negative-variance.h5': { 'color/model/pcaVariance': { data: [-0.5] } },
  'bad-triangle.h5': { 'shape/representer/cells': { data: [0, 0, 1, 2, 9, 3], dtype: '<i' } },
};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  for (const [name, over] of Object.entries(FIXTURES)) {
    const file = path.join(dir, name);
    if (process.env.UPDATE_GOLDENS || !existsSync(file)) await writeModel(file, over);
  }
  // The probe's truncated file: the first half of a good one.
  const truncated = path.join(dir, 'truncated.h5');
  if (process.env.UPDATE_GOLDENS || !existsSync(truncated)) {
    const bytes = readFileSync(path.join(dir, 'good.h5'));
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  }
});

const at = (name: string) => path.join(dir, name);

describe('model files of every numeric type', () => {
  it('float16 and float64/integer datasets load with the same values as float32', async () => {
    const ref = await loadBfmModel(at('good.h5'));
    const f16 = await loadBfmModel(at('float16.h5'));
    expect([...f16.shape.mean]).toEqual([...ref.shape.mean]);
    expect([...f16.shape.basis]).toEqual([...ref.shape.basis]);
    expect([...f16.shape.variance]).toEqual([4, 1]);
    expect([...f16.color.basis]).toEqual([...ref.color.basis]);
    const mixed = await loadBfmModel(at('float64-int.h5'));
    expect([...mixed.shape.mean]).toEqual(mean);
    expect([...mixed.shape.variance]).toEqual([4, 1]);
    expect([...mixed.triangles]).toEqual([...ref.triangles]);
    expect([...mixed.color.mean]).toEqual(new Array(3 * N).fill(0));
  });

  it('decodes binary16 by the IEEE 754 layout', () => {
    expect([0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x7c00, 0xfc00].map(halfToNumber)).toEqual([1, -2, 0.333251953125, 2 ** -24, 65504, Infinity, -Infinity]);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });
});

describe('bad numbers are refused naming the dataset and the first bad index', () => {
  const cases: [string, string][] = [
    ['nan-mean.h5', "dataset 'shape/model/mean' has NaN at index [7]; values must be finite"],
    ['inf-basis.h5', "dataset 'shape/model/pcaBasis' has Infinity at index [2, 1]; values must be finite"],
    ['negative-variance.h5', "dataset 'color/model/pcaVariance' has -0.5 at index [0]; variances must be finite and not negative"],
    ['bad-triangle.h5', "dataset 'shape/representer/cells' has 9 at index [2, 0] (triangle 0), not a vertex index of the 4 vertices (0 to 3)"],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      await expect(loadBfmModel(at(name))).rejects.toThrow(`model file ${at(name)}: ${message}`);
    });
  }
});

describe('files that are not models', () => {
  it('a truncated .h5 names the file and what is wrong, and HDF5 prints nothing', async () => {
    const writes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((c: unknown) => (writes.push(String(c)), true)) as typeof process.stderr.write;
    let message = '';
    try {
      await loadBfmModel(at('truncated.h5'));
    } catch (e) {
      message = (e as Error).message;
    } finally {
      process.stderr.write = write;
    }
    expect(message).toBe(`model file ${at('truncated.h5')}: the HDF5 file is truncated or damaged (its groups cannot be read)`);
    expect(message).not.toContain('name not defined');
    expect(writes.join('')).not.toContain('HDF5-DIAG');
  });

  it('/dev/zero and a folder say what they are', async () => {
    await expect(loadBfmModel('/dev/zero')).rejects.toThrow('model file /dev/zero: is a device, not a file');
    await expect(loadBfmModel(dir)).rejects.toThrow(`model file ${dir}: is a folder, not a file`);
  });
});
