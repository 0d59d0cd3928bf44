import { describe, expect, it } from 'vitest';
import { FaceRenderer, createFrame, createRasterTarget, createScreenVertices, drawBackground, gaussianBlur, prepareRender, rasterize } from '../../src/render/index.js';
import { keyedRng } from '../../src/rng/index.js';
import { baseParams, squareModel } from './fixtures.js';
import { constDist } from '../helpers/dist.js';

const c = constDist;

describe('rasterize', () => {
  const tri = (order: number[]) => {
    const v = createScreenVertices(3);
    const pts = [[2, 2], [6, 30], [30, 4]];
    const iw = [1, 0.25, 0.5];
    const red = [0, 1, 0];
    for (let i = 0; i < 3; i++) {
      v.x[i] = pts[i]![0]!;
      v.y[i] = pts[i]![1]!;
      v.iw[i] = iw[i]!;
      v.rw[i] = red[i]! * iw[i]!;
    }
    const f = createFrame(32);
    rasterize(f, v, new Uint32Array(order));
    return f;
  };

  it('draws front faces (clockwise in y-down pixels) and culls back faces', () => {
    expect(tri([0, 1, 2]).coverage.reduce((a, b) => a + b, 0)).toBeGreaterThan(200);
    expect(tri([0, 2, 1]).coverage.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('interpolates perspective-correctly (checked by solving for barycentrics directly)', () => {
    const f = tri([0, 1, 2]);
    for (const [px, py] of [[10, 10], [5, 20], [20, 6]] as const) {
      // Cramer's rule for p = v0 + s (v1 - v0) + t (v2 - v0) at the pixel centre.
      const [x, y] = [px + 0.5, py + 0.5];
      const det = (6 - 2) * (4 - 2) - (30 - 2) * (30 - 2);
      const s = ((x - 2) * (4 - 2) - (30 - 2) * (y - 2)) / det;
      const t = ((6 - 2) * (y - 2) - (x - 2) * (30 - 2)) / det;
      const l = [1 - s - t, s, t];
      const iw = l[0]! * 1 + l[1]! * 0.25 + l[2]! * 0.5;
      const expected = (l[1]! * 0.25) / iw;
      expect(f.coverage[py * 32 + px]).toBe(1);
      expect(f.color[3 * (py * 32 + px)]).toBeCloseTo(expected, 5);
      expect(f.invDepth[py * 32 + px]).toBeCloseTo(iw, 5);
    }
  });

  it('keeps the nearest surface whatever the drawing order', () => {
    const v = createScreenVertices(6);
    const set = (i: number, x: number, y: number, iw: number, r: number) => {
      v.x[i] = x;
      v.y[i] = y;
      v.iw[i] = iw;
      v.rw[i] = r * iw;
    };
    // Two identical front-facing triangles, the second nearer (larger 1/depth) and red.
    [[2, 2], [6, 30], [30, 4]].forEach(([x, y], i) => {
      set(i, x!, y!, 0.001, 0);
      set(i + 3, x!, y!, 0.002, 1);
    });
    for (const order of [[0, 1, 2, 3, 4, 5], [3, 4, 5, 0, 1, 2]]) {
      const f = createFrame(32);
      rasterize(f, v, new Uint32Array(order));
      expect(f.color[3 * (10 * 32 + 10)]).toBeCloseTo(1, 6);
    }
  });
});

describe('the WebAssembly rasteriser', () => {
  it('draws the same bits as the JS rasteriser, including awkward vertices', () => {
    const rng = keyedRng(11);
    const nv = 400;
    const tris = new Uint32Array(3 * 1500).map(() => rng.int(nv));
    const fast = createRasterTarget(40, nv, tris, true);
    const slow = createRasterTarget(40, nv, tris, false);
    expect(fast.wasm).toBe(true);
    expect(slow.wasm).toBe(false);
    for (const t of [fast, slow]) {
      const r = keyedRng(12);
      for (let i = 0; i < nv; i++) {
        // Mostly on screen, some off it, some behind the near plane, a few absurdly far out.
        const far = r.uniform() < 0.02 ? 1e12 : 1;
        t.screen.x[i] = (r.uniform() * 60 - 10) * far;
        t.screen.y[i] = r.uniform() * 60 - 10;
        t.screen.iw[i] = r.uniform() < 0.05 ? -1 : 0.0005 + 0.001 * r.uniform();
        t.screen.rw[i] = r.uniform() * t.screen.iw[i]!;
        t.screen.gw[i] = r.uniform() * t.screen.iw[i]!;
        t.screen.bw[i] = r.uniform() * t.screen.iw[i]!;
      }
      t.draw();
    }
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(fast.frame.coverage.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    expect(bytes(fast.frame.coverage).equals(bytes(slow.frame.coverage))).toBe(true);
    expect(bytes(fast.frame.invDepth).equals(bytes(slow.frame.invDepth))).toBe(true);
    expect(bytes(fast.frame.color).equals(bytes(slow.frame.color))).toBe(true);
  });
});

describe('FaceRenderer on a hand-checkable square', () => {
  // 64 px: focal = 50/15 · 64 = 213.33 px; a 50 mm half-width at 1 m spans 10.667 px each side of 32.
  const render = async (post: Partial<ReturnType<typeof baseParams>['post']> = {}) => {
    const params = baseParams({ size: 64, post: { ...baseParams().post, ...post } });
    const setup = await prepareRender(params, squareModel(50, 0, [0.5, 0.4, 0.3]));
    return new FaceRenderer(setup).renderWithExtras(0, 0);
  };

  it('covers exactly the projected square and shades it with albedo × SH', async () => {
    const { image, extras } = await render();
    let covered = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const inside = x >= 21 && x <= 42 && y >= 21 && y <= 42;
        expect(extras.frame.coverage[y * 64 + x]).toBe(inside ? 1 : 0);
        covered += inside ? 1 : 0;
      }
    }
    expect(covered).toBe(22 * 22);
    // Frontal light on n = +z: 0.5 + 0.5 · 1.0625 = 1.03125; 255 · (0.5, 0.4, 0.3) · 1.03125.
    const p = 3 * (32 * 64 + 32);
    expect([...image.rgb.subarray(p, p + 3)]).toEqual([131, 105, 79]);
    expect([...image.rgb.subarray(0, 3)]).toEqual([0, 0, 0]);
    // The probe at x = 10 mm projects to 32 + 213.33 · 10 / 1000 = 34.1333.
    const probe = image.label.landmarks[0]!;
    expect(probe.x).toBeCloseTo(34.1333, 3);
    expect(probe.y).toBeCloseTo(32, 6);
  });

  it('applies the colour transform: gain ⊙ (grey + contrast · (c - grey)) + offset', async () => {
    const p = 3 * (32 * 64 + 32);
    const a = await render({ gain: c(0.5), offset: c(0.1) });
    // 0.5 · 0.515625 + 0.1 = 0.3578 → 91; 0.5 · 0.4125 + 0.1 = 0.30625 → 78; 0.5 · 0.309375 + 0.1 → 65.
    expect([...a.image.rgb.subarray(p, p + 3)]).toEqual([91, 78, 65]);
    const b = await render({ contrast: c(0) });
    // Contrast 0 leaves the Rec. 601 grey: 0.299·0.515625 + 0.587·0.4125 + 0.114·0.309375 = 0.431579 → 110.
    expect([...b.image.rgb.subarray(p, p + 3)]).toEqual([110, 110, 110]);
  });
});

describe('FaceRenderer with the built-in model', () => {
  const nose = async (yaw: number, pitch: number, roll: number) => {
    const params = baseParams({ pose: { ...baseParams().pose, yaw: c(yaw), pitch: c(pitch), roll: c(roll) } });
    const r = new FaceRenderer(await prepareRender(params));
    const lm = r.render(0, 0).label.landmarks;
    const get = (n: string) => lm.find((l) => l.name === n)!;
    return { tip: get('center.nose.tip'), leftEye: get('left.eye.pupil.center'), rightEye: get('right.eye.pupil.center') };
  };

  it('follows the documented pose convention (checked with landmarks)', async () => {
    const front = await nose(0, 0, 0);
    expect(front.tip.x).toBeCloseTo(56, 0);
    expect(front.tip.visible).toBe(true);
    // The subject's left eye is on the image right when the face looks at the camera.
    expect(front.leftEye.x).toBeGreaterThan(front.rightEye.x);
    // yaw > 0: the nose moves to the image right; yaw < 0: to the left.
    expect((await nose(30, 0, 0)).tip.x).toBeGreaterThan(front.tip.x + 5);
    expect((await nose(-30, 0, 0)).tip.x).toBeLessThan(front.tip.x - 5);
    // pitch > 0: the head tips down, the nose moves down the image (y grows).
    expect((await nose(0, 20, 0)).tip.y).toBeGreaterThan(front.tip.y + 3);
    // roll > 0: counter-clockwise in the image, so the (image-right) left eye rises.
    const rolled = await nose(0, 0, 20);
    expect(rolled.leftEye.y).toBeLessThan(front.leftEye.y - 3);
    expect(rolled.rightEye.y).toBeGreaterThan(front.rightEye.y + 3);
    // Turned far to its left, the head hides its left eye and shows its right.
    const turned = await nose(80, 0, 0);
    expect(turned.leftEye.visible).toBe(false);
    expect(turned.rightEye.visible).toBe(true);
  });

  it('centres the face box or the landmarks on the principal point when asked', async () => {
    // At scale 0.6 the whole head and neck stays inside the frame, so the covered box is the vertex box.
    const pose = { ...baseParams().pose, yaw: c(50), pitch: c(15), tx: c(6), ty: c(-4), scale: c(0.6) };
    const box = new FaceRenderer(await prepareRender(baseParams({ pose, center: 'facebox' }))).renderWithExtras(0, 0).extras.frame;
    let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let p = 0; p < 112 * 112; p++) {
      if (box.coverage[p] !== 1) continue;
      const [x, y] = [p % 112, Math.floor(p / 112)];
      [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
    }
    // The covered box's centre sits at the image centre moved by (tx, ty), within a pixel or two.
    expect(Math.abs((minX + maxX + 1) / 2 - (56 + 6))).toBeLessThan(2);
    expect(Math.abs((minY + maxY + 1) / 2 - (56 - 4))).toBeLessThan(2);
    const lm = new FaceRenderer(await prepareRender(baseParams({ pose, center: 'landmarks' }))).render(0, 0).label.landmarks;
    expect(lm.reduce((a, l) => a + l.x, 0) / lm.length).toBeCloseTo(62, 3);
    expect(lm.reduce((a, l) => a + l.y, 0) / lm.length).toBeCloseTo(52, 3);
  });

  it('puts the background exactly where coverage is zero', async () => {
    const params = baseParams({ background: { type: 'choice', name: 'plain' }, illumination: { type: 'choice', name: 'prior' } });
    const r = new FaceRenderer(await prepareRender(params));
    const { image, extras } = r.renderWithExtras(0, 1);
    const q = (v: number) => (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255));
    let bg: number[] | null = null;
    let face = 0;
    for (let p = 0; p < 112 * 112; p++) {
      const px = [...image.rgb.subarray(3 * p, 3 * p + 3)];
      if (extras.frame.coverage[p] === 0) {
        bg ??= px;
        expect(px).toEqual(bg);
      } else {
        face++;
        expect(px).toEqual([0, 1, 2].map((k) => q(extras.frame.color[3 * p + k]!)));
      }
    }
    expect(face).toBeGreaterThan(1000);
    expect(bg).not.toBeNull();
  });

  it('renders an image the same alone as after others, and the same twice', async () => {
    const params = baseParams({ dims: { shape: 20, color: 10, expression: 5 }, illumination: { type: 'choice', name: 'prior' }, background: { type: 'choice', name: 'noise' }, post: { ...baseParams().post, noise: c(0.02), blur: c(0.7) } });
    const setup = await prepareRender(params);
    const a = new FaceRenderer(setup);
    for (const [id, s] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) a.render(id, s);
    const afterOthers = a.render(1, 2);
    const alone = new FaceRenderer(await prepareRender(params)).render(1, 2);
    expect(Buffer.from(alone.rgb).equals(Buffer.from(afterOthers.rgb))).toBe(true);
    expect(alone.label).toEqual(afterOthers.label);
    expect(Buffer.from(a.render(0, 0).rgb).equals(Buffer.from(alone.rgb))).toBe(false);
  });
});

describe('drawBackground with a coverage mask', () => {
  it('leaves masked pixels alone and draws every other pixel exactly as without the mask', () => {
    const size = 37;
    // A disc in the middle, like a face's coverage.
    const mask = new Uint8Array(size * size).map((_, p) => ((p % size) - 18) ** 2 + (Math.floor(p / size) - 18) ** 2 < 120 ? 1 : 0);
    for (const name of ['noise', 'gradient', 'texture', 'plain'] as const) {
      for (const seed of [1, 2, 3]) {
        const full = new Float32Array(size * size * 3);
        const masked = new Float32Array(size * size * 3).fill(-7);
        const ra = keyedRng(seed);
        const rb = keyedRng(seed);
        expect(drawBackground(name, size, rb, masked, undefined, mask)).toBe(drawBackground(name, size, ra, full));
        // The same draws were taken from the stream.
        expect(rb.uniform()).toBe(ra.uniform());
        for (let p = 0; p < size * size; p++) {
          for (let k = 0; k < 3; k++) expect(masked[3 * p + k]).toBe(mask[p] ? -7 : full[3 * p + k]);
        }
      }
    }
  });
});

describe('gaussianBlur', () => {
  it('keeps a constant image and spreads an impulse by the normalised kernel', () => {
    const size = 9;
    const flat = new Float32Array(size * size * 3).fill(0.25);
    gaussianBlur(flat, size, 1.3, new Float32Array(flat.length));
    for (const v of flat) expect(v).toBeCloseTo(0.25, 6);
    const imp = new Float32Array(size * size * 3);
    imp[3 * (4 * size + 4)] = 1;
    gaussianBlur(imp, size, 1, new Float32Array(imp.length));
    // 1-D centre weight for σ = 1, radius 3: 1 / (1 + 2(e^-0.5 + e^-2 + e^-4.5)) = 0.399050; squared in 2-D.
    expect(imp[3 * (4 * size + 4)]).toBeCloseTo(0.39905 ** 2, 5);
    let sum = 0;
    for (let p = 0; p < size * size; p++) sum += imp[3 * p]!;
    expect(sum).toBeCloseTo(1, 5);
  });
});
