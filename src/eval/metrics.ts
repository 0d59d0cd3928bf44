/**
 * The standard face-recognition metrics, computed exactly as the reference code does
 * (docs/train-eval.md and shared/reference/evaluation-protocols.md): LFW 10-fold accuracy and
 * VAL@FAR over squared-L2 distances, IJB-style TAR@FAR and AUC over similarity scores, and
 * Multi-PIE-style rank-1 identification by pose bucket.
 */

/** One verification comparison in distance space: squared L2 of unit embeddings, in [0, 4]. */
export interface DistancePair {
  readonly same: boolean;
  readonly distance: number;
}

/** The LFW threshold grid 0.00, 0.01, …, 3.99 (numpy `arange(0, 4, 0.01)`: start + i·step). */
export const LFW_THRESHOLDS: readonly number[] = Array.from({ length: 400 }, (_, i) => i * 0.01);
/** The finer VAL@FAR grid 0.000, 0.001, …, 3.999. */
export const VAL_THRESHOLDS: readonly number[] = Array.from({ length: 4000 }, (_, i) => i * 0.001);

/**
 * Fold of each of `n` items in file order, as sklearn's unshuffled KFold splits them: `k`
 * consecutive parts, the first `n mod k` one item longer.
 */
export function consecutiveFolds(n: number, k = 10): number[] {
  if (n < k) throw new RangeError(`need at least ${k} pairs for ${k} folds, got ${n}`);
  const base = Math.floor(n / k);
  const extra = n % k;
  const out: number[] = [];
  for (let f = 0; f < k; f++) {
    const len = base + (f < extra ? 1 : 0);
    for (let i = 0; i < len; i++) out.push(f);
  }
  return out;
}

/** The distinct fold labels, in order of first appearance. */
function foldLabels(folds: readonly number[]): number[] {
  return [...new Set(folds)];
}

/** Mean and population standard deviation (ddof = 0). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}

/** Accuracy, true-accept rate and false-accept rate of "same when distance < t" on a subset. */
function rates(pairs: readonly DistancePair[], idx: readonly number[], t: number) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const i of idx) {
    const p = pairs[i]!;
    const accept = p.distance < t;
    if (p.same) {
      if (accept) tp++;
      else fn++;
    } else if (accept) fp++;
    else tn++;
  }
  const nSame = tp + fn;
  const nDiff = fp + tn;
  return {
    acc: idx.length === 0 ? 0 : (tp + tn) / idx.length,
    tar: nSame === 0 ? 0 : tp / nSame,
    far: nDiff === 0 ? 0 : fp / nDiff,
  };
}

function splitFolds(n: number, folds: readonly number[] | undefined): { labels: number[]; of: readonly number[] } {
  const of = folds ?? consecutiveFolds(n);
  if (of.length !== n) throw new RangeError(`folds has ${of.length} entries for ${n} pairs`);
  const labels = foldLabels(of);
  if (labels.length < 2) throw new RangeError('cross-validation needs at least 2 folds');
  return { labels, of };
}

/** The result of LFW-style k-fold verification. */
export interface FoldAccuracy {
  /** Mean of the held-out fold accuracies. */
  readonly accuracy: number;
  /** Population std (ddof = 0) of the fold accuracies. */
  readonly accuracy_std: number;
  /** Mean of the per-fold distance thresholds chosen on the training folds. */
  readonly threshold: number;
  readonly folds: readonly { readonly accuracy: number; readonly threshold: number }[];
}

/**
 * LFW 10-fold accuracy: for each fold, the threshold of the grid with the best accuracy on the
 * other folds (the smallest on ties) is applied to the held-out fold. `folds` gives each pair's
 * fold; by default the pair list in file order is split into 10 consecutive parts.
 */
export function lfwAccuracy(
  pairs: readonly DistancePair[],
  folds?: readonly number[],
  thresholds: readonly number[] = LFW_THRESHOLDS,
): FoldAccuracy {
  const { labels, of } = splitFolds(pairs.length, folds);
  const results: { accuracy: number; threshold: number }[] = [];
  for (const f of labels) {
    const train: number[] = [];
    const test: number[] = [];
    of.forEach((g, i) => (g === f ? test : train).push(i));
    let best = -1;
    let bestT = thresholds[0] ?? 0;
    for (const t of thresholds) {
      const a = rates(pairs, train, t).acc;
      if (a > best) {
        best = a;
        bestT = t;
      }
    }
    results.push({ accuracy: rates(pairs, test, bestT).acc, threshold: bestT });
  }
  const { mean, std } = meanStd(results.map((r) => r.accuracy));
  return {
    accuracy: mean,
    accuracy_std: std,
    threshold: meanStd(results.map((r) => r.threshold)).mean,
    folds: results,
  };
}

/** VAL (true-accept rate) at a target FAR, cross-validated over folds. */
export interface ValAtFar {
  readonly val: number;
  readonly val_std: number;
  /** Mean FAR reached on the held-out folds. */
  readonly far: number;
}

/**
 * VAL@FAR as FaceNet computes it: on the training folds, FAR(threshold) over the fine grid; the
 * threshold where FAR reaches `target` by linear interpolation between the two grid points that
 * bracket it (0 when FAR never reaches it); VAL of that threshold on the held-out fold.
 */
export function valAtFar(
  pairs: readonly DistancePair[],
  target = 1e-3,
  folds?: readonly number[],
  thresholds: readonly number[] = VAL_THRESHOLDS,
): ValAtFar {
  const { labels, of } = splitFolds(pairs.length, folds);
  const vals: number[] = [];
  const fars: number[] = [];
  for (const f of labels) {
    const train: number[] = [];
    const test: number[] = [];
    of.forEach((g, i) => (g === f ? test : train).push(i));
    const farTrain = farCurve(pairs, train, thresholds);
    let threshold = 0;
    const hit = farTrain.findIndex((x) => x >= target);
    if (hit === 0) threshold = thresholds[0]!;
    else if (hit > 0) {
      const f0 = farTrain[hit - 1]!;
      const f1 = farTrain[hit]!;
      const t0 = thresholds[hit - 1]!;
      const t1 = thresholds[hit]!;
      threshold = t0 + ((target - f0) * (t1 - t0)) / (f1 - f0);
    }
    const r = rates(pairs, test, threshold);
    vals.push(r.tar);
    fars.push(r.far);
  }
  const v = meanStd(vals);
  return { val: v.mean, val_std: v.std, far: meanStd(fars).mean };
}

/** FAR at each threshold of a sorted grid, in one pass over the sorted impostor distances. */
function farCurve(pairs: readonly DistancePair[], idx: readonly number[], thresholds: readonly number[]): number[] {
  const imp = idx
    .map((i) => pairs[i]!)
    .filter((p) => !p.same)
    .map((p) => p.distance)
    .sort((a, b) => a - b);
  const out: number[] = [];
  let j = 0;
  for (const t of thresholds) {
    while (j < imp.length && imp[j]! < t) j++;
    out.push(imp.length === 0 ? 0 : j / imp.length);
  }
  return out;
}

/** Python's `round` (half to even), which the reference code uses for k = round(FAR · n). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * TAR at each FAR (IJB style): with impostor scores sorted high to low and k = round(FAR · n),
 * the threshold is the k-th highest impostor score (just above the highest when k = 0); a
 * comparison is accepted when its score ≥ threshold.
 */
export function tarAtFar(
  genuine: readonly number[],
  impostor: readonly number[],
  fars: readonly number[] = [1e-1, 1e-2, 1e-3],
): { far: number; tar: number; threshold: number }[] {
  const imp = [...impostor].sort((a, b) => b - a);
  return fars.map((far) => {
    const k = roundHalfEven(far * imp.length);
    let accepted: number;
    let threshold: number;
    if (k === 0 || imp.length === 0) {
      threshold = imp.length === 0 ? Infinity : imp[0]!;
      accepted = genuine.filter((g) => g > threshold).length;
    } else {
      threshold = imp[Math.min(k, imp.length) - 1]!;
      accepted = genuine.filter((g) => g >= threshold).length;
    }
    return { far, tar: genuine.length === 0 ? 0 : accepted / genuine.length, threshold };
  });
}

/**
 * Scores must be numbers: NaN never equals itself, so tie grouping would never advance and
 * sorting would be undefined. A NaN here is a bug upstream (the eval node reports diverged
 * embeddings itself), so it is an exception, not a result.
 */
function assertFinite(xs: readonly number[], where: string): void {
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RangeError(`${where}: score ${bad} is ${xs[bad]}; scores must be finite numbers`);
}

/** AUC = P(genuine > impostor) + ½·P(equal), by average ranks (Mann–Whitney U). */
export function auc(genuine: readonly number[], impostor: readonly number[]): number {
  const nG = genuine.length;
  const nI = impostor.length;
  if (nG === 0 || nI === 0) return NaN;
  assertFinite(genuine, 'auc');
  assertFinite(impostor, 'auc');
  const all = [...genuine.map((s) => ({ s, g: true })), ...impostor.map((s) => ({ s, g: false }))];
  all.sort((a, b) => a.s - b.s);
  let rankSumG = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.g) rankSumG += avgRank;
    i = j;
  }
  return (rankSumG - (nG * (nG + 1)) / 2) / (nG * nI);
}

/**
 * The ROC (FAR, TAR) of "accept when score ≥ t" at every distinct score, from (0, 0) to (1, 1),
 * thinned to at most `maxPoints` points (the first and last kept).
 */
export function rocCurve(
  genuine: readonly number[],
  impostor: readonly number[],
  maxPoints = 200,
): { far: number; tar: number }[] {
  assertFinite(genuine, 'rocCurve');
  assertFinite(impostor, 'rocCurve');
  const all = [...genuine.map((s) => ({ s, g: true })), ...impostor.map((s) => ({ s, g: false }))];
  all.sort((a, b) => b.s - a.s);
  const nG = Math.max(1, genuine.length);
  const nI = Math.max(1, impostor.length);
  const pts: { far: number; tar: number }[] = [{ far: 0, tar: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) {
      if (all[j]!.g) tp++;
      else fp++;
      j++;
    }
    pts.push({ far: fp / nI, tar: tp / nG });
    i = j;
  }
  if (pts.length <= maxPoints) return pts;
  const out: { far: number; tar: number }[] = [];
  for (let i = 0; i < maxPoints; i++) out.push(pts[Math.round((i * (pts.length - 1)) / (maxPoints - 1))]!);
  return out;
}

/** A labelled embedding for identification. */
export interface Embedded {
  readonly id: number | string;
  readonly embedding: ArrayLike<number>;
}

/** Standard pose buckets: yaw 0, ±15, …, ±90 degrees. */
export const YAW_BUCKETS: readonly number[] = [-90, -75, -60, -45, -30, -15, 0, 15, 30, 45, 60, 75, 90];

/** The bucket nearest to `yaw` (the smaller on an exact tie). */
export function nearestBucket(yaw: number, buckets: readonly number[] = YAW_BUCKETS): number {
  let best = buckets[0]!;
  for (const b of buckets) if (Math.abs(b - yaw) < Math.abs(best - yaw)) best = b;
  return best;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** Rank-1 identification result: overall and per yaw bucket. */
export interface Rank1Result {
  readonly rank1: number;
  readonly byPose: readonly { readonly yaw: number; readonly rank1: number; readonly probes: number }[];
}

/**
 * Rank-1 identification by pose: each probe is matched to the gallery entry of highest cosine
 * similarity (the first on ties); per bucket, the fraction whose match has the probe's identity.
 * Buckets without probes are left out.
 */
export function rank1ByPose(
  gallery: readonly Embedded[],
  probes: readonly (Embedded & { readonly yaw: number })[],
  buckets: readonly number[] = YAW_BUCKETS,
): Rank1Result {
  const hits = new Map<number, { hit: number; n: number }>();
  let hitAll = 0;
  for (const p of probes) {
    let best = -Infinity;
    let bestId: number | string | undefined;
    for (const g of gallery) {
      const s = cosine(p.embedding, g.embedding);
      if (s > best) {
        best = s;
        bestId = g.id;
      }
    }
    const b = nearestBucket(p.yaw, buckets);
    const e = hits.get(b) ?? { hit: 0, n: 0 };
    e.n++;
    if (bestId === p.id) {
      e.hit++;
      hitAll++;
    }
    hits.set(b, e);
  }
  const byPose = [...hits.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([yaw, e]) => ({ yaw, rank1: e.hit / e.n, probes: e.n }));
  return { rank1: probes.length === 0 ? 0 : hitAll / probes.length, byPose };
}
