import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ShardWriter, type ImageLabel } from '../dataset/index.js';
import type { ProjectConfig } from '../config/index.js';
import type { NodeContext, NodeKind, Resources } from '../exec/kind.js';
import { KIND_VERSIONS, type RenderParams } from '../plan/index.js';
import { RenderPool } from './pool.js';
import { prepareRender } from './setup.js';

/** Worker threads a render uses: the configured threads, at most one per identity. */
export function renderThreads(params: RenderParams, config: ProjectConfig): number {
  return Math.max(1, Math.min(config.threads, params.ids));
}

/**
 * The `render` node kind: renders one shard (identities firstId … firstId + ids - 1, imgsPerId
 * images each) into `outDir` as a synx shard. Each finished identity is kept in the scratch folder,
 * so a killed run resumes where it stopped; the shard is assembled from them at the end.
 */
export const renderKind: NodeKind<RenderParams> = {
  kind: 'render',
  version: KIND_VERSIONS.render,
  resources(params: RenderParams, config: ProjectConfig): Resources {
    const threads = renderThreads(params, config);
    // A BFM file's bases are hundreds of MB of float32; the built-in model is a few MB.
    const model = params.model.kind === 'bfm' ? 512 : 64;
    return { cpu: threads, gpu: 0, memoryMb: model + threads * 32 };
  },
  async run(ctx: NodeContext<RenderParams>): Promise<void> {
    const p = ctx.params;
    const threads = renderThreads(p, ctx.config);
    const setup = await prepareRender(p, undefined, threads);
    const chunks = path.join(ctx.scratchDir, 'ids');
    mkdirSync(chunks, { recursive: true });
    const chunkFile = (id: number, ext: string) => path.join(chunks, `${id}.${ext}`);
    const isDone = (id: number) => existsSync(chunkFile(id, 'jsonl')) && existsSync(chunkFile(id, 'u8'));
    const todo: number[] = [];
    for (let i = 0; i < p.ids; i++) if (!isDone(p.firstId + i)) todo.push(p.firstId + i);
    const total = p.ids * p.imgsPerId;
    let done = total - todo.length * p.imgsPerId;
    if (done > 0) ctx.log(`resuming: ${done / p.imgsPerId} of ${p.ids} identities already rendered`);
    ctx.log(`rendering ${todo.length * p.imgsPerId} images (${p.size} px, model ${setup.model.uri}) on ${threads} thread(s)`);
    ctx.progress({ done, total, unit: 'images' });
    const samples = Array.from({ length: p.imgsPerId }, (_, i) => i);
    const t0 = performance.now();
    let rendered = 0;
    const pool = new RenderPool(setup, threads);
    try {
      const inFlight = new Set<Promise<void>>();
      for (const id of todo) {
        if (ctx.signal.aborted) break;
        const job: Promise<void> = pool.render(id, samples).then(async (images) => {
          // Images first, labels last: a chunk counts as done only once its labels exist.
          const u8 = Buffer.concat(images.map((im) => im.rgb));
          await writeFile(`${chunkFile(id, 'u8')}.tmp`, u8);
          await rename(`${chunkFile(id, 'u8')}.tmp`, chunkFile(id, 'u8'));
          await writeFile(`${chunkFile(id, 'jsonl')}.tmp`, images.map((im) => `${JSON.stringify(im.label)}\n`).join(''));
          await rename(`${chunkFile(id, 'jsonl')}.tmp`, chunkFile(id, 'jsonl'));
          done += images.length;
          rendered += images.length;
          const secs = (performance.now() - t0) / 1000;
          ctx.progress({ done, total, unit: 'images', metrics: { 'img/s': secs > 0 ? Math.round(rendered / secs) : 0 } });
        });
        inFlight.add(job);
        void job.then(
          () => inFlight.delete(job),
          () => inFlight.delete(job),
        );
        // A bounded window keeps memory flat however many identities the shard has.
        if (inFlight.size >= 2 * threads) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      await pool.close();
    }
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
    const writer = new ShardWriter(ctx.outDir, { size: p.size, firstId: p.firstId, ids: p.ids, imgsPerId: p.imgsPerId });
    const bytes = p.size * p.size * 3;
    for (let i = 0; i < p.ids; i++) {
      const id = p.firstId + i;
      const u8 = await readFile(chunkFile(id, 'u8'));
      const labels = (await readFile(chunkFile(id, 'jsonl'), 'utf8'))
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as ImageLabel);
      for (let s = 0; s < p.imgsPerId; s++) await writer.write(u8.subarray(s * bytes, (s + 1) * bytes), labels[s]!);
    }
    await writer.close();
    ctx.log(`wrote ${total} images`);
  },
};
