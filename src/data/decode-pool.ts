import { Worker } from 'node:worker_threads';
import { workerScript } from '../util/index.js';
import type { Fit } from '../image/index.js';
import type { CheckResult, DecodeJob, DecodeReply, DecodeTask } from './decode-worker.js';

export type { CheckResult } from './decode-worker.js';

/** A decode failure from a worker: the file and why. */
export class DecodeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DecodeError';
  }
}

interface Slot {
  readonly worker: Worker;
  /** Jobs posted to this worker and not yet answered. */
  busy: number;
}

type Waiting = { resolve: (r: DecodeReply) => void; reject: (e: Error) => void; slot: Slot };

/**
 * Worker threads that read and decode JPEG/PNG files: a training batch decodes while the previous
 * one trains, and a data node checks its images on several cores. Workers start on first use, up
 * to the most any caller asked for, and are unref'd while idle, so an idle pool never keeps the
 * process alive. Each job goes to the worker with the fewest jobs in flight.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  private start(): Slot {
    const { script, eval: isEval } = workerScript(import.meta.url, 'decode-worker');
    const slot: Slot = { worker: new Worker(script, { eval: isEval }), busy: 0 };
    slot.worker.on('message', (m: DecodeReply) => {
      const k = this.waiting.get(m.id);
      if (!k) return;
      this.waiting.delete(m.id);
      if (--slot.busy === 0) slot.worker.unref();
      k.resolve(m);
    });
    slot.worker.on('error', (e) => {
      // Only this worker's jobs are lost; the others keep going and a later job starts a new one.
      for (const [id, k] of this.waiting) {
        if (k.slot !== slot) continue;
        this.waiting.delete(id);
        k.reject(e);
      }
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
    });
    this.slots.push(slot);
    return slot;
  }

  /** Worker threads started so far (they stay, unref'd, for the next job). */
  get threads(): number {
    return this.slots.length;
  }

  /** Posts a job to the least busy of up to `workers` threads. */
  private post(job: DecodeTask, workers: number): Promise<DecodeReply> {
    const want = Math.max(1, Math.floor(workers));
    let slot = this.slots.slice(0, want).reduce<Slot | undefined>((best, s) => (best && best.busy <= s.busy ? best : s), undefined);
    if (!slot || (slot.busy > 0 && this.slots.length < want)) slot = this.start();
    const id = this.nextId++;
    const s = slot;
    if (s.busy++ === 0) s.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot: s });
      const message: DecodeJob = { id, ...job };
      s.worker.postMessage(message);
    });
  }

  /** The files decoded and fitted to size × size, NHWC in one buffer (one worker). */
  async decode(files: readonly string[], size: number, fit: Fit): Promise<Uint8Array> {
    const r = await this.post({ type: 'fit', files, size, fit }, 1);
    if (r.type === 'error') throw new DecodeError(r.file, r.message);
    if (r.type !== 'fit') throw new Error(`decode worker answered a fit job with ${r.type}`);
    return r.data;
  }

  /**
   * Whether each file reads and decodes, in order: the files are cut into chunks of `chunk`, at
   * most 2 per worker in flight (so a million-image dataset never queues a million messages), and
   * nothing but a short result per file comes back, so memory stays flat whatever the dataset size.
   * `onChunk` sees each chunk's results as soon as all earlier chunks are in, in file order.
   */
  async check(
    files: readonly string[],
    workers: number,
    onChunk: (first: number, results: readonly CheckResult[]) => void,
    opts: { chunk?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const chunk = opts.chunk ?? 64;
    const n = Math.ceil(files.length / chunk);
    const maxInFlight = 2 * Math.max(1, Math.floor(workers));
    const done = new Map<number, readonly CheckResult[]>();
    let next = 0;
    let delivered = 0;
    const inFlight = new Set<Promise<void>>();
    // Failures are kept, not thrown from the job's promise, so the jobs still in flight when the
    // first one fails never become unhandled rejections.
    let failure: Error | undefined;
    while (delivered < n) {
      while (next < n && inFlight.size < maxInFlight && !opts.signal?.aborted) {
        const c = next++;
        const p: Promise<void> = this.post({ type: 'check', files: files.slice(c * chunk, (c + 1) * chunk) }, workers).then(
          (r) => {
            if (r.type === 'check') done.set(c, r.results);
            else failure ??= new Error(`decode worker answered a check job with ${r.type}`);
            inFlight.delete(p);
          },
          (e: Error) => {
            failure ??= e;
            inFlight.delete(p);
          },
        );
        inFlight.add(p);
      }
      if (inFlight.size === 0) break; // aborted before the rest were posted
      await Promise.race(inFlight);
      if (failure) {
        await Promise.all(inFlight);
        throw failure;
      }
      // Deliver in order: a chunk waits for all earlier ones.
      while (done.has(delivered)) {
        onChunk(delivered * chunk, done.get(delivered)!);
        done.delete(delivered++);
      }
    }
    await Promise.all(inFlight);
  }
}

/** The process-wide decode pool. */
export const decodePool = new DecodePool();
