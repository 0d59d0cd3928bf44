import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ShardWriter, type IdentityLabel, type ImageLabel } from '../dataset/index.js';
import type { ProjectConfig } from '../config/index.js';
import type { NodeContext, NodeKind, Resources } from '../node/index.js';
import { KIND_VERSIONS, type RenderParams } from '../plan/index.js';
import { RenderPool } from './pool.js';
import { prepareRender } from './setup.js';
import { rasteriserName } from './gl-context.js';

/** The bytes of a typed array (a view, not a copy). */
function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Worker threads a render uses: the configured threads, at most one per identity. */
export function renderThreads(params: RenderParams, config: ProjectConfig): number {
  // headless-gl's addon is not context-aware: it loads in one thread per process only ("Module
  // did not self-register" in the next), so the gl rasteriser renders on the node's own thread.
  if (params.raster === 'gl') return 1;
  return Math.max(1, Math.min(config.threads, params.ids));
}

/**
 * The `render` node kind: renders one shard (identities firstId … firstId + ids - 1, imgsPerId
 * images each) into `outDir` as a synx shard. Each finished identity is kept in the scratch folder
 * (`<id>.u8` pixels, `<id>.depth.f32`/`<id>.normal.u8` maps, `<id>.identity.json`, and `<id>.jsonl`
 * labels written last), so a killed run resumes where it stopped; the shard is assembled at the end.
 */
export const renderKind: NodeKind<RenderParams> = {
  kind: 'render',
  version: KIND_VERSIONS.render,
  resources(params: RenderParams, config: ProjectConfig): Resources {
    const threads = renderThreads(params, config);
    // A BFM file's bases are hundreds of MB of float32; the built-in (ICT) model's decoded bases
    // about 70 MB (float32 and the shared int16 copy), the procedural one's a few MB.
    const model = params.model.kind === 'bfm' ? 512 : params.model.kind === 'builtin' ? 160 : 64;
    return { cpu: threads, gpu: 0, memoryMb: model + threads * 32 };
  },
  async run(ctx: NodeContext<RenderParams>): Promise<void> {
    const p = ctx.params;
    const threads = renderThreads(p, ctx.config);
    const maps = p.maps ?? [];
    const setup = await prepareRender(p, undefined, threads);
    const chunks = path.join(ctx.scratchDir, 'ids');
    mkdirSync(chunks, { recursive: true });
    const chunkFile = (id: number, ext: string) => path.join(chunks, `${id}.${ext}`);
    const chunkExts = ['u8', 'identity.json', ...(maps.includes('depth') ? ['depth.f32'] : []), ...(maps.includes('normal') ? ['normal.u8'] : []), 'jsonl'];
    const isDone = (id: number) => chunkExts.every((ext) => existsSync(chunkFile(id, ext)));
    const todo: number[] = [];
    for (let i = 0; i < p.ids; i++) if (!isDone(p.firstId + i)) todo.push(p.firstId + i);
    const total = p.ids * p.imgsPerId;
    let done = total - todo.length * p.imgsPerId;
    if (done > 0) ctx.log(`resuming: ${done / p.imgsPerId} of ${p.ids} identities already rendered`);
    ctx.log(`rendering ${todo.length * p.imgsPerId} images (${p.size} px, model ${setup.model.uri}) on ${threads} thread(s), ${rasteriserName(p)}`);
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
          const put = async (ext: string, data: Uint8Array | string) => {
            await writeFile(`${chunkFile(id, ext)}.tmp`, data);
            await rename(`${chunkFile(id, ext)}.tmp`, chunkFile(id, ext));
          };
          await put('u8', Buffer.concat(images.map((im) => im.rgb)));
          if (maps.includes('depth')) await put('depth.f32', Buffer.concat(images.map((im) => bytesOf(im.maps.depth!))));
          if (maps.includes('normal')) await put('normal.u8', Buffer.concat(images.map((im) => im.maps.normal!)));
          await put('identity.json', JSON.stringify(images[0]!.identity));
          await put('jsonl', images.map((im) => `${JSON.stringify(im.label)}\n`).join(''));
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
    const writer = new ShardWriter(ctx.outDir, { size: p.size, firstId: p.firstId, ids: p.ids, imgsPerId: p.imgsPerId, maps });
    const px = p.size * p.size;
    for (let i = 0; i < p.ids; i++) {
      const id = p.firstId + i;
      const u8 = await readFile(chunkFile(id, 'u8'));
      const depth = maps.includes('depth') ? await readFile(chunkFile(id, 'depth.f32')) : undefined;
      const normal = maps.includes('normal') ? await readFile(chunkFile(id, 'normal.u8')) : undefined;
      const labels = (await readFile(chunkFile(id, 'jsonl'), 'utf8'))
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as ImageLabel);
      await writer.writeIdentity(JSON.parse(await readFile(chunkFile(id, 'identity.json'), 'utf8')) as IdentityLabel);
      for (let s = 0; s < p.imgsPerId; s++) {
        const slice = (b: Buffer | undefined, per: number) => b?.subarray(s * per, (s + 1) * per);
        const d = slice(depth, px * 4);
        await writer.write(u8.subarray(s * px * 3, (s + 1) * px * 3), labels[s]!, {
          // Copied so the float view is aligned (a Buffer from readFile may start at any offset).
          ...(d ? { depth: new Float32Array(new Uint8Array(d).buffer) } : {}),
          ...(normal ? { normal: slice(normal, px * 3)! } : {}),
        });
      }
    }
    await writer.close();
    ctx.log(`wrote ${total} images`);
  },
};
