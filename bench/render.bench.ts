// Images per second of the software renderer at 112 px: the built-in model and a BFM-sized mesh
// (28,588 vertices, 56,572 triangles, 199/199/100 components), in one thread and on every core.
import os from 'node:os';
import { RENDER_DEFAULTS } from '../src/lang/index.js';
import type { RenderParams } from '../src/plan/index.js';
import { FaceRenderer, RenderPool, prepareRender, sharedGl, syntheticModel, type MorphableModel } from '../src/render/index.js';
import type { Bench, BenchResult } from './harness.js';

const c = (value: number) => ({ type: 'const' as const, value });

function params(expression: boolean, model: 'builtin' | 'procedural' = 'builtin'): RenderParams {
  // The reference generator's defaults, as the planner fills them in.
  return {
    ...RENDER_DEFAULTS,
    model: { kind: model },
    firstId: 0,
    ids: 1000,
    imgsPerId: 10,
    size: 112,
    coeffs: { ...RENDER_DEFAULTS.coeffs, expression: expression ? RENDER_DEFAULTS.coeffs.expression : c(0) },
    background: { type: 'choice', name: 'texture' },
  };
}

async function singleThread(p: RenderParams, model: MorphableModel | undefined, ids: number): Promise<number> {
  const r = new FaceRenderer(await prepareRender(p, model));
  // Warm-up: the JIT and WebAssembly's optimising tier need a few dozen images.
  for (let s = 0; s < 30; s++) r.render(999 - (s % 3), s);
  const t0 = performance.now();
  for (let id = 0; id < ids; id++) for (let s = 0; s < p.imgsPerId; s++) r.render(id, s);
  return (ids * p.imgsPerId) / ((performance.now() - t0) / 1000);
}

/** Images per second of each setup, rendering in turns: identity k of every setup, then k + 1. */
async function alternating(ps: readonly RenderParams[], ids: number): Promise<number[]> {
  const rs = await Promise.all(ps.map(async (p) => new FaceRenderer(await prepareRender(p))));
  for (let s = 0; s < 30; s++) for (const r of rs) r.render(999 - (s % 3), s);
  const ms = rs.map(() => 0);
  for (let id = 0; id < ids; id++) {
    rs.forEach((r, k) => {
      const t0 = performance.now();
      for (let s = 0; s < ps[k]!.imgsPerId; s++) r.render(id, s);
      ms[k]! += performance.now() - t0;
    });
  }
  return ms.map((t, k) => (ids * ps[k]!.imgsPerId) / (t / 1000));
}

/** Wall-clock rate, rate per CPU-second (all threads of this process), and main-thread RSS growth. */
async function pooled(p: RenderParams, model: MorphableModel | undefined, ids: number, threads: number): Promise<{ rate: number; perCpuSecond: number; rssGrowthMb: number }> {
  // One arena slot per worker: a worker without one falls back to plain-JS reconstruction.
  const pool = new RenderPool(await prepareRender(p, model, threads), threads);
  const samples = Array.from({ length: p.imgsPerId }, (_, i) => i);
  try {
    // Warm-up: every worker starts and renders a few identities.
    await Promise.all(Array.from({ length: 2 * threads }, (_, i) => pool.render(900 + i, samples)));
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let id = 0; id < ids; id++) {
      inFlight.push(pool.render(id, samples));
      if (inFlight.length >= 2 * threads) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const images = ids * p.imgsPerId;
    const rate = images / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    return { rate, perCpuSecond: images / ((cpu.user + cpu.system) / 1e6), rssGrowthMb: (process.memoryUsage().rss - rss0) / 2 ** 20 };
  } finally {
    await pool.close();
  }
}

const bench: Bench = {
  name: 'render',
  async run(): Promise<BenchResult[]> {
    // The cores this process may use (honours taskset/affinity, unlike os.cpus()).
    const threads = os.availableParallelism();
    const bfm = syntheticModel();
    const out: BenchResult[] = [];
    const load = os.loadavg()[0]!.toFixed(1);
    const note = `112 px, 10 images per identity, dims 199/199/100 (capped at the model's), texture background, ${threads} cores, load average ${load} at start`;
    // The built-in (ICT) model against the procedural one (the default before render kind 4).
    // Issue 12 asks the built-in model to render at least as fast: the ratio rows, from this one
    // run. On a shared machine the load changes within a second, so the two models take turns per
    // identity (10 images of one, then the same 10 of the other, 60 identities) and each model's
    // times are summed: a burst of other load hits both alike. (Turns of 100 images, best of two,
    // gave ratios from 0.81 to 1.10 for the same code in consecutive runs at load average 7–10.)
    const ratios: BenchResult[] = [];
    for (const expression of [false, true]) {
      const what = expression ? 'new expression per image' : 'fixed expression';
      const [b, p] = await alternating([params(expression), params(expression, 'procedural')], 60);
      out.push({ name: `built-in model, 1 thread, ${what}`, value: b!, unit: 'img/s', note });
      out.push({ name: `procedural model, 1 thread, ${what}`, value: p!, unit: 'img/s', note });
      ratios.push({ name: `built-in / procedural speed, 1 thread, ${what}`, value: b! / p!, unit: 'x', target: '>= 1 (issue 12)', note: 'same run, turns per identity, 600 images each' });
    }
    out.push(...ratios);
    // What the optional highlight (`specular ~`) costs: the same renders with and without it, in turns.
    const [plain, lit] = await alternating([params(false), { ...params(false), specular: c(0.25) }], 60);
    out.push({ name: 'built-in model with / without specular ~ 0.25, 1 thread, fixed expression', value: lit! / plain!, unit: 'x', note: `${lit!.toFixed(0)} against ${plain!.toFixed(0)} img/s; same run, turns per identity, 600 images each` });
    out.push({ name: 'BFM-sized mesh, 1 thread, fixed expression', value: await singleThread(params(false), bfm, 12), unit: 'img/s', note });
    const b = await pooled(params(false), undefined, 10 * threads, threads);
    out.push({ name: `built-in model, ${threads} threads, fixed expression`, value: b.rate, unit: 'img/s', note });
    // The target's measure: ~2 s per run, best of two, since other load only ever slows it down.
    const runs = [await pooled(params(false), bfm, 40 * threads, threads), await pooled(params(false), bfm, 40 * threads, threads)];
    const f = runs[0]!.rate >= runs[1]!.rate ? runs[0]! : runs[1]!;
    out.push({ name: `BFM-sized mesh, ${threads} threads, fixed expression`, value: f.rate, unit: 'img/s', target: '>= 400 on 2 cores', note });
    // On a shared machine wall-clock rates understate the renderer; CPU-time rates do not.
    out.push({ name: 'BFM-sized mesh, images per CPU-second (any thread count)', value: f.perCpuSecond, unit: 'img/cpu-s', note: `× ${threads} cores = ${(f.perCpuSecond * threads).toFixed(0)} img/s on idle cores` });
    const e = await pooled(params(true), bfm, 4 * threads, threads);
    out.push({ name: `BFM-sized mesh, ${threads} threads, new expression per image`, value: e.rate, unit: 'img/s', note });
    out.push({ name: 'main-thread RSS growth while rendering (BFM-sized, fixed expression)', value: f.rssGrowthMb, unit: 'MiB', note: 'flat memory: buffers are reused per worker' });
    // The optional gl rasteriser (renderer: gl), only where headless-gl runs (installed, DISPLAY set).
    const gl = sharedGl();
    if (gl.ok) {
      const rate = await singleThread({ ...params(false), raster: 'gl' }, bfm, 12);
      out.push({ name: 'BFM-sized mesh, 1 thread, gl rasteriser (renderer: gl)', value: rate, unit: 'img/s', note: `${note}; GL: ${gl.renderer}` });
    }
    return out;
  },
};

export default bench;
