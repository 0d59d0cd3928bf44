// Reading a data node's images for training, epoch after epoch: 480 JPEG photos of 250 px (CASIA
// WebFace's size) fitted to 96 px in batches of 32, through ImageSet with its cache (the first
// epoch decodes, later ones copy) and without one (budget 0: every epoch decodes, as before the
// cache). Decoding runs on the decode worker thread, overlapping training's gradient computation,
// so these times are the reading's own cost (wall and CPU of all threads), not an epoch's.
// `npx tsx bench/run.ts image-cache` runs it alone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_MANIFEST, type DataManifest } from '../src/data/index.js';
import { ImageSet } from '../src/train/index.js';
import { fakeInput, rgb, writeJpeg } from '../test/data/fixtures.js';
import type { Bench, BenchResult } from './harness.js';

const IMAGES = 480;
const PHOTO = 250;
const INPUT = 96;
const BATCH = 32;

/** Wall and CPU seconds of one epoch's reads, batch by batch in a fixed shuffled order. */
async function epoch(set: ImageSet, order: readonly number[]): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let b = 0; b < order.length; b += BATCH) await set.images(order.slice(b, b + BATCH), INPUT);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const bench: Bench = {
  name: 'image-cache',
  async run() {
    const out: BenchResult[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-image-cache-'));
    try {
      const images: { path: string; identity: number }[] = [];
      for (let i = 0; i < IMAGES; i++) {
        const rel = `id${i % 40}/${i}.jpg`;
        writeJpeg(path.join(dir, rel), PHOTO, PHOTO, rgb(PHOTO, PHOTO, (x, y) => [(x * 3 + i) % 256, (y * 5 + 2 * i) % 256, ((x ^ y) + 3 * i) % 256]), 90);
        images.push({ path: rel, identity: i % 40 });
      }
      const identities = [...Array(40).keys()].map((k) => `id${k}`);
      const manifest: DataManifest = { format: 'synx-data', version: 1, dataset: 'bench', kind: 'folder', root: dir, fraction: 1, seed: 1, fit: 'resize', identities, images, skipped: [] };
      writeFileSync(path.join(dir, DATA_MANIFEST), JSON.stringify(manifest));
      // A fixed scrambled order per epoch, as training's seeded batches.
      const order = (e: number) => [...Array(IMAGES).keys()].map((k) => (k * 7 + e * 131) % IMAGES);
      const input = [fakeInput(dir, 'data', 'data')];
      const uncached = await ImageSet.fromInputs(input, 'data', { cacheBytes: 0 });
      await epoch(uncached, order(0)); // starts the decode worker and warms the file cache
      const plain = await epoch(uncached, order(1));
      const cached = await ImageSet.fromInputs(input, 'data');
      const first = await epoch(cached, order(1));
      const later = await epoch(cached, order(2));
      const what = `${IMAGES} JPEGs of ${PHOTO} px to ${INPUT} px, batches of ${BATCH}`;
      out.push({ name: `data-node epoch of reads without the cache (${what})`, value: plain.wall, unit: 's', note: `CPU ${plain.cpu.toFixed(2)} s` });
      out.push({ name: 'the same, cached: first epoch (decodes and keeps)', value: first.wall, unit: 's', note: `CPU ${first.cpu.toFixed(2)} s` });
      out.push({ name: 'the same, cached: a later epoch (copies kept images)', value: later.wall, unit: 's', note: `CPU ${later.cpu.toFixed(3)} s` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

export default bench;
