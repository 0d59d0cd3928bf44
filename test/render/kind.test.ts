import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../src/config/index.js';
import { ShardReader, readShardIdentities, readShardLabels, readShardParameters } from '../../src/dataset/index.js';
import type { NodeContext, Progress } from '../../src/node/index.js';
import type { PlanNode, RenderParams } from '../../src/plan/index.js';
import { FaceRenderer, exportReferenceLayout, prepareRender, renderKind, sampleIdentity, sampleImage, colorVariesPerImage } from '../../src/render/index.js';
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

  it('draws a rectified colour component as max(0, draw), from the same draws as a normal one', async () => {
    const all = await prepareRender({ ...params, dims: { ...params.dims, color: 64 } });
    const priors = all.model.colorPrior!;
    const beard = priors.indexOf('rectified');
    expect(beard).toBeGreaterThan(0);
    // The same model with every component normal: the draws, in order, are the same numbers.
    const { colorPrior: _, ...normalModel } = all.model;
    const normal = { ...all, model: normalModel };
    let zeros = 0;
    const ids = 400;
    for (let id = 0; id < ids; id++) {
      const r = sampleIdentity(all, id).color;
      const g = sampleIdentity(normal, id).color;
      expect(r.length).toBe(priors.length);
      for (let j = 0; j < r.length; j++) expect(r[j]).toBe(priors[j] === 'rectified' ? Math.max(0, g[j]!) : g[j]);
      if (r[beard] === 0) zeros++;
    }
    // Half the identities have none: binomial(400, 0.5) lies in 160..240 with p > 0.9999.
    expect(zeros).toBeGreaterThan(160);
    expect(zeros).toBeLessThan(240);
  });

  it('stores each identity\'s coefficients once, and gives them back with every label', async () => {
    const run = context(params, 1);
    await renderKind.run(run.ctx);
    const identities = readFileSync(path.join(run.outDir, 'identities.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(identities.map((i) => i.id)).toEqual([5, 6, 7]);
    const setup = await prepareRender(params);
    for (const i of identities) {
      // 6 significant digits of the identity's own draws (10 shape and 10 colour components).
      const drawn = sampleIdentity(setup, i.id);
      expect(i.shape).toEqual(Array.from(drawn.shape, (v) => Number(v.toPrecision(6))));
      expect(i.color).toEqual(Array.from(drawn.color, (v) => Number(v.toPrecision(6))));
      expect(i.model).toBe(setup.model.uri);
    }
    const lines = readFileSync(path.join(run.outDir, 'labels.jsonl'), 'utf8').trim().split('\n');
    for (const line of lines) {
      const l = JSON.parse(line);
      // Per-image colour draws are in the label only when the used dims reach such components.
      const perImage = colorVariesPerImage(params, setup.model);
      expect(Object.keys(l.extra).sort()).toEqual(['blur', ...(perImage ? ['color'] : []), 'contrast', 'expression', 'gain', 'noise', 'offset', 'sh']);
      expect(l.extra.expression).toHaveLength(4);
      // Blendshape activations stay in [0, 1].
      for (const w of l.extra.expression) expect(w >= 0 && w <= 1).toBe(true);
    }
    const full = await readShardParameters(run.outDir);
    expect(full.map((l) => l.identity?.id)).toEqual([5, 5, 6, 6, 7, 7]);
    // With every colour component in use, identity draws are 0 at per-image components and image
    // draws 0 at per-identity ones, and the image's draws go into its label.
    const per = setup.model.colorPer!;
    expect(per.filter((p) => p === 'image').length).toBeGreaterThan(0);
    const allColour = { ...params, dims: { ...params.dims, color: per.length } };
    const all = await prepareRender(allColour);
    const ident = sampleIdentity(all, 5).color;
    const img = sampleImage(all, 5, 1).color;
    per.forEach((p, j) => {
      expect(p === 'image' ? ident[j] : img[j]).toBe(0);
      // A rectified component (the beard) is 0 on about half the identities; the others never.
      if (setup.model.colorPrior?.[j] === 'rectified') expect(ident[j]).toBeGreaterThanOrEqual(0);
      else expect(p === 'image' ? img[j] : ident[j]).not.toBe(0);
    });
    expect(new FaceRenderer(all).render(5, 1).label.extra!.color).toEqual(Array.from(img, (v) => Number(v.toPrecision(6))));
    expect(full[3]!.identity).toEqual(identities[1]);
    expect(full[3]!.yaw).toBe((await readShardLabels(run.outDir))[3]!.yaw);
    expect((await readShardIdentities(run.outDir)).get(7)).toEqual(identities[2]);
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
    const identity = (await readShardIdentities(run.outDir)).get(5)!;
    expect(rps.momo.shape).toEqual(identity.shape);
    expect(rps.momo.color).toEqual(identity.color);
    expect(rps.momo.shape).toHaveLength(10);
    expect(rps.momo.expression).toEqual(label.extra!.expression);
    expect(rps.momo.modelURI).toBe(identity.model);
    const tlms = readFileSync(path.join(out, 'landmarks', '5', '5_0.tlms'), 'utf8').trim().split('\n');
    expect(tlms[0]).toMatch(/^left\.eye\.corner_outer [01] [\d.]+ [\d.]+$/);
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('exports the shards of one set into one folder', async () => {
    const a = context({ ...params, ids: 1 }, 1);
    await renderKind.run(a.ctx);
    const b = context({ ...params, firstId: 9, ids: 1 }, 1);
    await renderKind.run(b.ctx);
    const out = path.join(tmp, 'export-two');
    expect(await exportReferenceLayout([a.outDir, b.outDir], out)).toBe(4);
    expect(readdirSync(path.join(out, 'img')).sort()).toEqual(['5', '9']);
    const rows = readFileSync(path.join(out, 'parameters.csv'), 'utf8').trim().split('\n');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['5,0', '5,1', '9,0', '9,1']);
    expect(readdirSync(tmp).filter((f) => f.startsWith('export-two'))).toEqual(['export-two']);
  });
});
