// One quickstart-sized training epoch on the CPU: 300 identities x 12 images rendered at 64 px,
// the `small` network at input 40 px, triplet loss, batch 32, Adam, 2 threads on wasm (the
// quickstart's recipe when this bench was written, `input 40px, epochs 11`; it is now 32 px,
// 16 epochs, and the bench keeps 40 px so its numbers stay comparable). Procedural images stand in for renders: the cost of a step does not depend on what
// the pixels show. `npx tsx bench/run.ts train-epoch` runs it alone.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { TrainParams } from '../src/plan/index.js';
import { ImageSet, runTraining, useBackend } from '../src/train/index.js';
import { fakeInput } from '../test/data/fixtures.js';
import { writeProceduralShard } from '../test/train/procedural.js';
import type { Bench, BenchResult } from './harness.js';

const bench: Bench = {
  name: 'train-epoch',
  async run() {
    const out: BenchResult[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-train-epoch-'));
    try {
      await useBackend('wasm');
      const shard = await writeProceduralShard(path.join(dir, 'shard'), { firstId: 0, ids: 300, imgsPerId: 12, size: 64 });
      const set = await ImageSet.fromInputs([fakeInput(shard)], 'data');
      const params: TrainParams = { role: 'pretrain', network: 'small', loss: 'triplet', epochs: 2, batch: 32, lr: 0.001, optimizer: 'adam', input: 40, embedding: 128, margin: 0.2, seed: 1988, images: null };
      const cpu0 = process.cpuUsage();
      const { history } = await runTraining({ params, set, train: set.samples.map((_, i) => i), scratchDir: mkdtempSync(path.join(dir, 's')), outDir: mkdtempSync(path.join(dir, 'o')), backend: 'wasm', threads: 2 });
      const cpu = process.cpuUsage(cpu0);
      const [first, second] = history;
      out.push({ name: 'quickstart epoch 1 (3,584 images at 40 px from 64 px, batch 32, 2 threads; workers start, images are resized)', value: first!.seconds, unit: 's' });
      out.push({ name: 'quickstart epoch 2 (the steady state: 11 of these are the quickstart’s training)', value: second!.seconds, unit: 's', note: `${second!.images_per_s.toFixed(1)} img/s` });
      out.push({ name: 'quickstart 2 epochs: CPU time of all threads (user + sys)', value: (cpu.user + cpu.system) / 1e6, unit: 's' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

export default bench;
