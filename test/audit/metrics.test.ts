import { describe, expect, it } from 'vitest';
import { bySkinTone, histogram, ibugName, landmarkError, pairStats, pitchBucket, rocAuc, shareUnder, yawBucket } from '../../src/audit/index.js';
import { descriptorCosine, descriptorDistance, SAME_PERSON_DISTANCE } from '../../src/faceapi/index.js';
import type { Point } from '../../src/faceapi/index.js';
import { keyedRng } from '../../src/rng/index.js';

/** AUC by counting every genuine-impostor pair: above 1, tie 1/2 (the definition). */
function bruteAuc(g: readonly number[], i: readonly number[]): number {
  let s = 0;
  for (const a of g) for (const b of i) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (g.length * i.length);
}

describe('rocAuc', () => {
  it('equals brute-force pair counting, ties included', () => {
    const rng = keyedRng(3);
    for (let t = 0; t < 20; t++) {
      // Scores on a coarse grid so that ties happen.
      const g = Array.from({ length: 1 + rng.int(15) }, () => Math.round(rng.uniform() * 8) / 8 + 0.1);
      const i = Array.from({ length: 1 + rng.int(25) }, () => Math.round(rng.uniform() * 8) / 8);
      expect(rocAuc(g, i)).toBeCloseTo(bruteAuc(g, i), 12);
    }
  });

  it('is 1, 0 and 1/2 at the extremes and NaN without pairs', () => {
    expect(rocAuc([2, 3], [0, 1])).toBe(1);
    expect(rocAuc([0], [1, 2])).toBe(0);
    expect(rocAuc([1, 1], [1])).toBe(0.5);
    expect(rocAuc([], [1])).toBeNaN();
  });
});

describe('small helpers', () => {
  it('buckets yaw by its size', () => {
    expect([0, -14.9, 15, -44, 45, 90, -95].map(yawBucket)).toEqual(['0-15', '0-15', '15-45', '15-45', '45-90', '45-90', '45-90']);
  });
  it('buckets pitch by its size', () => {
    expect([0, -14.9, 15, -29.9, 30, 44.9, -45, 90, 120].map(pitchBucket)).toEqual(['0-15', '0-15', '15-30', '15-30', '30-45', '30-45', '45-90', '45-90', '45-90']);
  });
  it('counts shares and histograms', () => {
    expect(shareUnder([0.1, 0.6, 0.7, 0.2], 0.6)).toBe(0.5);
    expect(histogram([0, 0.05, 0.5, 1.19, 5, -1], 0, 1.2, 4)).toEqual([3, 1, 0, 2]);
  });
});

describe('pairStats on a tiny set', () => {
  it('matches a direct computation over the pairs', () => {
    const rng = keyedRng(9);
    const items = Array.from({ length: 9 }, (_, k) => ({
      descriptor: Float32Array.from({ length: 8 }, () => rng.uniform() - 0.5 + (k % 3) * 0.2),
      id: k % 3,
      yaw: [-50, 0, 20, 35, -10, 80, 5, -25, 60][k]!,
    }));
    const near = (a: number, b: number) => Math.abs(a) < 30 && Math.abs(b) < 30;
    const s = pairStats(items, near);
    // Independently: list the pairs, split by identity, score by cosine and euclidean distance.
    const g: number[] = [];
    const imp: number[] = [];
    const gd: number[] = [];
    const id: number[] = [];
    for (let a = 0; a < 9; a++) {
      for (let b = a + 1; b < 9; b++) {
        if (!near(items[a]!.yaw, items[b]!.yaw)) continue;
        const same = items[a]!.id === items[b]!.id;
        (same ? g : imp).push(descriptorCosine(items[a]!.descriptor, items[b]!.descriptor));
        (same ? gd : id).push(descriptorDistance(items[a]!.descriptor, items[b]!.descriptor));
      }
    }
    expect(s.genuinePairs).toBe(g.length);
    expect(s.impostorPairs).toBe(imp.length);
    expect(s.genuinePairs + s.impostorPairs).toBe(10); // 5 images under 30°: C(5, 2)
    expect(s.auc).toBeCloseTo(bruteAuc(g, imp), 12);
    expect(s.impostorUnderThreshold).toBe(id.filter((d) => d < SAME_PERSON_DISTANCE).length / id.length);
    expect(s.genuineHistogram.reduce((a, b) => a + b, 0)).toBe(g.length);
  });
});

describe('bySkinTone', () => {
  // Six identities, two near-frontal images each and one in profile. Unit descriptors on a circle:
  // identities 0 and 1 (the lightest) sit 0.2 apart, 4 and 5 (the darkest) 1.0 apart, 2 and 3 at
  // 0.5; the thirds are 2 identities each.
  const at = (angle: number) => Float32Array.from([Math.cos(angle), Math.sin(angle)]);
  const chord = (d: number) => 2 * Math.asin(d / 2); // the angle between two unit vectors d apart
  const angles = [0, chord(0.2), 2, 2 + chord(0.5), 4, 4 + chord(1)];
  const described = angles.flatMap((a, id) => [
    { descriptor: at(a), id, yaw: 0 },
    { descriptor: at(a + 0.001), id, yaw: 10 },
    { descriptor: at(a + 0.002), id, yaw: 60 },
  ]);
  // Tones out of id order, so the ranking (not the ids) decides the thirds.
  const tone = new Map([[3, 0.1], [0, -2], [5, 2], [1, -1.5], [4, 1], [2, 0]]);

  it('splits identities into thirds by tone and counts near-frontal impostor pairs within each', () => {
    const t = bySkinTone(described, tone)!;
    expect(t.map((x) => [x.third, x.identities])).toEqual([['light', 2], ['mid', 2], ['dark', 2]]);
    // Within a third: 2 × 2 near-frontal images of different identities = 4 impostor pairs, and one
    // genuine pair per identity (the profile images take part in none).
    expect(t.map((x) => [x.nearFrontal.impostorPairs, x.nearFrontal.genuinePairs])).toEqual([[4, 2], [4, 2], [4, 2]]);
    // 0.2 and 0.5 apart: under 0.6; 1.0 apart: not.
    expect(t.map((x) => x.nearFrontal.impostorUnderThreshold)).toEqual([1, 1, 0]);
    expect(descriptorDistance(at(angles[4]!), at(angles[5]!))).toBeCloseTo(1, 6); // float32 descriptors
  });

  it('is null with fewer than 6 toned identities or when every tone is the same', () => {
    expect(bySkinTone(described, new Map([...tone].slice(0, 5)))).toBeNull();
    expect(bySkinTone(described, new Map([...tone].map(([id]) => [id, 0.5])))).toBeNull();
    expect(bySkinTone(described.filter((d) => d.id !== 5), tone)).toBeNull();
  });
});

describe('landmarkError', () => {
  const detected68 = (shift: number): Point[] => Array.from({ length: 68 }, (_, i): Point => [i + shift, 2 * i]);

  it('uses the 68 iBUG labels when present, normalised by the outer eye corners', () => {
    // Labels at the detected points shifted by 3 px in x; eye corners 36 and 45 are 9 px apart in x, 18 in y.
    const labels = Array.from({ length: 68 }, (_, i) => ({ name: ibugName(i), x: i, y: 2 * i }));
    const e = landmarkError(detected68(3), labels)!;
    expect(e.ibug68).toBe(true);
    expect(e.points).toBe(68);
    expect(e.error).toBeCloseTo(3 / Math.hypot(9, 18), 12);
  });

  it('maps synx named points to iBUG indices otherwise (pupils to eye-ring means)', () => {
    const lm = detected68(0);
    const labels = [
      { name: 'right.eye.corner_outer', x: 36, y: 72 },
      { name: 'left.eye.corner_outer', x: 45 + 4, y: 90 },
      { name: 'right.eye.pupil.center', x: 38.5, y: 77 },
      { name: 'center.nose.tip', x: 30, y: 60 },
    ];
    const e = landmarkError(lm, labels)!;
    expect(e.ibug68).toBe(false);
    expect(e.points).toBe(4);
    // Only the left outer corner is off (4 px); eye distance from the labels: hypot(13, 18).
    expect(e.error).toBeCloseTo(4 / 4 / Math.hypot(13, 18), 12);
    expect(landmarkError(lm, [{ name: 'center.nose.tip', x: 0, y: 0 }])).toBeNull();
  });
});
