// The synx half of the GPU comparison (bench/gpu/compare.sh): trains `small` at 64 px and
// `nn4-small` at 96 px with synx's own training loop (runTraining: P×K batches of 64, triplet
// loss with semi-hard mining, Adam) on one backend, default webgpu, and prints one JSON object
// with the training images/s of each and the adapter Dawn chose. Each rate is the second of two
// epochs over 512 procedural images (SYNX_GPU_IMAGES) (the first compiles the shaders).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fakeInput } from '../../test/data/fixtures.js';
import { ImageSet, useBackend } from '../../src/train/index.js';
import { writeProceduralShard } from '../../test/train/procedural.js';
import { trainRate } from '../train.bench.js';

// In the bundle (bench/gpu/bundle.sh) the webgpu backend is packed inside: hand its loader to
// synx's optional import, which evaluates it only after Dawn has set navigator.gpu.
(globalThis as { __synxModules?: Record<string, () => Promise<unknown>> }).__synxModules = {
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu'),
};

const backend = process.argv[2] ?? 'webgpu';
// Images per epoch (SYNX_GPU_IMAGES; 512 by default, fewer for a quick check of the script).
const images = Number(process.env.SYNX_GPU_IMAGES ?? 512);
const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-gpu-bench-'));
try {
  const sets: Record<number, ImageSet> = {};
  for (const size of [64, 96]) {
    const shard = await writeProceduralShard(path.join(dir, `s${size}`), { firstId: 0, ids: 64, imgsPerId: 8, size });
    const input = fakeInput(shard);
    sets[size] = await ImageSet.fromInputs([input], 'data');
  }
  await useBackend(backend);
  let adapter: unknown = null;
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(o?: object): Promise<{ info?: object } | null> } } }).navigator?.gpu;
  if (gpu) {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    // GPUAdapterInfo's fields are getters: copy them into a plain object for JSON.
    const info = a?.info as Record<string, unknown> | undefined;
    if (info) adapter = Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, info[k]]));
  }
  const rates: Record<string, number> = {};
  for (const [network, size] of [
    ['small', 64],
    ['nn4-small', 96],
  ] as const) {
    // SYNX_GPU_NETWORKS=small limits the run (a quick check of the script on a slow adapter).
    if (process.env.SYNX_GPU_NETWORKS && !process.env.SYNX_GPU_NETWORKS.split(',').includes(network)) continue;
    rates[`${network} ${size} px`] = await trainRate(sets[size]!, network, size, 1, backend, dir, images, 64);
  }
  process.stdout.write(`${JSON.stringify({ backend, adapter, batch: 64, train_img_per_s: rates })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Dawn's device keeps the event loop alive: exit once the numbers are out.
process.exit(0);
