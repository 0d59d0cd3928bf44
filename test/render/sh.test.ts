import { describe, expect, it } from 'vitest';
import { addAmbient, addDirectional, envToShading, shBasis, shade, shadingToEnv } from '../../src/render/sh.js';

describe('spherical harmonics', () => {
  it('has the standard basis values at the poles', () => {
    // Hand values: Y00 = 0.282095, Y10 = 0.488603 z, Y20 = 0.315392 (3z² - 1), Y22 = 0.546274 (x² - y²).
    const z = shBasis(0, 0, 1);
    expect([...z].map((v) => Number(v.toFixed(6)))).toEqual([0.282095, 0, 0.488603, 0, 0, 0, 0.630783, 0, 0]);
    const x = shBasis(1, 0, 0);
    expect([...x].map((v) => Number(v.toFixed(6)))).toEqual([0.282095, 0, 0, 0.488603, 0, 0, -0.315392, 0, 0.546274]);
  });

  it('shades with Σ s_k Y_k(n) per channel (hand-computed case)', () => {
    // n = (1/√2, 0, 1/√2); red coefficients 1..9, green = 0, blue = 1 on Y00 only.
    // Y = [0.282095, 0, 0.345494, 0.345494, 0, 0, 0.157696, 0.546274, 0.273137]
    // red = 1·0.282095 + 3·0.345494 + 4·0.345494 + 7·0.157696 + 8·0.546274 + 9·0.273137 = 10.63285
    const s = new Float64Array(27);
    for (let k = 0; k < 9; k++) s[3 * k] = k + 1;
    s[2] = 1;
    const [r, g, b] = shade(s, Math.SQRT1_2, 0, Math.SQRT1_2);
    expect(r).toBeCloseTo(10.63285, 4);
    expect(g).toBe(0);
    expect(b).toBeCloseTo(0.282095, 6);
  });

  it('models ambient and directional light with the band-limited clamped cosine', () => {
    const s = addDirectional(addAmbient(new Float64Array(27), [0.5, 0.5, 0.5]), [0, 0, 1], [1, 1, 1]);
    // Facing the light: 1/4 + 1/2 + 5/16 = 1.0625; facing away: 1/4 - 1/2 + 5/16 = 0.0625;
    // sideways: 1/4 + (π/4)·Y20(z)·Y20(x) = 1/4 - 5/32 = 0.09375. Plus the ambient 0.5.
    expect(shade(s, 0, 0, 1)[0]).toBeCloseTo(1.5625, 6);
    expect(shade(s, 0, 0, -1)[1]).toBeCloseTo(0.5625, 6);
    expect(shade(s, 1, 0, 0)[2]).toBeCloseTo(0.59375, 6);
  });

  it('converts environment maps to shading by the Lambertian band kernel and back', () => {
    const env = Array.from({ length: 9 }, (_, k) => [k + 1, -(k + 1), 0.5]);
    const s = envToShading(env);
    expect(s[0]).toBe(1);
    expect(s[3 * 2]).toBeCloseTo(3 * (2 / 3), 12);
    expect(s[3 * 6 + 1]).toBeCloseTo(-7 / 4, 12);
    const back = shadingToEnv(s);
    back.forEach((row, k) => row.forEach((v, c) => expect(v).toBeCloseTo(env[k]![c]!, 12)));
  });
});
