import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../src/config/index.js';
import { ShardReader } from '../../src/dataset/index.js';
import type { NodeContext } from '../../src/node/index.js';
import type { PlanNode, RenderParams } from '../../src/plan/index.js';
import { CAMERA, FaceRenderer, exportReferenceLayout, focalPixels, prepareRender, renderKind } from '../../src/render/index.js';
import { decodeNormalComponent, encodeNormalComponent } from '../../src/render/maps.js';
import { baseParams, squareModel } from './fixtures.js';
import { constDist } from '../helpers/dist.js';

const c = constDist;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-maps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('depth and normal maps', () => {
  it('match the ray–plane intersection of a square turned 30° (depth) and its rotated normal (normals)', async () => {
    const size = 64;
    const params = baseParams({ size, pose: { ...baseParams().pose, yaw: c(30) }, maps: ['depth', 'normal'] });
    const { image, extras } = new FaceRenderer(await prepareRender(params, squareModel(60, 0, [0.5, 0.5, 0.5]))).renderWithExtras(0, 0);
    const depth = image.maps.depth!;
    const normal = image.maps.normal!;
    expect(depth).toHaveLength(size * size);
    expect(normal).toHaveLength(size * size * 3);
    // Camera at the origin looking down -z; the plane passes through (0, 0, -1000) with normal
    // n = Ry(30°)·(0, 0, 1) = (sin 30°, 0, cos 30°). A pixel centre (u, v) sees the ray
    // t·((u - cx)/f, -(v - cy)/f, -1), which meets the plane at t = 1000 cos / (cos - sin (u - cx)/f).
    const f = focalPixels(size, 1);
    const s = Math.sin(Math.PI / 6);
    const co = Math.cos(Math.PI / 6);
    let checked = 0;
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const p = py * size + px;
        if (extras.frame.coverage[p] !== 1) {
          expect(depth[p]).toBe(0);
          expect([normal[3 * p], normal[3 * p + 1], normal[3 * p + 2]]).toEqual([0, 0, 0]);
          continue;
        }
        const expected = (CAMERA.distanceMm * co) / (co - (s * (px + 0.5 - size / 2)) / f);
        expect(Math.abs(depth[p]! - expected)).toBeLessThan(1e-3);
        // Every pixel of the plane has the same normal, in bytes (0.5 → 191, 0 → 128, 0.866 → 238).
        expect([normal[3 * p], normal[3 * p + 1], normal[3 * p + 2]]).toEqual([191, 128, 238]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('put the nose tip of the mean face at the camera distance minus its z, and its forehead normal towards the camera', async () => {
    const params = baseParams({ maps: ['depth', 'normal'] });
    const setup = await prepareRender(params);
    const { image } = new FaceRenderer(setup).renderWithExtras(0, 0);
    const size = params.size;
    const at = (name: string) => {
      const l = image.label.landmarks.find((m) => m.name === name)!;
      const vertex = setup.model.landmarks.find((m) => m.name === name)!.vertex;
      return { p: Math.floor(l.y) * size + Math.floor(l.x), z: setup.model.shape.mean[3 * vertex + 2]! };
    };
    const tip = at('center.nose.tip');
    // The tip is the nearest point of the face, so the surface under its pixel centre is at most
    // a little further than the vertex itself (dims 0: the mean shape, frontal, no expression).
    const d = image.maps.depth![tip.p]! - (CAMERA.distanceMm - tip.z);
    expect(d).toBeGreaterThan(-0.01);
    expect(d).toBeLessThan(1);
    const fh = at('center.forehead').p;
    const n = [0, 1, 2].map((k) => decodeNormalComponent(image.maps.normal![3 * fh + k]!));
    expect(n[2]).toBeGreaterThan(0.9);
    expect(Math.abs(n[0]!)).toBeLessThan(0.1);
  });

  it('are absent unless asked for, and never change the image', async () => {
    const plain = new FaceRenderer(await prepareRender(baseParams())).render(1, 2);
    expect(plain.maps).toEqual({});
    const withMaps = new FaceRenderer(await prepareRender(baseParams({ maps: ['normal'] }))).renderWithExtras(1, 2);
    expect(Object.keys(withMaps.image.maps)).toEqual(['normal']);
    expect(Buffer.from(withMaps.image.rgb).equals(Buffer.from(plain.rgb))).toBe(true);
    // The normal pass redraws the target; the frame handed back still holds the shaded colours.
    const again = new FaceRenderer(await prepareRender(baseParams())).renderWithExtras(1, 2);
    expect(Array.from(withMaps.extras.frame.color)).toEqual(Array.from(again.extras.frame.color));
  });

  it('encode normal components as standard normal maps do', () => {
    expect([-1, 0, 1].map(encodeNormalComponent)).toEqual([0, 128, 255]);
    for (const v of [-0.7, 0.1, 0.93]) expect(Math.abs(decodeNormalComponent(encodeNormalComponent(v)) - v)).toBeLessThanOrEqual(1 / 255);
  });
});

function context(params: RenderParams, threads: number) {
  const dir = path.join(tmp, `run-${Math.random().toString(36).slice(2)}`);
  const outDir = path.join(dir, 'out');
  const scratchDir = path.join(dir, 'scratch');
  for (const d of [outDir, scratchDir]) mkdirSync(d, { recursive: true });
  const config = { threads, root: tmp, cache: tmp, runs: tmp, datasets: {}, backend: 'cpu', jobs: 1, cpus: 2, gpus: 0, executor: 'local', slurm: {} } as unknown as ProjectConfig;
  const ctx: NodeContext<RenderParams> = {
    node: { id: 'render-test', kind: 'render', label: 'render test', fingerprint: 'x', deps: [], inputs: [], params: {}, experiments: [] } as unknown as PlanNode,
    params,
    inputs: [],
    outDir,
    scratchDir,
    config,
    signal: new AbortController().signal,
    progress: () => {},
    log: () => {},
  };
  return { ctx, outDir };
}

describe('maps in shards and exports', () => {
  const params = baseParams({
    firstId: 3,
    ids: 2,
    imgsPerId: 2,
    size: 40,
    dims: { shape: 5, color: 5, expression: 3 },
    pose: { ...baseParams().pose, yaw: { type: 'uniform', lo: -40, hi: 40 } },
    maps: ['depth', 'normal'],
  });

  it('are stored as planes the reader returns, the same bytes on 1 or 2 threads and on a second run', async () => {
    const one = context(params, 1);
    await renderKind.run(one.ctx);
    const two = context(params, 2);
    await renderKind.run(two.ctx);
    const r = new ShardReader(one.outDir);
    expect(r.header.maps).toEqual(['depth', 'normal']);
    expect(readdirSync(one.outDir).sort()).toEqual(['depth.f32', 'identities.jsonl', 'images.u8', 'labels.jsonl', 'normals.u8', 'shard.json']);
    for (const f of ['depth.f32', 'normals.u8', 'images.u8', 'labels.jsonl', 'identities.jsonl']) {
      expect(readFileSync(path.join(two.outDir, f)).equals(readFileSync(path.join(one.outDir, f)))).toBe(true);
    }
    // Image 3 is identity 4, sample 1: rendered alone it has the same maps as in the shard.
    const alone = new FaceRenderer(await prepareRender(params)).render(4, 1);
    const stored = await r.readMaps(3);
    expect(Buffer.from(stored.depth!.buffer).equals(Buffer.from(alone.maps.depth!.buffer))).toBe(true);
    expect(Buffer.from(stored.normal!).equals(Buffer.from(alone.maps.normal!))).toBe(true);
  });

  it('are left out of shards that do not ask for them', async () => {
    const { maps: _maps, ...plain } = params;
    const run = context(plain, 1);
    await renderKind.run(run.ctx);
    const r = new ShardReader(run.outDir);
    expect(r.header.maps).toEqual([]);
    expect(readdirSync(run.outDir).sort()).toEqual(['identities.jsonl', 'images.u8', 'labels.jsonl', 'shard.json']);
    expect(await r.readMaps(0)).toEqual({});
  });

  it('are exported as 16-bit depth PNGs in whole mm and RGB normal PNGs', async () => {
    const run = context({ ...params, ids: 1 }, 1);
    await renderKind.run(run.ctx);
    const out = path.join(tmp, 'export-maps');
    expect(await exportReferenceLayout(run.outDir, out)).toBe(2);
    expect(readdirSync(out).sort()).toEqual(['depth', 'img', 'landmarks', 'normal', 'parameters.csv', 'rps']);
    const maps = await new ShardReader(run.outDir).readMaps(1);
    const depth = PNG.sync.read(readFileSync(path.join(out, 'depth', '3', '3_1.png')), { skipRescale: true } as never);
    expect((depth as unknown as { depth: number }).depth).toBe(16);
    const grey = depth.data as unknown as Uint16Array;
    let face = 0;
    for (let p = 0; p < 40 * 40; p++) {
      expect(grey[4 * p]).toBe(Math.round(maps.depth![p]!));
      if (grey[4 * p]! > 0) face++;
    }
    expect(face).toBeGreaterThan(100);
    const normal = PNG.sync.read(readFileSync(path.join(out, 'normal', '3', '3_1.png')));
    for (let p = 0; p < 40 * 40; p++) {
      expect([normal.data[4 * p], normal.data[4 * p + 1], normal.data[4 * p + 2]]).toEqual([maps.normal![3 * p], maps.normal![3 * p + 1], maps.normal![3 * p + 2]]);
    }
  });
});
