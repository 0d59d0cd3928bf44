// A render worker thread: builds one FaceRenderer from the setup it is started with (the model's
// arrays are shared, not copied) and renders whole identities on request, until it is terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { FaceRenderer, type RenderedImage } from './renderer.js';
import type { RenderSetup } from './scene.js';
import type { WorkerJob, WorkerResult } from './pool.js';

const port = parentPort;
if (!port) throw new Error('render worker started outside a worker thread');
const renderer = new FaceRenderer(workerData as RenderSetup);
port.on('message', (job: WorkerJob) => {
  try {
    const images: RenderedImage[] = job.samples.map((s) => renderer.render(job.id, s));
    // Pixels and maps are moved, not copied; labels are small and cloned.
    const buffers = images.flatMap((im) => [im.rgb, im.maps.depth, im.maps.normal].filter((b) => b !== undefined).map((b) => b.buffer as ArrayBuffer));
    const msg: WorkerResult = { job: job.job, images };
    port.postMessage(msg, buffers);
  } catch (e) {
    const msg: WorkerResult = { job: job.job, error: (e as Error).stack ?? String(e) };
    port.postMessage(msg);
  }
});
