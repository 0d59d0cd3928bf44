import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIctModel } from '../../scripts/gen-ict-model.js';
import { readObjVertices } from '../../scripts/ict/read-input.js';
import { ICT_RANGES, KEPT_VERTICES } from '../../scripts/ict/regions.js';
import { keyedRng } from '../../src/rng/index.js';
import { ICT_EXPRESSION_PRIOR, sampleBlendshapes } from '../../src/render/expression-prior.js';
import { FaceRenderer, loadBuiltinModel, prepareRender, reconstruct } from '../../src/render/index.js';
import { baseParams } from '../render/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ICT = path.resolve(here, '../../../shared/reference/ict-facekit');
const hasIct = existsSync(path.join(ICT, 'FaceXModel', 'generic_neutral_mesh.obj'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'synx-ict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the ICT folder made of symlinks, with `edit` applied (files replaced or removed). */
function fakeIct(name: string, edit: (dir: string) => void): string {
  const root = path.join(tmp, name);
  const dir = path.join(root, 'FaceXModel');
  mkdirSync(dir, { recursive: true });
  for (const f of ['LICENSE', 'CREDITS.md']) symlinkSync(path.join(ICT, f), path.join(root, f));
  for (const f of readdirSync(path.join(ICT, 'FaceXModel'))) symlinkSync(path.join(ICT, 'FaceXModel', f), path.join(dir, f));
  edit(dir);
  return root;
}

describe.skipIf(!hasIct)('scripts/gen-ict-model.ts', () => {
  it('writes the same bytes twice (reduced set: 4 identities, 3 blendshapes)', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    generateIctModel(ICT, a, { identityFiles: 4, blendshapes: 3 });
    generateIctModel(ICT, b, { identityFiles: 4, blendshapes: 3 });
    const files = readdirSync(a).sort();
    expect(files).toEqual(['CREDITS.md', 'LICENSE-ICT-FaceKit', 'builtin-face.bin.gz', 'builtin-face.json']);
    for (const f of files) expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f)))).toBe(true);
    // Two builds (the ambient-occlusion ray casting is most of it): 204 s at load average 20.
  }, 600_000);

  const bad: [string, (dir: string) => void, RegExp][] = [
    ['a missing identity file', (d) => rmSync(path.join(d, 'identity007.obj')), /identity007\.obj: missing/],
    [
      'a short file',
      (d) => {
        rmSync(path.join(d, 'identity003.obj'));
        const lines = readFileSync(path.join(ICT, 'FaceXModel', 'identity003.obj'), 'utf8').split('\n');
        writeFileSync(path.join(d, 'identity003.obj'), lines.slice(0, lines.length - 500).join('\n'));
      },
      /identity003\.obj: has \d+ vertices, but the neutral mesh generic_neutral_mesh\.obj has 26719/,
    ],
    [
      'an unknown blendshape',
      (d) => {
        const j = JSON.parse(readFileSync(path.join(ICT, 'FaceXModel', 'vertex_indices.json'), 'utf8'));
        j.expressions[3] = 'mouthSmirk_L';
        rmSync(path.join(d, 'vertex_indices.json'));
        writeFileSync(path.join(d, 'vertex_indices.json'), JSON.stringify(j));
      },
      /vertex_indices\.json: unknown blendshape 'mouthSmirk_L'/,
    ],
  ];
  for (const [what, edit, message] of bad) {
    it(`names the file of ${what}, and writes nothing`, () => {
      const root = fakeIct(what.replace(/\W/g, '-'), edit);
      const out = path.join(tmp, `out-${what.replace(/\W/g, '-')}`);
      expect(() => generateIctModel(root, out, { identityFiles: 10, blendshapes: 2 })).toThrow(message);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    }, 60_000);
  }
});

describe.skipIf(!hasIct)('the shipped built-in model against ICT-FaceKit', () => {
  const m = loadBuiltinModel();
  const n3 = 3 * m.vertexCount;
  const neutral = readObjVertices(path.join(ICT, 'FaceXModel', 'generic_neutral_mesh.obj'));
  // The framing shift along y, measured on the mean (x and z are unshifted).
  const dy = m.shape.mean[1]! - 10 * neutral[1]!;
  // Which toolkit vertex each model vertex is: the simplified interior keeps a subset of the
  // toolkit's vertices in their order, so walk both lists matching positions.
  const kept: number[] = [];
  for (let i = 0, j = 0; i < m.vertexCount; i++, j++) {
    const same = (k: number) => Math.abs(m.shape.mean[3 * i]! - 10 * neutral[3 * k]!) < 1e-3 && Math.abs(m.shape.mean[3 * i + 1]! - dy - 10 * neutral[3 * k + 1]!) < 1e-3 && Math.abs(m.shape.mean[3 * i + 2]! - 10 * neutral[3 * k + 2]!) < 1e-3;
    while (j < KEPT_VERTICES && !same(j)) j++;
    kept.push(j);
  }

  it('keeps a subset of the toolkit neutral mesh in mm: the face and head whole, the interior simplified', () => {
    expect(kept.every((k) => k < KEPT_VERTICES)).toBe(true);
    for (let v = 0; v <= ICT_RANGES.headNeck[1]; v++) expect(kept[v]).toBe(v);
    // Measured: 14,002 vertices and 27,710 triangles (toolkit: 24,591 and 48,888).
    expect(m.vertexCount).toBe(14_002);
    expect(m.triangles.length / 3).toBe(27_710);
    expect(m.shape.components).toBe(100);
  });

  it('keeps each kept vertex\'s blendshape displacement (jawOpen, which moves teeth and tongue)', () => {
    const jaw = m.expressionNames!.indexOf('jawOpen');
    const open = readObjVertices(path.join(ICT, 'FaceXModel', 'jawOpen.obj'), 26719);
    const scale = Math.sqrt(m.expression.variance[jaw]!);
    let err = 0;
    let size = 0;
    for (let i = 0; i < m.vertexCount; i++) {
      for (let c = 0; c < 3; c++) {
        const want = 10 * (open[3 * kept[i]! + c]! - neutral[3 * kept[i]! + c]!);
        err = Math.max(err, Math.abs(m.expression.basis[jaw * n3 + 3 * i + c]! * scale - want));
        if (i > ICT_RANGES.headNeck[1]) size = Math.max(size, Math.abs(want));
      }
    }
    expect(size).toBeGreaterThan(5); // the interior moves by millimetres
    expect(err).toBeLessThan(0.002); // half the 2 µm step plus float32 rounding
  });

  it('reproduces toolkit identities within 0.02 mm (coefficients by least squares on the kept vertices)', () => {
    // The identity modes are orthonormal over all toolkit vertices; on the subset they are not
    // quite, so solve the 100 × 100 normal equations (Gram matrix of the unit columns) by Cholesky.
    const k = 100;
    const b = m.shape.basis;
    const g = new Float64Array(k * k);
    for (let p = 0; p < k; p++) {
      for (let q = p; q < k; q++) {
        let s = 0;
        for (let i = 0; i < n3; i++) s += b[p * n3 + i]! * b[q * n3 + i]!;
        g[p * k + q] = s;
        g[q * k + p] = s;
      }
    }
    const l = new Float64Array(k * k);
    for (let p = 0; p < k; p++) {
      for (let q = 0; q <= p; q++) {
        let s = g[p * k + q]!;
        for (let r = 0; r < q; r++) s -= l[p * k + r]! * l[q * k + r]!;
        l[p * k + q] = p === q ? Math.sqrt(s) : s / l[q * k + q]!;
      }
    }
    for (const id of [0, 37, 99]) {
      const shape = readObjVertices(path.join(ICT, 'FaceXModel', `identity${String(id).padStart(3, '0')}.obj`), 26719);
      const delta = new Float64Array(n3);
      for (let i = 0; i < m.vertexCount; i++) for (let c = 0; c < 3; c++) delta[3 * i + c] = 10 * (shape[3 * kept[i]! + c]! - neutral[3 * kept[i]! + c]!);
      const rhs = new Float64Array(k);
      for (let p = 0; p < k; p++) {
        let s = 0;
        for (let i = 0; i < n3; i++) s += delta[i]! * b[p * n3 + i]!;
        rhs[p] = s;
      }
      const y = new Float64Array(k);
      for (let p = 0; p < k; p++) {
        let s = rhs[p]!;
        for (let r = 0; r < p; r++) s -= l[p * k + r]! * y[r]!;
        y[p] = s / l[p * k + p]!;
      }
      const x = new Float64Array(k);
      for (let p = k - 1; p >= 0; p--) {
        let s = y[p]!;
        for (let r = p + 1; r < k; r++) s -= l[r * k + p]! * x[r]!;
        x[p] = s / l[p * k + p]!;
      }
      const alpha = x.map((v, j) => v / Math.sqrt(m.shape.variance[j]!));
      const out = reconstruct(m.shape, alpha, new Float32Array(n3));
      let err = 0;
      let size = 0;
      for (let i = 0; i < m.vertexCount; i++) {
        for (let c = 0; c < 3; c++) {
          const want = 10 * shape[3 * kept[i]! + c]! + (c === 1 ? dy : 0);
          err = Math.max(err, Math.abs(out[3 * i + c]! - want));
          size = Math.max(size, Math.abs(delta[3 * i + c]!));
        }
      }
      expect(size).toBeGreaterThan(0.3); // the identity moves some vertex by more than 0.3 mm
      // Measured before the interior was simplified: 0.0098 mm at most (identity000, whose
      // largest move is 13 mm): int16 codes with a 2 µm step plus float32 sums of 100 components.
      expect(err).toBeLessThan(0.02);
    }
  }, 60_000);

  // The shipped file is generated, not edited: when scripts/ict (shape, expression or colour)
  // changes, lib/models must be regenerated, or renders would not follow the code that claims to
  // make them. ~40 s on a busy 2-core machine.
  it('is exactly what scripts/gen-ict-model.ts writes today', () => {
    const out = path.join(tmp, 'fresh');
    generateIctModel(ICT, out);
    const shipped = path.resolve(here, '../../lib/models');
    for (const f of ['builtin-face.json', 'builtin-face.bin.gz', 'LICENSE-ICT-FaceKit', 'CREDITS.md']) {
      const same = readFileSync(path.join(out, f)).equals(readFileSync(path.join(shipped, f)));
      expect(same, `lib/models/${f} differs from the generator's output: run npx tsx scripts/gen-ict-model.ts`).toBe(true);
    }
  }, 300_000);
});

describe('the expression prior', () => {
  const names = loadBuiltinModel().expressionNames!;
  it('stays inside [0, 1], is neutral at intensity 0, and caps mouthClose by jawOpen', () => {
    const rng = keyedRng(7);
    const close = names.indexOf('mouthClose');
    const jaw = names.indexOf('jawOpen');
    let nonzero = 0;
    for (let i = 0; i < 3000; i++) {
      const x = (i % 3 === 0 ? 10 : 1) * rng.normal();
      const w = sampleBlendshapes(ICT_EXPRESSION_PRIOR, names, x, rng);
      expect(w).toHaveLength(names.length);
      for (const v of w) expect(v >= 0 && v <= 1).toBe(true);
      expect(w[close]!).toBeLessThanOrEqual(w[jaw]!);
      nonzero += w.filter((v) => v > 0).length;
    }
    // Sparse: a few blendshapes per image on average, not most of the 53.
    expect(nonzero / 3000).toBeGreaterThan(1);
    expect(nonzero / 3000).toBeLessThan(12);
    for (const x of [0, -0]) expect([...sampleBlendshapes(ICT_EXPRESSION_PRIOR, names, x, keyedRng(1))].every((v) => v === 0)).toBe(true);
  });

  it('keeps only the first K blendshapes for dims expression K', () => {
    const w = sampleBlendshapes(ICT_EXPRESSION_PRIOR, names.slice(0, 3), 1, keyedRng(3));
    expect(w).toHaveLength(3);
  });
});

describe('landmarks of the built-in model in rendered images', () => {
  const c = (value: number) => ({ type: 'const' as const, value });
  for (const yaw of [0, 45, -45]) {
    it(`eyes above nose above mouth, subject's left on the image right, at yaw ${yaw}`, async () => {
      const pose = { ...baseParams().pose, yaw: c(yaw) };
      const label = new FaceRenderer(await prepareRender(baseParams({ pose }))).render(0, 0).label;
      const at = (name: string) => label.landmarks.find((l) => l.name === name)!;
      const meanY = (from: number, to: number) => {
        let s = 0;
        for (let k = from; k <= to; k++) s += at(`ibug68.${String(k).padStart(2, '0')}`).y;
        return s / (to - from + 1);
      };
      const eyes = meanY(37, 48);
      const nose = meanY(31, 36);
      const mouth = meanY(49, 68);
      expect(eyes).toBeLessThan(nose - 5);
      expect(nose).toBeLessThan(mouth - 5);
      // iBUG 46 / 37 are the subject's left / right outer eye corners, the named points the same vertices.
      expect(at('ibug68.46').x).toBeGreaterThan(at('ibug68.37').x);
      expect(at('left.eye.corner_outer').x).toBe(at('ibug68.46').x);
      expect(at('right.lips.corner').x).toBe(at('ibug68.49').x);
      expect(at('left.eye.pupil.center').x).toBeGreaterThan(at('right.eye.pupil.center').x);
      // Turned towards the subject's left, the left outer eye corner is hidden and the right one seen.
      if (yaw === 45) expect([at('ibug68.37').visible, at('ibug68.46').visible]).toEqual([true, false]);
      if (yaw === -45) expect([at('ibug68.37').visible, at('ibug68.46').visible]).toEqual([false, true]);
    }, 60_000);
  }
});
