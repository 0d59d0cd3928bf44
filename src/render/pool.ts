import { Worker } from 'node:worker_threads';
import { workerScript } from '../util/index.js';
import { shareModel } from './model.js';
import { FaceRenderer, type RenderedImage } from './renderer.js';
import type { RenderSetup } from './scene.js';

/** A request to a worker: these samples of one identity. */
export interface WorkerJob {
  readonly job: number;
  readonly id: number;
  readonly samples: readonly number[];
}

/** A worker's answer: the images (with labels and maps) in sample order, or the error that stopped it. */
export interface WorkerResult {
  readonly job: number;
  readonly images?: RenderedImage[];
  readonly error?: string;
}


/**
 * Renders identities on `threads` worker threads that stay alive across jobs; with 1 thread it
 * renders in this thread. Output never depends on the thread count: every image is a function of
 * (setup, id, sample) alone.
 */
export class RenderPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: WorkerJob; resolve: (r: RenderedImage[]) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: RenderedImage[]) => void; reject: (e: Error) => void; worker: Worker }>();
  private readonly local: FaceRenderer | null;
  private nextJob = 0;
  private failed: Error | null = null;

  constructor(setup: RenderSetup, readonly threads: number) {
    if (threads <= 1) {
      this.local = new FaceRenderer(setup);
      return;
    }
    this.local = null;
    const shared: RenderSetup = { ...setup, model: shareModel(setup.model, threads + 1) };
    const entry = workerScript(import.meta.url, 'worker');
    for (let i = 0; i < threads; i++) {
      const w = new Worker(entry.script, { workerData: shared, eval: entry.eval });
      w.on('message', (m: WorkerResult) => this.onResult(w, m));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`render worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private closed = false;

  /** Renders `samples` of identity `id`; resolves with the images in sample order. */
  render(id: number, samples: readonly number[]): Promise<RenderedImage[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.local) {
      try {
        return Promise.resolve(samples.map((s) => this.local!.render(id, s)));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { job: this.nextJob++, id, samples }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const q = this.queue.shift()!;
      this.pending.set(q.job.job, { resolve: q.resolve, reject: q.reject, worker: w });
      w.postMessage(q.job);
    }
  }

  private onResult(w: Worker, m: WorkerResult): void {
    const p = this.pending.get(m.job);
    if (!p) return;
    this.pending.delete(m.job);
    this.idle.push(w);
    if (m.error !== undefined || !m.images) p.reject(new Error(`render worker failed: ${m.error ?? 'no result'}`));
    else p.resolve(m.images);
    this.dispatch();
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
    for (const q of this.queue) q.reject(e);
    this.pending.clear();
    this.queue.length = 0;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
