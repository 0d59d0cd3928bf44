import { describe, expect, it } from 'vitest';
import { compileText, type RenderParams } from '../../src/plan/index.js';
import { addAmbient, addDirectional, FaceRenderer, frontalIllumination, loadModel, prepareRender, specularLight } from '../../src/render/index.js';
import { testConfig } from '../data/fixtures.js';
import { constDist } from '../helpers/dist.js';
import { baseParams, squareModel } from './fixtures.js';

const c = constDist;

describe('specularLight', () => {
  it('finds the frontal light: from the camera (h = +z), intensity 0.5', () => {
    const l = specularLight(frontalIllumination())!;
    expect([l.hx, l.hy, l.hz].map((v) => Number(v.toFixed(12)))).toEqual([0, 0, 1]);
    expect(l.intensity).toBeCloseTo(0.5, 12);
  });

  it("gives the half vector of a light from d and the viewer on +z, and the light's mean intensity", () => {
    const d = [0.6, -0.48, 0.64];
    const s = addDirectional(addAmbient(new Float64Array(27), [0.3, 0.3, 0.3]), d, [1, 0.5, 0]);
    const l = specularLight(s)!;
    const h = [d[0]!, d[1]!, d[2]! + 1];
    const n = Math.hypot(...h);
    expect(l.hx).toBeCloseTo(h[0]! / n, 12);
    expect(l.hy).toBeCloseTo(h[1]! / n, 12);
    expect(l.hz).toBeCloseTo(h[2]! / n, 12);
    expect(l.intensity).toBeCloseTo(0.5, 12);
  });

  it('has no highlight for an ambient light or one straight from behind', () => {
    expect(specularLight(addAmbient(new Float64Array(27), [1, 1, 1]))).toBeNull();
    expect(specularLight(addDirectional(new Float64Array(27), [0, 0, -1], [1, 1, 1]))).toBeNull();
  });
});

describe('specular ~ in a render', () => {
  // The square of renderer.test.ts: n = +z under the frontal light, whose shading there is 1.03125.
  const square = async (specular?: RenderParams['specular']) => {
    const params = baseParams({ size: 64, ...(specular ? { specular } : {}) });
    return new FaceRenderer(await prepareRender(params, squareModel(50, 0, [0.5, 0.4, 0.3]))).render(0, 0);
  };

  it('adds strength × intensity × (n·h)^16 in white: on the square 0.2 · 0.5 · 1 = 0.1', async () => {
    const plain = await square();
    const lit = await square(c(0.2));
    const p = 3 * (32 * 64 + 32);
    expect([...plain.rgb.subarray(p, p + 3)]).toEqual([131, 105, 79]);
    // 255 · ((0.5, 0.4, 0.3) · 1.03125 + 0.1) = (156.98, 130.69, 104.39).
    expect([...lit.rgb.subarray(p, p + 3)]).toEqual([157, 131, 104]);
    expect([...lit.rgb.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(lit.label.extra?.specular).toBe(0.2);
    expect(plain.label.extra && 'specular' in plain.label.extra).toBe(false);
  });

  it('lights the built-in face where its normal map faces the half vector, and nowhere else', async () => {
    const params = baseParams({ dims: { shape: 20, color: 20, expression: 0 }, background: { type: 'choice', name: 'texture' }, maps: ['normal'] });
    const model = await loadModel(params.model);
    const plain = new FaceRenderer(await prepareRender(params, model)).render(1, 0);
    const lit = new FaceRenderer(await prepareRender({ ...params, specular: c(0.3) }, model)).render(1, 0);
    // Frontal light: h = +z, peak 255 · 0.3 · 0.5 = 38.25.
    const normals = plain.maps.normal!;
    let facing = 0;
    let away = 0;
    for (let p = 0; p < 112 * 112; p++) {
      const covered = normals[3 * p] !== 0 || normals[3 * p + 1] !== 0 || normals[3 * p + 2] !== 0;
      const nz = (normals[3 * p + 2]! / 255) * 2 - 1;
      for (let k = 0; k < 3; k++) {
        const gain = lit.rgb[3 * p + k]! - plain.rgb[3 * p + k]!;
        if (!covered) expect(gain).toBe(0);
        else {
          expect(gain).toBeGreaterThanOrEqual(0);
          expect(gain).toBeLessThanOrEqual(39);
        }
        if (covered && nz > 0.995 && plain.rgb[3 * p + k]! < 200) {
          expect(gain).toBeGreaterThanOrEqual(23);
          facing++;
        }
        if (covered && nz < 0.5) {
          expect(gain).toBeLessThanOrEqual(1);
          away++;
        }
      }
    }
    expect(facing).toBeGreaterThan(30);
    expect(away).toBeGreaterThan(300);
  });
});

describe('specular ~ in the language', () => {
  const renders = (text: string) => {
    const r = compileText(text, 'spec.synexp', testConfig('/tmp/synx-specular-lang'), { cwd: '/tmp' });
    expect(r.diagnostics).toEqual([]);
    return r.plan!.nodes.filter((n) => n.kind === 'render');
  };

  it('puts the distribution in RenderParams; no clause or `specular ~ 0` leaves the params and fingerprint as they were', () => {
    const [without] = renders('experiment a {\n  sample 4 ids x 2 imgs\n}\n');
    expect(Object.keys(without!.params as object)).not.toContain('specular');
    const [zero] = renders('experiment a {\n  sample 4 ids x 2 imgs\n  specular ~ 0\n}\n');
    expect(zero!.fingerprint).toBe(without!.fingerprint);
    const [some] = renders('experiment a {\n  sample 4 ids x 2 imgs\n  specular ~ U(0, 0.2)\n}\n');
    expect((some!.params as unknown as RenderParams).specular).toEqual({ type: 'uniform', lo: 0, hi: 0.2 });
    expect(some!.fingerprint).not.toBe(without!.fingerprint);
  });

  it('warns of a specular that can never draw a highlight, and of nothing else', () => {
    const check = (clause: string) => compileText(`experiment a {\n  sample 4 ids x 2 imgs\n  ${clause}\n}\n`, 'spec.synexp', testConfig('/tmp/synx-specular-lang'), { cwd: '/tmp' }).diagnostics;
    for (const clause of ['specular ~ -0.1', 'specular ~ U(-0.3, -0.1)', 'specular ~ mix(0.5 -0.2, 0.5 N(-1, 0))']) {
      const d = check(clause);
      expect(d.map((x) => [x.code, x.severity])).toEqual([['SX2101', 'warning']]);
      expect(d[0]!.message).toBe('specular below 0 never draws a highlight (a strength below 0 counts as 0)');
      expect(d[0]!.range.start.line).toBe(3);
    }
    for (const clause of ['specular ~ 0', 'specular ~ U(-0.1, 0.3)', 'specular ~ N(-0.5, 0.1)', 'specular ~ 0.2']) expect(check(clause)).toEqual([]);
  });
});
