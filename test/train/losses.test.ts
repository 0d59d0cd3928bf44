import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { marginSoftmaxLoss, mineSemiHard, tripletLoss, useBackend } from '../../src/train/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('semi-hard mining', () => {
  it('picks the closest negative farther than the positive, else the farthest negative', () => {
    // 4 samples: labels 0,0,1,1. Distances (symmetric):
    const d = [
      [0, 0.5, 0.7, 0.3],
      [0.5, 0, 0.4, 0.9],
      [0.7, 0.4, 0, 0.2],
      [0.3, 0.9, 0.2, 0],
    ].flat();
    const { ap, an } = mineSemiHard(d, [0, 0, 1, 1]);
    // (0,1): d=0.5; negatives 2 (0.7), 3 (0.3) → semi-hard 2.
    // (1,0): d=0.5; negatives 2 (0.4), 3 (0.9) → 3.
    // (2,3): d=0.2; negatives 0 (0.7), 1 (0.4) → 1.
    // (3,2): d=0.2; negatives 0 (0.3), 1 (0.9) → 0.
    expect(ap).toEqual([1, 4, 11, 14]);
    expect(an).toEqual([2, 7, 9, 12]);
    // With no negative farther than the positive, the farthest negative.
    const d2 = [0, 0.9, 0.1, 0.2, 0.9, 0, 0.3, 0.4, 0.1, 0.3, 0, 1, 0.2, 0.4, 1, 0];
    expect(mineSemiHard(d2, [0, 0, 1, 1]).an[0]).toBe(3);
  });
});

describe('triplet loss', () => {
  it('is the mean hinge over mined triplets on squared distances', () => {
    // Unit vectors at angles 0°, 60° (label 0), 90°, 180° (label 1). Squared distance = 2 − 2cos.
    const ang = [0, 60, 90, 180].map((a) => (a * Math.PI) / 180);
    const e = tf.tensor2d(ang.flatMap((a) => [Math.cos(a), Math.sin(a)]), [4, 2]);
    const sq = (a: number, b: number) => 2 - 2 * Math.cos(ang[a]! - ang[b]!);
    const m = 0.2;
    // (0,1): d=1; negs 2 (2), 3 (4) → 2: max(1 − 2 + .2, 0) = 0
    // (1,0): d=1; negs 2 (2−2cos30 ≈ .268), 3 (2−2cos120 = 3) → 3: max(1 − 3 + .2, 0) = 0
    // (2,3): d=2; negs 0 (2), 1 (.268) → none > 2 → farthest: 0 (2): max(2 − 2 + .2) = .2
    // (3,2): d=2; negs 0 (4), 1 (3) → 1 (3): max(2 − 3 + .2, 0) = 0
    const expected = (Math.max(sq(0, 1) - sq(0, 2) + m, 0) + 0 + Math.max(sq(2, 3) - sq(2, 0) + m, 0) + 0) / 4;
    expect(tripletLoss(e as tf.Tensor2D, Int32Array.from([0, 0, 1, 1]), m).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(expected).toBeCloseTo(0.05, 5);
  });
});

describe('margin softmax', () => {
  const e = tf.tensor2d([[1, 0]]);
  const w = tf.tensor2d([
    [Math.cos(0.5), 0],
    [Math.sin(0.5), 1],
  ]); // class 0 at θ = 0.5 rad from e, class 1 at 90°
  const ce = (target: number, other: number, s: number) => -Math.log(Math.exp(s * target) / (Math.exp(s * target) + Math.exp(s * other)));

  it('CosFace: s·(cos θ − m) on the target', () => {
    const got = marginSoftmaxLoss(e as tf.Tensor2D, w as tf.Tensor2D, Int32Array.from([0]), 'cosface', 0.35, 10).dataSync()[0]!;
    expect(got).toBeCloseTo(ce(Math.cos(0.5) - 0.35, 0, 10), 4);
  });

  it('ArcFace: s·cos(θ + m) on the target', () => {
    const got = marginSoftmaxLoss(e as tf.Tensor2D, w as tf.Tensor2D, Int32Array.from([0]), 'arcface', 0.5, 10).dataSync()[0]!;
    expect(got).toBeCloseTo(ce(Math.cos(1.0), 0, 10), 4);
  });

  it('ArcFace past θ = π − m falls back to cos θ − m·sin m', () => {
    // e opposite to class 0: cos θ = −1 (θ = π > π − m); class 1 at cos = −sin 0.5.
    const far = tf.tensor2d([[-Math.cos(0.5), -Math.sin(0.5)]]);
    const got = marginSoftmaxLoss(far as tf.Tensor2D, w as tf.Tensor2D, Int32Array.from([0]), 'arcface', 0.5, 10).dataSync()[0]!;
    expect(got).toBeCloseTo(ce(-1 - 0.5 * Math.sin(0.5), -Math.sin(0.5), 10), 3);
  });
});
