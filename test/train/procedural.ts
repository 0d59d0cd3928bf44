// Procedural shards for tests: each identity is a seeded geometry (two blobs, a stripe frequency
// and direction) drawn in random per-image colours with shift and noise, so raw pixels (and an
// untrained network) barely tell identities apart and a trained one must learn the geometry.
import { mkdirSync } from 'node:fs';
import { ShardWriter, type ImageLabel } from '../../src/dataset/index.js';
import { mulberry32Rng } from '../../src/rng/index.js';

/** Plain mulberry32 floats (one word / 2^32 each), as a function. */
function rng(seed: number): () => number {
  const r = mulberry32Rng(seed);
  return () => r.uniform();
}

export const YAWS = [0, -30, 30, -60, 60, 15, -15, 45];

export function proceduralImage(id: number, sample: number, size: number, seed = 1): Uint8Array {
  // Identity: the geometry (two blob positions, stripe frequency and direction).
  const r = rng(seed * 7919 + id * 104729);
  const b1 = [0.2 + r() * 0.6, 0.2 + r() * 0.6];
  const b2 = [0.2 + r() * 0.6, 0.2 + r() * 0.6];
  const freq = 1 + r() * 3;
  const dir = r() * Math.PI;
  // Image: nuisances that dominate raw pixels (colours, brightness, shift, noise).
  const s = rng(seed * 31 + id * 7 + sample * 1000003);
  const fgLevel = 140 + s() * 115;
  const bgLevel = s() * 100;
  const fg = [0, 1, 2].map(() => fgLevel * (0.6 + 0.4 * s()));
  const bg = [0, 1, 2].map(() => bgLevel * (0.6 + 0.4 * s()));
  const dx = (s() - 0.5) * 0.1;
  const dy = (s() - 0.5) * 0.1;
  const img = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size + dx;
      const v = y / size + dy;
      const blob = Math.exp(-((u - b1[0]!) ** 2 + (v - b1[1]!) ** 2) / 0.015) + Math.exp(-((u - b2[0]!) ** 2 + (v - b2[1]!) ** 2) / 0.015);
      const stripe = 0.5 + 0.5 * Math.sin(2 * Math.PI * freq * (u * Math.cos(dir) + v * Math.sin(dir)));
      const a = Math.min(1, blob) * 0.7 + stripe * 0.3;
      for (let c = 0; c < 3; c++) {
        const val = fg[c]! * a + bg[c]! * (1 - a) + (s() - 0.5) * 30;
        img[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(val)));
      }
    }
  }
  return img;
}

/** Writes a shard of identities [firstId, firstId + ids) with imgsPerId images each. */
export async function writeProceduralShard(dir: string, o: { firstId: number; ids: number; imgsPerId: number; size: number; seed?: number }): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const w = new ShardWriter(dir, { size: o.size, firstId: o.firstId, ids: o.ids, imgsPerId: o.imgsPerId });
  for (let id = o.firstId; id < o.firstId + o.ids; id++) {
    for (let s = 0; s < o.imgsPerId; s++) {
      const label: ImageLabel = {
        id,
        sample: s,
        yaw: YAWS[s % YAWS.length]!,
        pitch: 0,
        roll: 0,
        scale: 1,
        tx: 0,
        ty: 0,
        illumination: 'test',
        background: 'test',
        landmarks: [],
      };
      await w.write(proceduralImage(id, s, o.size, o.seed), label);
    }
  }
  await w.close();
  return dir;
}
