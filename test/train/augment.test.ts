import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { flipChoices, mirrorImages } from '../../src/train/index.js';

describe('mirrorImages', () => {
  it('mirrors a 3 × 3 image left to right (hand-written), leaving the unchosen ones as they were', () => {
    // Two 3 × 3 RGB images; pixel (r, c) of image i is [i, r, c] + 10 × channel.
    const size = 3;
    const x = new Uint8Array(2 * size * size * 3);
    for (let i = 0; i < 2; i++) for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) x[((i * 3 + r) * 3 + c) * 3 + k] = 100 * i + 10 * r + c + 50 * k;
    const before = x.slice();
    mirrorImages(x, size, [false, true]);
    expect(x.subarray(0, 27)).toEqual(before.subarray(0, 27));
    // Image 1, row 0, red: columns 0 1 2 were 100 101 102; mirrored they read 102 101 100.
    const red = (r: number) => [0, 1, 2].map((c) => x[27 + (r * 3 + c) * 3]!);
    expect(red(0)).toEqual([102, 101, 100]);
    expect(red(2)).toEqual([122, 121, 120]);
    // Channels stay with their pixel: blue of (row 1, col 0) is the old (row 1, col 2)'s.
    expect(x[27 + (1 * 3 + 0) * 3 + 2]).toBe(100 + 10 + 2 + 100);
  });

  it("is tf.reverse over the width axis, the mirror eval's `with flip` uses, at even and odd sizes", () => {
    for (const size of [4, 5]) {
      const n = 3;
      const x = Uint8Array.from({ length: n * size * size * 3 }, (_, i) => (i * 37 + 11) % 256);
      const expected = tf.tidy(() => tf.reverse(tf.tensor4d(x, [n, size, size, 3], 'int32'), 2).dataSync());
      const y = x.slice();
      mirrorImages(y, size, [true, true, true]);
      expect(Array.from(y)).toEqual(Array.from(expected));
      // Twice is the identity.
      mirrorImages(y, size, [true, true, true]);
      expect(y).toEqual(x);
    }
  });
});

describe('flipChoices', () => {
  it('is seeded: the same seed, epoch and step give the same choices; another of any gives others', () => {
    const a = flipChoices(1988, 3, 7, 64);
    expect(flipChoices(1988, 3, 7, 64)).toEqual(a);
    expect(flipChoices(1989, 3, 7, 64)).not.toEqual(a);
    expect(flipChoices(1988, 4, 7, 64)).not.toEqual(a);
    expect(flipChoices(1988, 3, 8, 64)).not.toEqual(a);
  });

  it('flips about half of the images', () => {
    let flipped = 0;
    for (let step = 0; step < 100; step++) flipped += flipChoices(1, 1, step, 32).filter(Boolean).length;
    // 3,200 fair draws: 1,600 ± 28 (one standard deviation); ±5 of them is 1 in 10^6.
    expect(Math.abs(flipped - 1600)).toBeLessThan(5 * Math.sqrt(3200 * 0.25));
  });
});
