import { describe, expect, it } from 'vitest';
import { meanGradients } from '../../src/train/index.js';

describe('meanGradients (hand-computed)', () => {
  it('averages element-wise in part order, rounding to float32 after each addition and after the division', () => {
    const a = [Float32Array.from([1, 2 ** 24, -3]), Float32Array.from([0.5])];
    const b = [Float32Array.from([2, 1, 3]), Float32Array.from([0.25])];
    const c = [Float32Array.from([3, 1, -0]), Float32Array.from([0])];
    const m = meanGradients([a, b, c]);
    // 2^24 + 1 rounds to 2^24 in float32 (ties to even), and so does + 1 again: 2^24 / 3.
    expect([...m[0]!]).toEqual([2, Math.fround(2 ** 24 / 3), 0]);
    expect([...m[1]!]).toEqual([Math.fround(0.75 / 3)]);
  });

  it('sums from +0 as zeroed arrays do: parts that are all −0 average to +0', () => {
    const m = meanGradients([[Float32Array.from([-0])], [Float32Array.from([-0])]]);
    expect(Object.is(m[0]![0], 0)).toBe(true);
  });

  it('one part is its own mean', () => {
    expect([...meanGradients([[Float32Array.from([0.1, -7])]])[0]!]).toEqual([Math.fround(0.1), -7]);
  });
});

describe('meanGradients with two parts (its own loop)', () => {
  it('rounds as the general loop does', () => {
    const a = [Float32Array.from([2 ** 24, -0, 0.1, -5e-39])];
    const b = [Float32Array.from([1, 0, 0.2, -5e-39])];
    const m = meanGradients([a, b])[0]!;
    // 2^24 + 1 rounds to 2^24 (ties to even), then / 2; -0 + 0 from +0 is +0; subnormals stay.
    expect(m[0]).toBe(2 ** 23);
    expect(Object.is(m[1], 0)).toBe(true);
    expect(m[2]).toBe(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) / 2));
    expect(m[3]).toBe(Math.fround(Math.fround(Math.fround(-5e-39) + Math.fround(-5e-39)) / 2));
  });
});
