// A render worker thread: builds one FaceRenderer from the setup it is started with (the model's
// arrays are shared, not copied) and renders whole identities on request, until it is terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { FaceRenderer } from './renderer.js';
import type { RenderSetup } from './scene.js';
import type { WorkerJob, WorkerResult } from './pool.js';

const port = parentPort;
if (!port) throw new Error('render worker started outside a worker thread');
const renderer = new FaceRenderer(workerData as RenderSetup);
port.on('message', (job: WorkerJob) => {
  try {
    const rgb: Uint8Array[] = [];
    const labels = [];
    for (const s of job.samples) {
      const img = renderer.render(job.id, s);
      rgb.push(img.rgb);
      labels.push(img.label);
    }
    const msg: WorkerResult = { job: job.job, rgb, labels };
    port.postMessage(msg, rgb.map((b) => b.buffer as ArrayBuffer));
  } catch (e) {
    const msg: WorkerResult = { job: job.job, error: (e as Error).stack ?? String(e) };
    port.postMessage(msg);
  }
});
