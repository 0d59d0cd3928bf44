import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFailure } from '../../src/node/index.js';
import { FaceRenderer, loadBfmModel, prepareRender, reconstruct } from '../../src/render/index.js';
import { baseParams } from './fixtures.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-bfm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A 5-vertex model in exactly the BFM 2017 layout: a 100 mm square facing +z, plus a probe vertex.
const N = 5;
const mean = [-50, -50, 0, 50, -50, 0, 50, 50, 0, -50, 50, 0, 10, 0, 0];
const shapeBasis = Array.from({ length: 3 * N * 2 }, (_, i) => ((i * 7) % 5) / 10 - 0.2); // 15 × 2, row-major
const shapeVar = [4, 1];
const colorMean = Array.from({ length: 3 * N }, (_, i) => [0.5, 0.4, 0.3][i % 3]!);
const colorBasis = Array.from({ length: 3 * N }, (_, i) => (i % 3 === 0 ? 0.1 : 0)); // 15 × 1
const exprBasis = Array.from({ length: 3 * N }, (_, i) => (i % 3 === 2 ? 0.05 : 0));

async function writeBfm(file: string, skip: string | null = null): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  const put = (name: string, data: number[], shape: number[], dtype = '<f') => {
    if (name === skip) return;
    f.create_dataset({ name, data: dtype === '<i' ? new Int32Array(data) : new Float32Array(data), shape, dtype });
  };
  for (const g of ['shape', 'color', 'expression']) {
    f.create_group(g);
    f.create_group(`${g}/model`);
    f.create_group(`${g}/representer`);
  }
  put('shape/model/mean', mean, [3 * N]);
  put('shape/model/pcaBasis', shapeBasis, [3 * N, 2]);
  put('shape/model/pcaVariance', shapeVar, [2]);
  put('shape/model/noiseVariance', [0], [1]);
  put('shape/representer/points', [-50, 50, 50, -50, 10, -50, -50, 50, 50, 0, 0, 0, 0, 0, 0], [3, N]);
  put('shape/representer/cells', [0, 0, 1, 2, 2, 3], [3, 2], '<i'); // triangles (0,1,2) and (0,2,3), as 3 × T
  put('color/model/mean', colorMean, [3 * N]);
  put('color/model/pcaBasis', colorBasis, [3 * N, 1]);
  put('color/model/pcaVariance', [0.01], [1]);
  put('expression/model/mean', new Array(3 * N).fill(0), [3 * N]);
  put('expression/model/pcaBasis', exprBasis, [3 * N, 1]);
  put('expression/model/pcaVariance', [9], [1]);
  f.create_group('metadata');
  f.create_group('metadata/landmarks');
  f.create_dataset({ name: 'metadata/landmarks/json', data: JSON.stringify([{ id: 'probe', coordinates: [10, 0, 0] }]) });
  f.close();
}

const good = path.join(tmp, 'model.h5');
beforeAll(async () => {
  await writeBfm(good);
});

describe('loadBfmModel', () => {
  it('reconstructs mean + basis · (sqrt(variance) ⊙ alpha) as a direct computation does', async () => {
    const m = await loadBfmModel(good);
    expect(m.vertexCount).toBe(5);
    expect(m.shape.components).toBe(2);
    expect(Array.from(m.triangles)).toEqual([0, 1, 2, 0, 2, 3]);
    expect(m.landmarks).toEqual([{ name: 'probe', vertex: 4 }]);
    const alpha = [0.5, -1];
    const direct = mean.map((v, i) => v + shapeBasis[2 * i]! * Math.sqrt(4) * 0.5 + shapeBasis[2 * i + 1]! * Math.sqrt(1) * -1);
    const got = reconstruct(m.shape, alpha, new Float32Array(15));
    got.forEach((v, i) => expect(v).toBeCloseTo(direct[i]!, 5));
    // Using only the first component, as `dims shape 1` does.
    const first = reconstruct(m.shape, [0.5], new Float32Array(15));
    first.forEach((v, i) => expect(v).toBeCloseTo(mean[i]! + shapeBasis[2 * i]! * 2 * 0.5, 5));
    const col = reconstruct(m.color, [2], new Float32Array(15));
    expect(col[0]).toBeCloseTo(0.5 + 0.1 * 0.1 * 2, 6);
  });

  it('renders the file like any model', async () => {
    const params = baseParams({ size: 64, model: { kind: 'bfm', path: good } });
    const { image, extras } = new FaceRenderer(await prepareRender(params)).renderWithExtras(0, 0);
    expect(extras.frame.coverage.reduce((a, b) => a + b, 0)).toBe(22 * 22);
    expect(image.label.landmarks[0]!.x).toBeCloseTo(34.1333, 3);
    expect(image.identity.model).toBe(good);
  });

  it('names the file and the missing dataset inside it', async () => {
    const bad = path.join(tmp, 'no-variance.h5');
    await writeBfm(bad, 'color/model/pcaVariance');
    const err = await loadBfmModel(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeFailure);
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toContain("'color/model/pcaVariance' is missing");
  });

  it('rejects a missing file and a file that is not HDF5', async () => {
    await expect(loadBfmModel(path.join(tmp, 'nope.h5'))).rejects.toThrow(/nope\.h5: not found/);
    const text = path.join(tmp, 'text.h5');
    writeFileSync(text, 'not hdf5 at all');
    const err = await loadBfmModel(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeFailure);
    expect((err as Error).message).toMatch(/text\.h5: not a readable HDF5 file/);
  });
});
