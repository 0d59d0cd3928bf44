import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../src/config/index.js';
import { ShardReader, readShardLabels } from '../../src/dataset/index.js';
import type { NodeContext, Progress } from '../../src/exec/kind.js';
import type { PlanNode, RenderParams } from '../../src/plan/index.js';
import { FaceRenderer, exportReferenceLayout, prepareRender, renderKind } from '../../src/render/index.js';
import { baseParams } from './fixtures.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function context(params: RenderParams, threads: number, opts: { scratch?: string; signal?: AbortSignal } = {}) {
  const dir = path.join(tmp, `run-${n++}`);
  const outDir = path.join(dir, 'out');
  const scratchDir = opts.scratch ?? path.join(dir, 'scratch');
  rmSync(outDir, { recursive: true, force: true });
  for (const d of [outDir, scratchDir]) mkdirSync(d, { recursive: true });
  const progress: Progress[] = [];
  const logs: string[] = [];
  const config = { threads, root: tmp, cache: tmp, runs: tmp, datasets: {}, backend: 'cpu', jobs: 1, cpus: 2, gpus: 0, executor: 'local', slurm: {} } as ProjectConfig;
  const ctx: NodeContext<RenderParams> = {
    node: { id: 'render-test', kind: 'render', label: 'render test', fingerprint: 'x', deps: [], inputs: [], params: {}, experiments: [] } as unknown as PlanNode,
    params,
    inputs: [],
    outDir,
    scratchDir,
    config,
    signal: opts.signal ?? new AbortController().signal,
    progress: (p) => progress.push(p),
    log: (m) => logs.push(m),
  };
  return { ctx, progress, logs, outDir, scratchDir };
}

const params = baseParams({
  firstId: 5,
  ids: 3,
  imgsPerId: 2,
  size: 48,
  dims: { shape: 10, color: 10, expression: 4 },
  pose: { ...baseParams().pose, yaw: { type: 'uniform', lo: -60, hi: 60 } },
  illumination: { type: 'choice', name: 'prior' },
  background: { type: 'mix', parts: [{ weight: 1, dist: { type: 'choice', name: 'noise' } }, { weight: 1, dist: { type: 'choice', name: 'texture' } }] },
});

describe('renderKind', () => {
  it('declares its kind, version and resources', () => {
    expect(renderKind.kind).toBe('render');
    expect(renderKind.resources(params, { threads: 8 } as ProjectConfig).cpu).toBe(3);
    expect(renderKind.resources(params, { threads: 2 } as ProjectConfig)).toMatchObject({ cpu: 2, gpu: 0 });
  });

  it('writes one whole shard with global identity labels, the same bytes on 1 or 2 threads', async () => {
    const one = context(params, 1);
    await renderKind.run(one.ctx);
    const two = context(params, 2);
    await renderKind.run(two.ctx);
    const r1 = new ShardReader(one.outDir);
    expect(r1.header).toMatchObject({ count: 6, size: 48, firstId: 5, ids: 3, imgsPerId: 2 });
    const labels = await readShardLabels(one.outDir);
    expect(labels.map((l) => [l.id, l.sample])).toEqual([[5, 0], [5, 1], [6, 0], [6, 1], [7, 0], [7, 1]]);
    expect(labels[0]!.landmarks.length).toBeGreaterThan(10);
    expect(Buffer.from(r1.readAll()).equals(Buffer.from(new ShardReader(two.outDir).readAll()))).toBe(true);
    expect(readFileSync(path.join(two.outDir, 'labels.jsonl'), 'utf8')).toBe(readFileSync(path.join(one.outDir, 'labels.jsonl'), 'utf8'));
    expect(one.progress.at(-1)).toMatchObject({ done: 6, total: 6, unit: 'images' });
    // Any single image re-rendered alone equals its copy in the shard.
    const alone = new FaceRenderer(await prepareRender(params)).render(6, 1);
    expect(Buffer.from(await r1.readImage(3)).equals(Buffer.from(alone.rgb))).toBe(true);
  });

  it('resumes from the identities a killed run left in scratch', async () => {
    const first = context(params, 1);
    await renderKind.run(first.ctx);
    // Mark identity 6 as rendered with recognisable bytes: a resumed run must reuse, not redo, it.
    writeFileSync(path.join(first.scratchDir, 'ids', '6.u8'), Buffer.alloc(2 * 48 * 48 * 3, 7));
    rmSync(path.join(first.scratchDir, 'ids', '7.jsonl'));
    const again = context(params, 1, { scratch: first.scratchDir });
    await renderKind.run(again.ctx);
    expect(again.logs.some((l) => l.startsWith('resuming: 2 of 3'))).toBe(true);
    const r = new ShardReader(again.outDir);
    expect((await r.readImage(2)).every((v) => v === 7)).toBe(true);
    expect(Buffer.from(await r.readImage(4)).equals(Buffer.from(await new ShardReader(first.outDir).readImage(4)))).toBe(true);
  });

  it('leaves no shard when cancelled', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    const run = context(params, 1, { signal: ac.signal });
    await expect(renderKind.run(run.ctx)).rejects.toThrow('cancelled by test');
    expect(existsSync(path.join(run.outDir, 'shard.json'))).toBe(false);
  });

  it('exports a shard in the reference generator layout', async () => {
    const run = context({ ...params, ids: 1 }, 1);
    await renderKind.run(run.ctx);
    const out = path.join(tmp, 'export');
    expect(await exportReferenceLayout(run.outDir, out)).toBe(2);
    expect(readdirSync(path.join(out, 'img', '5')).sort()).toEqual(['5_0.png', '5_1.png']);
    const rps = JSON.parse(readFileSync(path.join(out, 'rps', '5', '5_1.rps'), 'utf8'));
    const label = (await readShardLabels(run.outDir))[1]!;
    expect(rps.pose.yaw).toBeCloseTo((label.yaw * Math.PI) / 180, 9);
    expect(rps.environmentMap.coefficients).toHaveLength(9);
    expect(rps.version).toBe('V4.0');
    const tlms = readFileSync(path.join(out, 'landmarks', '5', '5_0.tlms'), 'utf8').trim().split('\n');
    expect(tlms[0]).toMatch(/^left\.eye\.corner_outer [01] [\d.]+ [\d.]+$/);
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
