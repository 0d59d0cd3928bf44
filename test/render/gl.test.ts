// The headless-gl raster backend against the software rasteriser (the reference): same scenes,
// pixel differences within stated bounds; and how `renderer` in synx.yaml is resolved, planned
// and reported when gl cannot start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { NodeFailure } from '../../src/node/index.js';
import { compileText, type RenderParams } from '../../src/plan/index.js';
import {
  FaceRenderer,
  chooseRenderer,
  createFrame,
  createGlRasterTarget,
  createScreenVertices,
  glUnavailable,
  prepareRender,
  probeGl,
  rasteriserName,
  rasterize,
  renderThreads,
  resolveRenderer,
  sharedGl,
  type Frame,
} from '../../src/render/index.js';
import { keyedRng } from '../../src/rng/index.js';
import { synx } from '../cli/cli-io.js';
import { baseParams, referenceParams } from './fixtures.js';
import { constDist } from '../helpers/dist.js';

const glInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('gl');
    return true;
  } catch {
    return false;
  }
})();
const SKIP_REASON = 'skipped: the optional package gl (headless-gl) is not installed; bash scripts/setup-gl.sh installs it';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-gl-'));
let xvfb: ChildProcess | undefined;

/** Starts Xvfb on a free display (it picks one itself and writes the number to fd 3). */
async function startXvfb(): Promise<string> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  xvfb = proc;
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in 20 s: ${err}`)), 20_000);
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    proc.on('error', (e) => reject(e));
    proc.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  if (!glInstalled || process.env.DISPLAY) return;
  // A missing Xvfb fails the tests (with this message) rather than skipping them.
  if (spawnSync('sh', ['-c', 'command -v Xvfb']).status !== 0) throw new Error('DISPLAY is unset and Xvfb is not installed: run bash scripts/setup-gl.sh');
  process.env.DISPLAY = await startXvfb();
}, 30_000);

afterAll(() => {
  if (xvfb?.pid !== undefined && xvfb.exitCode === null) process.kill(xvfb.pid, 'SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/** How two frames differ: coverage disagreements, and colour over pixels both cover. */
interface FrameDiff {
  /** Pixels covered by either frame. */
  covered: number;
  /** Pixels covered by exactly one. */
  coverageMismatch: number;
  /** Mean |Δ| over the RGB channels of pixels both cover. */
  meanAbs: number;
  /** 99th percentile of |Δ| over those channels. */
  p99: number;
  max: number;
}

function diffFrames(a: Frame, b: Frame): FrameDiff {
  let covered = 0;
  let coverageMismatch = 0;
  const d: number[] = [];
  for (let p = 0; p < a.coverage.length; p++) {
    if (a.coverage[p] || b.coverage[p]) covered++;
    if (a.coverage[p] !== b.coverage[p]) coverageMismatch++;
    else if (a.coverage[p]) for (let c = 0; c < 3; c++) d.push(Math.abs(a.color[3 * p + c]! - b.color[3 * p + c]!));
  }
  d.sort((x, y) => x - y);
  const meanAbs = d.reduce((s, x) => s + x, 0) / Math.max(1, d.length);
  return { covered, coverageMismatch, meanAbs, p99: d[Math.floor(0.99 * (d.length - 1))] ?? 0, max: d[d.length - 1] ?? 0 };
}

function copyFrame(f: Frame): Frame {
  return { size: f.size, color: f.color.slice(), invDepth: f.invDepth.slice(), coverage: f.coverage.slice() };
}

// Bounds, from measurement on Mesa llvmpipe (ANGLE over OpenGL 4.5, 24-bit depth) at 112 px with
// the built-in model, 40 images incl. ±90° profiles: at most 1 pixel per image (0.03% of the face)
// covered by one rasteriser only (a pixel centre within GL's 1/256 px snapping of an edge), colour
// |Δ| mean ≤ 6e-6 and 99th percentile ≤ 3e-6 (float32 vs float64 interpolation), and a single
// larger |Δ| (up to 0.04) where a fold of the face puts two surfaces at nearly equal depth and the
// 24-bit depth test and the float64 one keep different triangles. The bounds leave ~10× room for
// GPUs, whose rasterisers snap and interpolate differently: all well below one 8-bit level (0.004)
// except the depth-tie pixels, which the per-image mismatch bound counts.
const MAX_COVERAGE_MISMATCH = 0.005; // fraction of covered pixels
const MAX_MEAN_ABS = 1e-4;
const MAX_P99 = 1e-3;

describe.skipIf(!glInstalled)(`gl raster backend (${glInstalled ? 'gl installed' : SKIP_REASON})`, () => {
  it('creates a context, with the extensions it needs, and names its renderer', () => {
    const p = sharedGl();
    if (!p.ok) throw new Error(`${p.problem} (${p.hint})`);
    expect(p.renderer.length).toBeGreaterThan(0);
    expect(p.renderer).not.toBe('ANGLE'); // the real driver string, not headless-gl's constant
    console.log(`gl renderer: ${p.renderer} (${p.software ? 'software GL' : 'GPU'})`);
  });

  it('rasterises random triangles like the software rasteriser: culling, near plane, depth order, perspective', () => {
    const size = 48;
    const rng = keyedRng(7);
    const nt = 300;
    const n = 3 * nt + 3;
    const s = createScreenVertices(n);
    for (let t = 0; t < nt; t++) {
      // Layer t: 1/depth within [b, b + 5e-6], layers 1e-5 apart, so triangles overlap on screen
      // but never intersect in depth, and the later (nearer) layer must win. Random winding: about
      // half face away, and both rasterisers must drop the same ones.
      const base = 1e-3 + t * 1e-5;
      const cx = rng.uniform() * 60 - 6;
      const cy = rng.uniform() * 60 - 6;
      for (let k = 0; k < 3; k++) {
        const i = 3 * t + k;
        s.x[i] = cx + (rng.uniform() - 0.5) * 24;
        s.y[i] = cy + (rng.uniform() - 0.5) * 24;
        // Every 25th triangle has a vertex behind the near plane: skipped by both.
        s.iw[i] = t % 25 === 0 && k === 1 ? -1 : base + rng.uniform() * 5e-6;
        s.rw[i] = rng.uniform() * s.iw[i]!;
        s.gw[i] = rng.uniform() * s.iw[i]!;
        s.bw[i] = rng.uniform() * s.iw[i]!;
      }
    }
    // One large front-facing triangle in front of all of them, its depth varying 5x across it, so
    // perspective-correct colour is far from screen-linear colour. Off-grid corners: with whole
    // pixel corners, pixel centres fall exactly on its long edge, which raster.ts draws (e ≥ 0)
    // and GL's top-left rule leaves to the neighbouring triangle.
    const big = 3 * nt;
    const iws = [4e-2, 8e-3, 2.4e-2];
    const xs = [2.3, 4.1, 46.2];
    const ys = [2.2, 45.9, 24.3];
    for (let k = 0; k < 3; k++) {
      s.x[big + k] = xs[k]!;
      s.y[big + k] = ys[k]!;
      s.iw[big + k] = iws[k]!;
      s.rw[big + k] = (k === 0 ? 1 : 0) * iws[k]!;
      s.gw[big + k] = (k === 1 ? 1 : 0) * iws[k]!;
      s.bw[big + k] = (k === 2 ? 1 : 0) * iws[k]!;
    }
    const range = (a: number, b: number) => new Uint32Array(Array.from({ length: b - a }, (_, i) => a + i));
    for (const [name, tris] of [['random', range(0, big)], ['random + big', range(0, n)], ['big', range(big, n)]] as const) {
      const ref = createFrame(size);
      rasterize(ref, s, tris);
      const target = createGlRasterTarget(size, n, tris);
      for (const key of ['x', 'y', 'iw', 'rw', 'gw', 'bw'] as const) target.screen[key].set(s[key]);
      target.draw();
      const d = diffFrames(ref, target.frame);
      expect(d.covered, name).toBeGreaterThan(size * size * 0.3);
      expect(d.coverageMismatch, name).toBeLessThanOrEqual(3);
      expect(d.meanAbs, name).toBeLessThan(1e-5);
      expect(d.p99, name).toBeLessThan(1e-4);
      // 1/depth where both cover: GL interpolates it in float32.
      let worst = 0;
      for (let p = 0; p < size * size; p++) {
        if (ref.coverage[p] && target.frame.coverage[p]) worst = Math.max(worst, Math.abs(ref.invDepth[p]! - target.frame.invDepth[p]!) / ref.invDepth[p]!);
      }
      expect(worst, name).toBeLessThan(1e-5);
      if (name === 'big') {
        // The agreement means something: screen-linear interpolation would be off by > 0.2.
        let linearOff = 0;
        for (let p = 0; p < size * size; p++) {
          if (!ref.coverage[p]) continue;
          const px = (p % size) + 0.5;
          const py = Math.floor(p / size) + 0.5;
          const area = (xs[1]! - xs[0]!) * (ys[2]! - ys[0]!) - (ys[1]! - ys[0]!) * (xs[2]! - xs[0]!);
          const l1 = ((px - xs[0]!) * (ys[2]! - ys[0]!) - (py - ys[0]!) * (xs[2]! - xs[0]!)) / area;
          linearOff = Math.max(linearOff, Math.abs(target.frame.color[3 * p + 1]! - l1));
        }
        expect(linearOff).toBeGreaterThan(0.2);
      }
      target.dispose();
    }
  });

  it('renders the same faces as the software rasteriser (built-in model, 112 px, frontal to profile)', async () => {
    const dims = { shape: 199, color: 199, expression: 100 };
    const c = constDist;
    const poses: [number, number, number][] = [
      [0, 0, 0],
      [30, 10, 5],
      [-45, -15, 0],
      [90, 0, 0],
      [-90, 5, -10],
      [70, -20, 15],
    ];
    const scenes: RenderParams[] = poses.map(([yaw, pitch, roll]) =>
      baseParams({ ids: 3, imgsPerId: 2, dims, illumination: { type: 'choice', name: 'prior' }, pose: { ...baseParams().pose, yaw: c(yaw), pitch: c(pitch), roll: c(roll) } }),
    );
    // And the reference generator's defaults: random poses, lights, backgrounds.
    scenes.push(referenceParams({ ids: 3, imgsPerId: 4 }));
    const worst = { mismatch: 0, meanAbs: 0, p99: 0, bytes: 0 };
    let images = 0;
    for (const params of scenes) {
      const sw = new FaceRenderer(await prepareRender(params));
      const gl = new FaceRenderer(await prepareRender({ ...params, raster: 'gl' }));
      for (let id = 0; id < params.ids; id++) {
        for (let sample = 0; sample < params.imgsPerId; sample++) {
          const a = sw.renderWithExtras(id, sample);
          const fa = copyFrame(a.extras.frame);
          const b = gl.renderWithExtras(id, sample);
          const d = diffFrames(fa, b.extras.frame);
          expect(d.covered).toBeGreaterThan(1000);
          // The 8-bit images users get: bytes more than one level apart.
          let bytes = 0;
          for (let i = 0; i < a.image.rgb.length; i++) if (Math.abs(a.image.rgb[i]! - b.image.rgb[i]!) > 1) bytes++;
          worst.mismatch = Math.max(worst.mismatch, d.coverageMismatch / d.covered);
          worst.meanAbs = Math.max(worst.meanAbs, d.meanAbs);
          worst.p99 = Math.max(worst.p99, d.p99);
          worst.bytes = Math.max(worst.bytes, bytes / a.image.rgb.length);
          images++;
        }
      }
    }
    console.log(`gl vs software over ${images} images: worst coverage mismatch ${(100 * worst.mismatch).toFixed(3)}% of the face, colour |Δ| mean ${worst.meanAbs.toExponential(1)}, p99 ${worst.p99.toExponential(1)}, 8-bit bytes off by >1: ${(100 * worst.bytes).toFixed(3)}%`);
    expect(images).toBe(48);
    expect(worst.mismatch).toBeLessThanOrEqual(MAX_COVERAGE_MISMATCH);
    expect(worst.meanAbs).toBeLessThanOrEqual(MAX_MEAN_ABS);
    expect(worst.p99).toBeLessThanOrEqual(MAX_P99);
    // Every differing byte is an edge or depth-tie pixel: a small fraction of the image.
    expect(worst.bytes).toBeLessThanOrEqual(MAX_COVERAGE_MISMATCH);
  });

  it('gives the same depth and normal maps (normals are signed: the float target must not clamp)', async () => {
    const params = baseParams({ ids: 2, imgsPerId: 2, dims: { shape: 199, color: 199, expression: 100 }, pose: { ...baseParams().pose, yaw: { type: 'uniform', lo: -80, hi: 80 } }, maps: ['depth', 'normal'] });
    const sw = new FaceRenderer(await prepareRender(params));
    const gl = new FaceRenderer(await prepareRender({ ...params, raster: 'gl' }));
    for (let id = 0; id < 2; id++) {
      for (let sample = 0; sample < 2; sample++) {
        const a = sw.render(id, sample).maps;
        const b = gl.render(id, sample).maps;
        let depthOff = 0;
        let normalOff = 0;
        let faces = 0;
        for (let p = 0; p < a.depth!.length; p++) {
          if (a.depth![p]! > 0 && b.depth![p]! > 0) {
            faces++;
            if (Math.abs(a.depth![p]! - b.depth![p]!) > 0.01) depthOff++; // mm
            for (let c = 0; c < 3; c++) if (Math.abs(a.normal![3 * p + c]! - b.normal![3 * p + c]!) > 1) normalOff++;
          }
        }
        expect(faces).toBeGreaterThan(1000);
        expect(depthOff / faces).toBeLessThanOrEqual(MAX_COVERAGE_MISMATCH);
        expect(normalOff / (3 * faces)).toBeLessThanOrEqual(MAX_COVERAGE_MISMATCH);
      }
    }
  });

  it('`renderer: gl` in synx.yaml renders through gl on one thread, cached apart from software', async () => {
    const dir = mkdtempSync(path.join(tmp, 'run-'));
    writeFileSync(path.join(dir, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n  image 48px\n}\n');
    writeFileSync(path.join(dir, 'synx.yaml'), 'renderer: gl\nthreads: 2\n');
    const gl = await synx(dir, 'run', 'tiny.synexp', '--verbose');
    expect(gl.code, gl.stderr).toBe(0);
    expect(gl.stdout).toMatch(/on 1 thread\(s\), gl rasteriser on \S/);
    writeFileSync(path.join(dir, 'synx.yaml'), 'renderer: software\nthreads: 2\n');
    const sw = await synx(dir, 'run', 'tiny.synexp', '--verbose');
    expect(sw.code).toBe(0);
    // Not a cache hit of the gl shard: its own node, rendered by the software rasteriser.
    expect(sw.stdout).toMatch(/on 2 thread\(s\), software rasteriser/);
    expect(readdirSync(path.join(dir, '.synx', 'cache', 'entries')).length).toBeGreaterThanOrEqual(2);
  });

  it('auto picks gl only on a GPU: on a software GL it keeps the software rasteriser, and says why', () => {
    const p = sharedGl();
    if (!p.ok) throw new Error(p.problem);
    const choice = chooseRenderer('auto');
    expect(chooseRenderer(undefined)).toEqual(choice);
    if (p.software) {
      expect(choice.backend).toBe('software');
      expect(choice.reason).toContain(p.renderer);
      expect(choice.reason).toContain('software GL');
      // …and a render node of this process says so in its log.
      expect(rasteriserName({})).toBe(`software rasteriser (${choice.reason})`);
    } else {
      expect(choice).toEqual({ backend: 'gl', reason: `renderer auto: gl on ${p.renderer}` });
    }
  });
});

describe('renderer setting', () => {
  const text = 'experiment tiny {\n  sample 2 ids x 2 imgs\n}\n';
  const base = loadConfig(tmp, {}).config;
  const renderNodes = (renderer: 'auto' | 'software' | 'gl' | undefined) => {
    const r = compileText(text, path.join(tmp, 'tiny.synexp'), { ...base, renderer });
    if (!r.plan) throw new Error(JSON.stringify(r.diagnostics));
    return r.plan.nodes.filter((n) => n.kind === 'render');
  };

  it('is auto unless synx.yaml says otherwise, and a bad value names the choices', () => {
    expect(base.renderer).toBe('auto');
    const dir = mkdtempSync(path.join(tmp, 'cfg-'));
    writeFileSync(path.join(dir, 'synx.yaml'), 'renderer: gl\n');
    expect(loadConfig(dir, {}).config.renderer).toBe('gl');
    writeFileSync(path.join(dir, 'synx.yaml'), 'renderer: gpu\n');
    const bad = loadConfig(dir, {});
    expect(bad.diagnostics.map((d) => `${d.range.start.line}: ${d.message}`)).toEqual(['1: renderer must be one of "auto", "software", "gl"']);
  });

  it('puts raster: gl in render params only for gl, so software fingerprints never change', () => {
    const gl = renderNodes('gl');
    const software = renderNodes('software');
    expect(gl.length).toBe(1);
    expect((gl[0]!.params as unknown as RenderParams).raster).toBe('gl');
    expect(software[0]!.params).not.toHaveProperty('raster');
    expect(gl[0]!.fingerprint).not.toBe(software[0]!.fingerprint);
    // An unresolved auto (a library caller that skipped resolveRenderer) plans as software.
    expect(renderNodes('auto')[0]!.fingerprint).toBe(software[0]!.fingerprint);
    expect(renderNodes(undefined)[0]!.fingerprint).toBe(software[0]!.fingerprint);
    expect(resolveRenderer({ ...base, renderer: 'gl' }).renderer).toBe('gl');
    expect(resolveRenderer({ ...base, renderer: 'software' }).renderer).toBe('software');
    expect(['software', 'gl']).toContain(resolveRenderer(base).renderer);
  });

  it('gl renders on one thread: its native addon loads in one thread per process only', () => {
    const config = { threads: 8 } as Parameters<typeof renderThreads>[1];
    expect(renderThreads(baseParams({ ids: 5 }), config)).toBe(5);
    expect(renderThreads(baseParams({ ids: 5, raster: 'gl' }), config)).toBe(1);
  });

  it('a missing gl package is a NodeFailure naming scripts/setup-gl.sh and the display it needs', () => {
    const p = probeGl({ moduleName: 'gl-package-that-is-not-installed' });
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.problem).toBe("the optional package 'gl-package-that-is-not-installed' (headless-gl) is not installed");
    const f = glUnavailable(p);
    expect(f).toBeInstanceOf(NodeFailure);
    expect(f.message).toContain('renderer gl cannot start');
    expect(f.hint).toContain('bash scripts/setup-gl.sh');
    expect(f.hint).toMatch(/xvfb-run -a synx/);
    expect(f.hint).toContain('renderer: software');
  });

  it('no DISPLAY is a problem naming the display and scripts/setup-gl.sh (without loading the addon)', () => {
    const p = probeGl({ env: {} });
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.problem).toBe(glInstalled ? 'headless-gl needs an X display and DISPLAY is not set' : "the optional package 'gl' (headless-gl) is not installed");
    expect(p.hint).toMatch(/xvfb-run -a synx/);
    expect(p.hint).toContain('bash scripts/setup-gl.sh');
  });

  it('`renderer: gl` without a display (or without gl) fails the render node with what to install', async () => {
    const dir = mkdtempSync(path.join(tmp, 'nodisplay-'));
    writeFileSync(path.join(dir, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n  image 32px\n}\n');
    writeFileSync(path.join(dir, 'synx.yaml'), 'renderer: gl\n');
    const env = { ...process.env };
    delete env.DISPLAY;
    const child = fileURLToPath(new URL('./gl-cli-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, dir, 'run', 'tiny.synexp'], { env, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(1);
    expect(out).toContain('renderer gl cannot start');
    expect(out).toMatch(glInstalled ? /headless-gl needs an X display and DISPLAY is not set/ : /is not installed/);
    expect(out).toContain('scripts/setup-gl.sh');
  }, 120_000);
});
