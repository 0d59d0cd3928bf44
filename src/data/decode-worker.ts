// A decoding worker: reads, decodes and fits image files off the main thread.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeImage, fitImage, type Fit } from './image.js';

interface Job {
  readonly id: number;
  readonly files: readonly string[];
  readonly size: number;
  readonly fit: Fit;
}

parentPort!.on('message', (job: Job) => {
  const per = job.size * job.size * 3;
  const out = new Uint8Array(job.files.length * per);
  for (const [k, file] of job.files.entries()) {
    try {
      out.set(fitImage(decodeImage(readFileSync(file)), job.size, job.fit), k * per);
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: { file, message: (e as Error).message } });
      return;
    }
  }
  parentPort!.postMessage({ id: job.id, data: out }, [out.buffer]);
});
