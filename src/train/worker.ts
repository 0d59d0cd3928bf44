// A data-parallel training worker: holds a GradientState and computes the loss and gradients of
// the batch parts the main thread sends, with the weights it sends along.
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend } from './backend.js';
import { networkDef, type Neck } from './networks.js';
import { GradientState, type LossConfig } from './trainer.js';
import type { Network } from '../plan/index.js';

interface Init {
  readonly backend: string;
  readonly network: Network;
  readonly input: number;
  readonly embedding: number;
  readonly neck: Neck;
  readonly loss: LossConfig;
}

interface Job {
  readonly id: number;
  readonly values?: Float32Array[];
  readonly x: Uint8Array;
  readonly labels: Int32Array;
}

const init = workerData as Init;
await useBackend(init.backend);
const def = networkDef(init.network, init.input, init.embedding, init.neck);
const zeros = new Map(def.params.map((p) => [p.name, new Float32Array(p.shape.reduce((a, b) => a * b, 1))]));
const state = new GradientState(def, init.loss, zeros);
// Jobs run one after another, in the order sent: a job without weights uses the previous one's.
let queue = Promise.resolve();
parentPort!.on('message', (job: Job) => {
  queue = queue.then(async () => {
    try {
      // The main thread moved these arrays here: kept as they are.
      if (job.values) state.assign(job.values, true);
      const r = await state.gradients(job.x, job.labels);
      parentPort!.postMessage({ id: job.id, loss: r.loss, grads: r.grads }, r.grads.map((g) => g.buffer as ArrayBuffer));
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).stack ?? String(e) });
    }
  });
});
parentPort!.postMessage({ ready: true });
