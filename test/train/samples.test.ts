import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShardReader } from '../../src/dataset/index.js';
import { fitImage } from '../../src/image/index.js';
import { ImageSet } from '../../src/train/index.js';
import { fakeInput, tmpDir } from '../data/fixtures.js';
import { writeProceduralShard } from './procedural.js';

let shard: string;
let raw: Uint8Array;
beforeAll(async () => {
  shard = await writeProceduralShard(path.join(tmpDir(), 's'), { firstId: 0, ids: 4, imgsPerId: 3, size: 24 });
  raw = new ShardReader(shard).readAll();
});

/** Images `which` of the 24 px shard, each resized by fitImage on its own: the uncached path. */
function direct(which: readonly number[], size: number): Uint8Array {
  const n = 24 * 24 * 3;
  const per = size * size * 3;
  const out = new Uint8Array(which.length * per);
  which.forEach((w, k) => out.set(fitImage({ width: 24, height: 24, data: raw.subarray(w * n, (w + 1) * n) }, size), k * per));
  return out;
}

describe('ImageSet', () => {
  it('keeps a shard resized once: repeated, reordered and interleaved requests at two sizes give fitImage’s bytes', async () => {
    const set = await ImageSet.fromInputs([fakeInput(shard)], 'data');
    const asks: [number[], number][] = [
      [[5, 0, 5, 11], 16],
      [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 16],
      [[11, 5], 16],
      [[3, 5], 12],
      [[5, 0], 16],
      [[2], 24],
    ];
    for (const [which, size] of asks) expect(Buffer.from(await set.images(which, size)).equals(Buffer.from(direct(which, size)))).toBe(true);
  });

  it('hands out copies: changing a batch in place (flip augmentation does) leaves the kept images alone', async () => {
    const set = await ImageSet.fromInputs([fakeInput(shard)], 'data');
    const a = await set.images([1, 2], 16);
    a.fill(0);
    expect(Buffer.from(await set.images([1, 2], 16)).equals(Buffer.from(direct([1, 2], 16)))).toBe(true);
  });
});
