import { describe, expect, it } from 'vitest';
import {
  auc,
  consecutiveFolds,
  lfwAccuracy,
  nearestBucket,
  rank1ByPose,
  rocCurve,
  roundHalfEven,
  tarAtFar,
  valAtFar,
  verificationMetrics,
  type DistancePair,
} from '../../src/eval/index.js';

/** The deterministic data of reference/facenet-reference.py (MINSTD LCG). */
function lcgPairs(n = 203): DistancePair[] {
  let x = 12345;
  const out: DistancePair[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647;
    const u = x / 2147483647;
    const same = i % 3 !== 0;
    out.push({ same, distance: same ? 0.2 + 1.6 * u : 0.9 + 2.0 * u });
  }
  return out;
}

/** A seeded stream for the brute-force comparisons (independent of src/). */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fold split', () => {
  it('splits like an unshuffled KFold: first n mod k folds one longer', () => {
    expect(consecutiveFolds(23, 10)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(consecutiveFolds(20, 10).filter((f) => f === 9)).toHaveLength(2);
  });
});

describe('LFW accuracy: hand-computed', () => {
  it('two folds, threshold from the other fold, smallest on ties', () => {
    // fold 0: same 0.1, 0.5; diff 0.9, 1.3. fold 1: same 0.2, 1.0; diff 0.6, 1.5.
    const pairs: DistancePair[] = [
      { same: true, distance: 0.1 },
      { same: true, distance: 0.5 },
      { same: false, distance: 0.9 },
      { same: false, distance: 1.3 },
      { same: true, distance: 0.2 },
      { same: true, distance: 1.0 },
      { same: false, distance: 0.6 },
      { same: false, distance: 1.5 },
    ];
    const r = lfwAccuracy(pairs, [0, 0, 0, 0, 1, 1, 1, 1]);
    // Test fold 0, train on fold 1: acc 1.0 needs 0.2 < t ≤ 0.6 and 1.0 < t — impossible; 3/4 is
    // reached first at t = 0.21 (0.2 accepted, 1.0 rejected, both impostors rejected).
    // On fold 0, t = 0.21 accepts 0.1 only: 3/4.
    expect(r.folds[0]!.threshold).toBeCloseTo(0.21, 10);
    expect(r.folds[0]!.accuracy).toBe(0.75);
    // Test fold 1, train on fold 0: the first perfect threshold is 0.51; on fold 1 it accepts
    // 0.2 and rejects 1.0, 0.6 and 1.5: 3/4.
    expect(r.folds[1]!.threshold).toBeCloseTo(0.51, 10);
    expect(r.folds[1]!.accuracy).toBe(0.75);
    expect(r.accuracy).toBe(0.75);
    expect(r.accuracy_std).toBe(0);
  });

  it('population std of fold accuracies', () => {
    // 10 folds of 2 pairs; perfect separation everywhere except fold 0, which is inverted.
    const pairs: DistancePair[] = [];
    for (let f = 0; f < 10; f++) {
      pairs.push({ same: true, distance: f === 0 ? 3 : 0.5 }, { same: false, distance: f === 0 ? 0.2 : 2 });
    }
    const r = lfwAccuracy(pairs);
    // Nine folds score 1; fold 0 scores 0 → mean 0.9, std sqrt(0.09) = 0.3.
    expect(r.accuracy).toBeCloseTo(0.9, 12);
    expect(r.accuracy_std).toBeCloseTo(0.3, 12);
  });
});

describe('against FaceNet’s code (reference/facenet-reference.py, numpy + scipy)', () => {
  const pairs = lcgPairs();
  it('10-fold accuracy', () => {
    const r = lfwAccuracy(pairs);
    expect(r.accuracy).toBeCloseTo(0.8616666666666667, 12);
    expect(r.accuracy_std).toBeCloseTo(0.0698268834389281, 12);
  });
  it('VAL@FAR', () => {
    const a = valAtFar(pairs, 1e-1);
    expect(a.val).toBeCloseTo(0.6296703296703297, 12);
    expect(a.val_std).toBeCloseTo(0.13086154281713042, 12);
    const b = valAtFar(pairs, 1e-2);
    expect(b.val).toBeCloseTo(0.4521978021978022, 12);
    expect(b.val_std).toBeCloseTo(0.10244122021236961, 12);
  });
  it('TAR@FAR and AUC on scores 1 - d/2', () => {
    const gen = pairs.filter((p) => p.same).map((p) => 1 - p.distance / 2);
    const imp = pairs.filter((p) => !p.same).map((p) => 1 - p.distance / 2);
    const t = tarAtFar(gen, imp, [1e-1, 1e-2, 1e-3]).map((x) => x.tar);
    expect(t[0]).toBeCloseTo(0.6148148148148148, 12);
    expect(t[1]).toBeCloseTo(0.4444444444444444, 12);
    expect(t[2]).toBeCloseTo(0.4444444444444444, 12);
    expect(auc(gen, imp)).toBeCloseTo(0.893681917211329, 12);
  });
});

describe('TAR@FAR: hand-computed', () => {
  const imp = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.4, 0.6, 0.8, 0.0]; // 10 impostors
  const gen = [0.95, 0.9, 0.85, 0.5, 0.1];
  it('k = round(FAR·n); threshold = k-th highest impostor; accept ≥', () => {
    const [a, b, c] = tarAtFar(gen, imp, [0.1, 0.3, 0.01]);
    // FAR 0.1 → k = 1 → threshold 0.9 → 0.95, 0.9 accepted.
    expect(a).toEqual({ far: 0.1, tar: 0.4, threshold: 0.9 });
    // FAR 0.3 → k = 3 → threshold 0.7 → 3 of 5.
    expect(b!.tar).toBe(0.6);
    // FAR 0.01 → k = 0 → just above 0.9 → only 0.95.
    expect(c!.tar).toBe(0.2);
  });
  it('rounds k half to even, as Python does', () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(1.4)).toBe(1);
  });
});

describe('AUC and ROC', () => {
  it('counts ties as one half', () => {
    // pairs (g, i): 1>0 ✓, 1>0.5 ✓, 0.5=0.5 ½, 0.5>0 ✓ → 3.5 / 4
    expect(auc([1, 0.5], [0, 0.5])).toBe(0.875);
  });
  it('equals brute-force P(g > i) + ½P(g = i) on seeded random data with ties', () => {
    const r = mulberry(7);
    const gen = Array.from({ length: 300 }, () => Math.round(r() * 50 + 20) / 100);
    const imp = Array.from({ length: 400 }, () => Math.round(r() * 50) / 100);
    let s = 0;
    for (const g of gen) for (const i of imp) s += g > i ? 1 : g === i ? 0.5 : 0;
    expect(auc(gen, imp)).toBeCloseTo(s / (gen.length * imp.length), 12);
  });
  it('ROC runs from (0,0) to (1,1), is monotone and thinned to ≤ 200 points', () => {
    const r = mulberry(3);
    const gen = Array.from({ length: 500 }, () => r() + 0.3);
    const imp = Array.from({ length: 500 }, () => r());
    const roc = rocCurve(gen, imp);
    expect(roc.length).toBe(200);
    expect(roc[0]).toEqual({ far: 0, tar: 0 });
    expect(roc[roc.length - 1]).toEqual({ far: 1, tar: 1 });
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i]!.far).toBeGreaterThanOrEqual(roc[i - 1]!.far);
      expect(roc[i]!.tar).toBeGreaterThanOrEqual(roc[i - 1]!.tar);
    }
  });
});

describe('against a straightforward reimplementation on seeded random data', () => {
  /** Accuracy by trying every grid threshold directly, folds as index ranges. */
  function naiveLfw(pairs: DistancePair[]): number[] {
    const n = pairs.length;
    const accs: number[] = [];
    let start = 0;
    for (let f = 0; f < 10; f++) {
      const size = Math.floor(n / 10) + (f < n % 10 ? 1 : 0);
      const inTest = (i: number) => i >= start && i < start + size;
      const accOf = (t: number, test: boolean) => {
        let ok = 0;
        let cnt = 0;
        pairs.forEach((p, i) => {
          if (inTest(i) !== test) return;
          cnt++;
          if (p.distance < t === p.same) ok++;
        });
        return ok / cnt;
      };
      let bestT = 0;
      let best = -1;
      for (let k = 0; k < 400; k++) {
        const a = accOf(k * 0.01, false);
        if (a > best) [best, bestT] = [a, k * 0.01];
      }
      accs.push(accOf(bestT, true));
      start += size;
    }
    return accs;
  }

  it('LFW accuracy, for several seeds and sizes', () => {
    for (const [seed, n] of [
      [1, 600],
      [2, 97],
      [5, 250],
    ] as const) {
      const r = mulberry(seed);
      const pairs = Array.from({ length: n }, (_, i) => {
        const same = r() < 0.5 || i === 0;
        return { same, distance: same ? r() * 2 : 0.8 + r() * 3 };
      });
      const accs = naiveLfw(pairs);
      const mean = accs.reduce((a, b) => a + b, 0) / 10;
      const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / 10);
      const got = lfwAccuracy(pairs);
      expect(got.accuracy).toBeCloseTo(mean, 12);
      expect(got.accuracy_std).toBeCloseTo(std, 12);
    }
  });

  it('TAR@FAR by scanning candidate thresholds', () => {
    const r = mulberry(11);
    const gen = Array.from({ length: 700 }, () => r() * 0.8 + 0.2);
    const imp = Array.from({ length: 2000 }, () => r() * 0.7);
    for (const far of [1e-1, 1e-2, 1e-3]) {
      // The lowest threshold among the impostor scores at which at most round(far·n) impostors
      // are accepted with ≥ — with distinct scores, exactly the k-th highest.
      const k = Math.round(far * imp.length);
      const sorted = [...imp].sort((a, b) => a - b);
      const t = sorted[imp.length - k]!;
      const tar = gen.filter((g) => g >= t).length / gen.length;
      expect(tarAtFar(gen, imp, [far])[0]!.tar).toBe(tar);
      expect(imp.filter((i) => i >= t).length).toBe(k);
    }
  });
});

describe('verificationMetrics', () => {
  it('uses the fold column when every row has one', () => {
    const pairs = [
      { same: true, score: 0.9, fold: 1 },
      { same: false, score: 0.1, fold: 1 },
      { same: true, score: 0.8, fold: 2 },
      { same: false, score: 0.2, fold: 2 },
    ];
    const v = verificationMetrics(pairs);
    // Test fold 1 with t ≈ 0.4 (from fold 2): both right. Test fold 2 with t ≈ 0.2 (from
    // fold 1): its genuine pair at d ≈ 0.4 is rejected. Mean (1 + 0.5) / 2.
    expect(v.accuracy).toBe(0.75);
    expect(v.accuracy_std).toBe(0.25);
    expect(v.pairs).toBe(4);
    expect(v.auc).toBe(1);
    // In doubles 2 - 2·0.9 = 0.19999999999999996 and 2 - 2·0.8 = 0.3999999999999999, so the
    // first grid thresholds above them (as numpy's would be) are 0.20 and 0.40: mean 0.30, as a
    // score 1 - 0.30/2.
    expect(v.threshold).toBeCloseTo(0.85, 12);
  });
});

describe('rank-1 by pose', () => {
  it('matches each probe to the most similar gallery identity, per nearest yaw bucket', () => {
    const gallery = [
      { id: 1, embedding: [1, 0] },
      { id: 2, embedding: [0, 1] },
    ];
    const probes = [
      { id: 1, yaw: 2, embedding: [0.9, 0.1] }, // bucket 0, hit
      { id: 2, yaw: -3, embedding: [0.2, 0.8] }, // bucket 0, hit
      { id: 1, yaw: 44, embedding: [0.1, 0.9] }, // bucket 45, miss
      { id: 2, yaw: 50, embedding: [0.1, 5] }, // bucket 45, hit (cosine, not dot)
      { id: 2, yaw: -88, embedding: [3, 1] }, // bucket -90, miss
    ];
    const r = rank1ByPose(gallery, probes);
    expect(r.rank1).toBeCloseTo(3 / 5, 12);
    expect(r.byPose).toEqual([
      { yaw: -90, rank1: 0, probes: 1 },
      { yaw: 0, rank1: 1, probes: 2 },
      { yaw: 45, rank1: 0.5, probes: 2 },
    ]);
  });
  it('nearest bucket, the smaller on an exact tie', () => {
    expect(nearestBucket(7.5)).toBe(0);
    expect(nearestBucket(-7.5)).toBe(-15);
    expect(nearestBucket(100)).toBe(90);
    expect(nearestBucket(-22)).toBe(-15);
  });
});
