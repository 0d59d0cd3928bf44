import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeFailure } from '../../src/node/index.js';
import {
  FaceRenderer,
  encodePng,
  envToShading,
  fitIlluminationGaussian,
  loadBackgroundFolder,
  loadIlluminationFolder,
  prepareRender,
} from '../../src/render/index.js';
import { baseParams } from './fixtures.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-folders-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rpsFile(dir: string, name: string, env: number[][]): void {
  writeFileSync(path.join(dir, name), JSON.stringify({ environmentMap: { coefficients: env }, version: 'V4.0' }));
}

describe('illumination folders', () => {
  const dir = path.join(tmp, 'ill');
  mkdirSync(dir);
  const envA = Array.from({ length: 9 }, (_, k) => [1 + k, 0.5, 0.25]);
  const envB = Array.from({ length: 9 }, (_, k) => [3 - k, 1.5, 0.75]);
  rpsFile(dir, 'a.rps', envA);
  rpsFile(dir, 'b.rps', envB);
  writeFileSync(path.join(dir, 'notes.txt'), 'ignored');

  it('reads .rps environment maps and fits a Gaussian to them', () => {
    const set = loadIlluminationFolder(dir);
    expect(set).toHaveLength(2);
    expect([...set[0]!]).toEqual([...envToShading(envA)]);
    const g = fitIlluminationGaussian(set);
    // The mean of two draws is their midpoint: band 0 red (1 + 3) / 2 = 2.
    expect(g.mean[0]).toBeCloseTo(2, 9);
    expect(g.mean[1]).toBeCloseTo(1, 9);
  });

  it('draws empirical illuminations from the folder in a render', async () => {
    const params = baseParams({ illumination: { type: 'choice', name: 'empirical', arg: dir } });
    const r = new FaceRenderer(await prepareRender(params));
    const seen = new Set<string>();
    for (let s = 0; s < 12; s++) {
      const label = r.render(0, s).label;
      seen.add(label.illumination);
      const sh = label.extra?.sh as number[];
      const which = label.illumination.endsWith('#0') ? envA : envB;
      expect(sh[0]).toBeCloseTo(which[0]![0]!, 5);
    }
    expect([...seen].sort()).toEqual([`empirical:${dir}#0`, `empirical:${dir}#1`]);
  });

  it('fails naming the folder when it has no .rps files or a malformed one', async () => {
    const empty = path.join(tmp, 'ill-empty');
    mkdirSync(empty);
    expect(() => loadIlluminationFolder(empty)).toThrow(NodeFailure);
    expect(() => loadIlluminationFolder(empty)).toThrow(`${empty}: no .rps files`);
    const bad = path.join(tmp, 'ill-bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'x.rps'), JSON.stringify({ environmentMap: { coefficients: [[1, 2]] } }));
    expect(() => loadIlluminationFolder(bad)).toThrow(`${path.join(bad, 'x.rps')}: environmentMap.coefficients must be 9 rows`);
    await expect(prepareRender(baseParams({ illumination: { type: 'choice', name: 'gaussian', arg: path.join(tmp, 'missing') } }))).rejects.toThrow(/missing: cannot be read \(no such file or folder\)/);
  });
});

describe('background folders', () => {
  const dir = path.join(tmp, 'bg');
  mkdirSync(dir);
  // A 4 × 2 PNG: left half red, right half blue; resized (centre crop 2 × 2 → size) for a render.
  const rgb = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) rgb.set(x < 2 ? [255, 0, 0] : [0, 0, 255], 3 * (y * 4 + x));
  }
  writeFileSync(path.join(dir, 'halves.png'), encodePng(rgb, 4, 2));
  writeFileSync(path.join(dir, 'broken.png'), 'not a png');

  it('loads readable images, skips unreadable ones, and composites them behind the face', async () => {
    const set = loadBackgroundFolder(dir, 8);
    expect(set.names).toEqual(['halves.png']);
    const params = baseParams({ size: 48, background: { type: 'choice', name: 'folder', arg: dir } });
    const { image, extras } = new FaceRenderer(await prepareRender(params)).renderWithExtras(0, 0);
    expect(image.label.background).toBe('folder:halves.png');
    // The top-left corner is background: one of the two colours of the crop (flips are allowed).
    expect(extras.frame.coverage[0]).toBe(0);
    const corner = [...image.rgb.subarray(0, 3)];
    expect([[255, 0, 0], [0, 0, 255], [128, 0, 128]].some((c) => c.every((v, i) => Math.abs(v - corner[i]!) <= 1))).toBe(true);
  });

  it('says so when a folder has no readable images', async () => {
    const empty = path.join(tmp, 'bg-empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'readme.txt'), 'no images here');
    const err = await prepareRender(baseParams({ background: { type: 'choice', name: 'folder', arg: empty } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeFailure);
    expect((err as Error).message).toBe(`background folder ${empty}: no readable images (PNG or JPEG)`);
  });
});
