// ImageSet's caches: decoded data-node images and resized shard images kept under one byte budget.
// Every batch is compared with the uncached path computed here on its own (the decoder and
// fitImage per image); decodes are counted on the decode pool, not timed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodePool } from '../../src/data/decode-pool.js';
import { DATA_MANIFEST, type DataManifest } from '../../src/data/index.js';
import { ShardReader } from '../../src/dataset/index.js';
import { decodeImage, fitImage } from '../../src/image/index.js';
import type { TrainParams } from '../../src/plan/index.js';
import { ImageSet, runTraining, useBackend, type ImageCacheUse } from '../../src/train/index.js';
import { fakeInput, rgb, tmpDir, writeJpeg, writePng } from '../data/fixtures.js';
import { writeProceduralShard } from './procedural.js';

const SHARD_SIZE = 24;
const SHARD_IMAGES = 12;
const DATA_IMAGES = 6;

let shard: string;
let shardRaw: Uint8Array;
let data: string;
let dataFiles: string[];

beforeAll(async () => {
  shard = await writeProceduralShard(path.join(tmpDir(), 's'), { firstId: 0, ids: 4, imgsPerId: 3, size: SHARD_SIZE });
  shardRaw = new ShardReader(shard).readAll();
  // Six non-square photos of three people, PNG and JPEG, fitted by a centre cut: the data node's
  // decode path in full.
  data = tmpDir();
  const images: { path: string; identity: number }[] = [];
  for (let i = 0; i < DATA_IMAGES; i++) {
    const rel = `p${i % 3}/img${i}.${i % 2 ? 'jpg' : 'png'}`;
    const pixels = rgb(26, 20, (x, y) => [(x * 9 + i * 40) % 256, (y * 13 + i * 7) % 256, (x * y + i * 31) % 256]);
    (i % 2 ? writeJpeg : writePng)(path.join(data, rel), 26, 20, pixels);
    images.push({ path: rel, identity: i % 3 });
  }
  dataFiles = images.map((im) => path.join(data, im.path));
  const manifest: DataManifest = {
    format: 'synx-data',
    version: 1,
    dataset: 'tiny',
    kind: 'folder',
    root: data,
    fraction: 1,
    seed: 1,
    fit: 'center',
    identities: ['p0', 'p1', 'p2'],
    images,
    skipped: [],
  };
  writeFileSync(path.join(data, DATA_MANIFEST), JSON.stringify(manifest));
});

let decoded: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  decoded = [];
});

/** Records every file the decode pool is asked to decode, and still decodes it. */
function countDecodes(): void {
  const real = decodePool.decode.bind(decodePool);
  vi.spyOn(decodePool, 'decode').mockImplementation((files, size, fit) => {
    decoded.push(...files);
    return real(files, size, fit);
  });
}

/** Data image `i` decoded and fitted on its own: what the uncached path gives. */
function dataImage(i: number, size: number): Uint8Array {
  return fitImage(decodeImage(readFileSync(dataFiles[i]!)), size, 'center');
}

/** Shard image `i` resized on its own. */
function shardImage(i: number, size: number): Uint8Array {
  const n = SHARD_SIZE * SHARD_SIZE * 3;
  return fitImage({ width: SHARD_SIZE, height: SHARD_SIZE, data: shardRaw.subarray(i * n, (i + 1) * n) }, size);
}

/** The batch the uncached path gives for samples `which`, with `image(sample, size)` per sample. */
function expected(which: readonly number[], size: number, image: (w: number, size: number) => Uint8Array): Buffer {
  return Buffer.concat(which.map((w) => image(w, size)));
}

/** Checks what the caches hold against the budget. */
function withinBudget(u: ImageCacheUse): void {
  expect(u.held).toBeLessThanOrEqual(u.reserved);
  expect(u.reserved).toBeLessThanOrEqual(u.budget);
}

/** Three "epochs" over samples 0..n-1 in different orders, with a repeat inside a batch. */
function epochs(n: number): number[][] {
  const all = [...Array(n).keys()];
  return [all, [...all].reverse(), all.map((_, k) => (k * 5 + 1) % n).concat([0, 0])];
}

describe('ImageSet caches', () => {
  it('decodes each data-node image once and gives the decoder’s bytes on every later read', async () => {
    countDecodes();
    const set = await ImageSet.fromInputs([fakeInput(data, 'data', 'data')], 'data');
    for (const which of epochs(DATA_IMAGES)) {
      for (let b = 0; b < which.length; b += 4) {
        const batch = which.slice(b, b + 4);
        expect(Buffer.from(await set.images(batch, 12)).equals(expected(batch, 12, dataImage))).toBe(true);
      }
    }
    expect([...decoded].sort()).toEqual([...dataFiles].sort());
    expect(set.cacheUse).toEqual({ budget: 2 ** 30, reserved: DATA_IMAGES * 12 * 12 * 3, held: DATA_IMAGES * 12 * 12 * 3 });
    // A batch changed in place (flip augmentation does) leaves the kept images alone.
    (await set.images([1, 2], 12)).fill(0);
    expect(Buffer.from(await set.images([1, 2], 12)).equals(expected([1, 2], 12, dataImage))).toBe(true);
    expect(decoded).toHaveLength(DATA_IMAGES);
  });

  it('keeps no more than a tiny budget allows, the first images asked for, and the bytes stay the same', async () => {
    const per = 12 * 12 * 3;
    for (const [budget, decodes] of [
      // Room for two images: the first two asked for (0 and 1) are kept, the others decode every epoch.
      [2 * per + per - 1, DATA_IMAGES + 2 * (DATA_IMAGES - 2)],
      // No room: everything decodes every time, as without a cache.
      [0, 3 * DATA_IMAGES],
    ] as const) {
      decoded = [];
      vi.restoreAllMocks();
      countDecodes();
      const set = await ImageSet.fromInputs([fakeInput(data, 'data', 'data')], 'data', { cacheBytes: budget });
      for (const which of epochs(DATA_IMAGES)) {
        const unique = [...new Set(which)];
        expect(Buffer.from(await set.images(unique, 12)).equals(expected(unique, 12, dataImage))).toBe(true);
        withinBudget(set.cacheUse);
      }
      expect(decoded).toHaveLength(decodes);
      expect(set.cacheUse.held).toBe(budget === 0 ? 0 : 2 * per);
      if (budget > 0) expect(decoded.filter((f) => f === dataFiles[0] || f === dataFiles[1])).toHaveLength(2);
    }
  });

  it('shares one budget between shards and data nodes: a shard read whole is given back once its resized images are all kept', async () => {
    countDecodes();
    const shardKept = SHARD_IMAGES * 16 * 16 * 3; // 9216
    const shardWhole = SHARD_IMAGES * SHARD_SIZE * SHARD_SIZE * 3; // 20736
    const per = 16 * 16 * 3; // 768
    // The shard comes first in the first batch: its resized images get room whole, then the whole
    // read; the data node's six (4608) do not fit beside them, so it keeps the first two asked for
    // (samples 12 and 13), image by image.
    const budget = shardKept + shardWhole + 2 * per;
    const set = await ImageSet.fromInputs([fakeInput(shard), fakeInput(data, 'data', 'data')], 'data', { cacheBytes: budget });
    const n = SHARD_IMAGES + DATA_IMAGES;
    const image = (w: number, size: number) => (w < SHARD_IMAGES ? shardImage(w, size) : dataImage(w - SHARD_IMAGES, size));
    const epoch = async (which: readonly number[]) => {
      for (let b = 0; b < which.length; b += 5) {
        const batch = which.slice(b, b + 5);
        expect(Buffer.from(await set.images(batch, 16)).equals(expected(batch, 16, image))).toBe(true);
        withinBudget(set.cacheUse);
      }
    };
    const first = [0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 7, 8, 9, 10, 11];
    const second = [...first].reverse();
    const third = epochs(n)[2]!;
    await epoch(first);
    expect(decoded).toHaveLength(DATA_IMAGES);
    // The whole read is given back after the first epoch, which frees room for the data node's other four.
    expect(set.cacheUse).toEqual({ budget, reserved: shardKept + 2 * per, held: shardKept + 2 * per });
    await epoch(second);
    expect(decoded).toHaveLength(DATA_IMAGES + 4);
    expect(set.cacheUse).toEqual({ budget, reserved: shardKept + DATA_IMAGES * per, held: shardKept + DATA_IMAGES * per });
    await epoch(third);
    expect(decoded).toHaveLength(DATA_IMAGES + 4);
    // Another size gives the kept images' bytes back and keeps that size instead.
    await epoch([0, 13, 5, 17, 11]);
    expect(Buffer.from(await set.images([13, 0], 12)).equals(expected([13, 0], 12, image))).toBe(true);
    withinBudget(set.cacheUse);
    // The shard at its own size does not fit whole beside its whole read: its two images are kept
    // one by one, and the whole read (kept since the 12 px ask) is given back.
    expect(Buffer.from(await set.images([2, 3], SHARD_SIZE)).equals(expected([2, 3], SHARD_SIZE, image))).toBe(true);
    // The data node's room at 12 px was taken whole, for one image held so far.
    const shard24 = 2 * SHARD_SIZE * SHARD_SIZE * 3;
    expect(set.cacheUse).toEqual({ budget, reserved: DATA_IMAGES * 12 * 12 * 3 + shard24, held: 12 * 12 * 3 + shard24 });
  });

  it('trains to the same weights with the default budget, a tiny one and none, from shards and a data node, flip augmentation on', async () => {
    await useBackend('wasm');
    const params: TrainParams = { role: 'pretrain', network: 'small', loss: 'triplet', epochs: 3, batch: 8, lr: 0.002, optimizer: 'adam', input: 16, embedding: 16, margin: 0.2, seed: 5, images: null, augment: 'flip' };
    const weights: Buffer[] = [];
    for (const cacheBytes of [undefined, 5 * 16 * 16 * 3, 0]) {
      const set = await ImageSet.fromInputs([fakeInput(shard), fakeInput(data, 'data', 'data')], 'data', { cacheBytes });
      const out = tmpDir();
      await runTraining({ params, set, train: set.samples.map((_, i) => i), scratchDir: tmpDir(), outDir: out, backend: 'wasm', threads: 1 });
      weights.push(readFileSync(path.join(out, 'weights.bin')));
    }
    expect(weights[0]!.equals(weights[2]!)).toBe(true);
    expect(weights[1]!.equals(weights[2]!)).toBe(true);
  }, 120_000);
});
