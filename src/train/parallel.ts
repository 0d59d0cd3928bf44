import { Worker } from 'node:worker_threads';
import { workerScript } from '../util/index.js';
import type { GradientState, LossConfig } from './trainer.js';
import type { NetworkDef } from './networks.js';

/** Backends that run on a GPU: one training thread each. */
export const GPU_BACKENDS: ReadonlySet<string> = new Set(['webgpu', 'tfjs-node-gpu']);

/** One part of a batch: its images (u8 NHWC) and class labels. */
export interface BatchPart {
  readonly x: Uint8Array;
  readonly labels: Int32Array;
}


/**
 * Data-parallel gradients: the main thread's GradientState plus `threads − 1` workers. Each
 * batch is cut into parts (a fixed number, so results do not depend on the thread count); part i
 * runs on thread i mod threads; the gradients are averaged in part order, so the same seed gives
 * the same bytes with 1 or 16 threads.
 */
export class ParallelGradients {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: { loss: number; grads: Float32Array[] }) => void; reject: (e: Error) => void }>();

  private constructor(private readonly main: GradientState) {}

  /**
   * Starts `threads − 1` workers on `backend` (none when threads ≤ 1, and none on a GPU backend:
   * each worker would open its own device on the one GPU and they would only queue there, with a
   * copy of every weight and activation each).
   */
  static async start(main: GradientState, threads: number, backend: string): Promise<ParallelGradients> {
    if (GPU_BACKENDS.has(backend)) threads = 1;
    const p = new ParallelGradients(main);
    if (threads <= 1) return p;
    const { script, eval: isEval } = workerScript(import.meta.url, 'worker');
    const def: NetworkDef = main.def;
    const loss: LossConfig = main.lossConfig;
    await Promise.all(
      Array.from({ length: Math.max(0, threads - 1) }, async () => {
        const w = new Worker(script, {
          eval: isEval,
          workerData: { backend, network: def.network, input: def.input, embedding: def.embedding, neck: def.neck, loss },
        });
        p.workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', () => {
            w.off('error', reject);
            resolve();
          });
        });
        w.on('message', (m: { id: number; loss?: number; grads?: Float32Array[]; error?: string }) => {
          const k = p.waiting.get(m.id);
          if (!k) return;
          p.waiting.delete(m.id);
          if (m.error !== undefined) k.reject(new Error(`training worker: ${m.error}`));
          else k.resolve({ loss: m.loss!, grads: m.grads! });
        });
        w.on('error', (e) => {
          for (const k of p.waiting.values()) k.reject(e);
          p.waiting.clear();
        });
      }),
    );
    return p;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Mean loss and mean gradients of the parts, with the main thread's current weights. */
  async gradients(parts: readonly BatchPart[]): Promise<{ loss: number; grads: Float32Array[] }> {
    const results: Promise<{ loss: number; grads: Float32Array[] }>[] = [];
    const sent = new Set<number>();
    parts.forEach((part, i) => {
      const t = i % this.threads;
      if (t === 0) return;
      const w = this.workers[t - 1]!;
      const id = this.nextId++;
      results[i] = new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
      // Each worker gets the weights once per step, with its first part: a copy of its own,
      // moved to it rather than cloned again on the way.
      const values = sent.has(t) ? undefined : this.main.values();
      w.postMessage({ id, values, x: part.x, labels: part.labels }, values ? values.map((v) => v.buffer as ArrayBuffer) : []);
      sent.add(t);
    });
    parts.forEach((part, i) => {
      if (i % this.threads === 0) results[i] = this.main.gradients(part.x, part.labels);
    });
    const all = await Promise.all(results);
    return { loss: all.reduce((s, r) => s + r.loss, 0) / all.length, grads: meanGradients(all.map((r) => r.grads)) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The element-wise mean of the parts' gradients, in part order, written over the first part's
 * arrays (the parts' arrays are this step's own copies). Float32 rounding after each addition
 * and after the division, from +0, as summing into zeroed Float32Arrays and then dividing them
 * does: the same bytes in one pass and no new arrays.
 */
export function meanGradients(parts: readonly (readonly Float32Array[])[]): Float32Array[] {
  const out = parts[0]!.slice();
  for (let j = 0; j < out.length; j++) meanOf(out[j]!, parts, j);
  return out;
}

/**
 * Variable j's mean over the parts into `acc`. A function of its own, with a loop for two parts
 * (a batch of 32 or 47): as closures over `forEach`, the loops ran about 3.4× slower in V8.
 */
function meanOf(acc: Float32Array, parts: readonly (readonly Float32Array[])[], j: number): void {
  const n = parts.length;
  if (n === 2) {
    const a = parts[0]![j]!;
    const b = parts[1]![j]!;
    for (let k = 0; k < acc.length; k++) acc[k] = Math.fround(Math.fround(0 + a[k]!) + b[k]!) / 2;
    return;
  }
  for (let k = 0; k < acc.length; k++) {
    let s = 0;
    for (let p = 0; p < n; p++) s = Math.fround(s + parts[p]![j]![k]!);
    acc[k] = s / n;
  }
}
