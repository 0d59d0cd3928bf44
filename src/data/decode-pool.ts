import { Worker } from 'node:worker_threads';
import { workerScript } from '../util/index.js';
import type { Fit } from './image.js';

/** A decode failure from the worker: the file and why. */
export class DecodeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DecodeError';
  }
}


/**
 * One worker thread that reads, decodes and fits JPEG/PNG files, so decoding a training batch
 * overlaps the gradient computation of the previous one instead of blocking it. Started on first
 * use; unref'd, so an idle pool never keeps the process alive.
 */
class DecodePool {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (d: Uint8Array) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const { script, eval: isEval } = workerScript(import.meta.url, 'decode-worker');
    const w = new Worker(script, { eval: isEval });
    w.on('message', (m: { id: number; data?: Uint8Array; error?: { file: string; message: string } }) => {
      const k = this.waiting.get(m.id);
      if (!k) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if (m.error) k.reject(new DecodeError(m.error.file, m.error.message));
      else k.resolve(m.data!);
    });
    w.on('error', (e) => {
      for (const k of this.waiting.values()) k.reject(e);
      this.waiting.clear();
      this.worker = undefined;
    });
    return w;
  }

  /** The files decoded and fitted to size × size, NHWC in one buffer. */
  decode(files: readonly string[], size: number, fit: Fit): Promise<Uint8Array> {
    this.worker ??= this.start();
    this.worker.ref();
    const id = this.nextId++;
    const w = this.worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, files, size, fit });
    });
  }
}

/** The process-wide decode pool. */
export const decodePool = new DecodePool();
