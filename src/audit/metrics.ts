import type { Point } from '../faceapi/index.js';

/** The |yaw| buckets detection is reported by (degrees). */
export const YAW_BUCKETS = [
  { name: '0-15', lo: 0, hi: 15 },
  { name: '15-45', lo: 15, hi: 45 },
  { name: '45-90', lo: 45, hi: 90.0001 },
] as const;
export type YawBucket = (typeof YAW_BUCKETS)[number]['name'];

/** The bucket of an angle's size (degrees, either sign) among buckets that start at 0; beyond the last, the last. */
function bucketOf<N extends string>(buckets: readonly { readonly name: N; readonly hi: number }[], degrees: number): N {
  const a = Math.abs(degrees);
  for (const b of buckets) if (a < b.hi) return b.name;
  return buckets[buckets.length - 1]!.name;
}

/** The bucket of a yaw (degrees, either sign); beyond 90 counts as 45-90. */
export function yawBucket(yaw: number): YawBucket {
  return bucketOf(YAW_BUCKETS, yaw);
}

/**
 * The |pitch| buckets detection is also reported by (degrees): synx's default pitch N(0, 30) puts a
 * third of the images beyond 30° and one in eight beyond 45°, where a detector trained on photos of
 * mostly upright people misses many faces (docs/realism.md).
 */
export const PITCH_BUCKETS = [
  { name: '0-15', lo: 0, hi: 15 },
  { name: '15-30', lo: 15, hi: 30 },
  { name: '30-45', lo: 30, hi: 45 },
  { name: '45-90', lo: 45, hi: 90.0001 },
] as const;
export type PitchBucket = (typeof PITCH_BUCKETS)[number]['name'];

/** The bucket of a pitch (degrees, either sign); beyond 90 counts as 45-90. */
export function pitchBucket(pitch: number): PitchBucket {
  return bucketOf(PITCH_BUCKETS, pitch);
}

/** Pairs with both images under this |yaw| are "near-frontal" (degrees). */
export const NEAR_FRONTAL_PAIR_YAW = 30;
/** Images under this |yaw| are near-frontal for the landmark error (degrees). */
export const NEAR_FRONTAL_IMAGE_YAW = 15;

/**
 * ROC AUC of scores where higher means "same person": the probability that a random genuine pair
 * scores above a random impostor pair, ties counting a half (the Mann-Whitney U statistic over
 * n_g * n_i), by sorting once (O(n log n)). NaN when either list is empty.
 */
export function rocAuc(genuine: readonly number[], impostor: readonly number[]): number {
  if (genuine.length === 0 || impostor.length === 0) return NaN;
  const all = [...genuine.map((s) => [s, 1] as const), ...impostor.map((s) => [s, 0] as const)].sort((a, b) => a[0] - b[0]);
  // Sum of the genuine scores' average ranks (1-based), ties sharing the mean rank.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]![1] === 1) rankSum += meanRank;
    i = j;
  }
  const g = genuine.length;
  return (rankSum - (g * (g + 1)) / 2) / (g * impostor.length);
}

/** Share of `values` strictly under `threshold` (NaN for none). */
export function shareUnder(values: readonly number[], threshold: number): number {
  return values.length === 0 ? NaN : values.filter((v) => v < threshold).length / values.length;
}

/** Counts of `values` in `bins` equal bins over [lo, hi) (values outside are clamped to the ends). */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  for (const v of values) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    out[k]!++;
  }
  return out;
}

/**
 * synx's named landmarks and the 68 iBUG / Multi-PIE indices (0-based) that mark the same place.
 * synx names sides by the subject, so the subject's right eye is iBUG 36-41 (the image's left).
 * Pupil centres have no iBUG point: they are compared with the mean of the eye ring.
 */
export const NAMED_TO_IBUG: ReadonlyArray<readonly [string, number | 'right-eye-ring' | 'left-eye-ring']> = [
  ['right.eye.corner_outer', 36],
  ['right.eye.corner_inner', 39],
  ['left.eye.corner_inner', 42],
  ['left.eye.corner_outer', 45],
  ['right.eye.pupil.center', 'right-eye-ring'],
  ['left.eye.pupil.center', 'left-eye-ring'],
  ['center.nose.tip', 30],
  ['right.lips.corner', 48],
  ['left.lips.corner', 54],
  ['center.lips.upper.outer', 51],
  ['center.lips.lower.outer', 57],
  ['center.chin.tip', 8],
];

/** The name of iBUG point i (0-based) in synx labels of models that carry all 68 (`ibug68.01`…). */
export function ibugName(i: number): string {
  return `ibug68.${String(i + 1).padStart(2, '0')}`;
}

interface NamedPoint {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/**
 * Mean distance between face-api's 68 landmarks and synx's labels, over the points both have,
 * divided by the labels' outer-eye-corner distance. Uses the 68 iBUG labels when the model carries
 * them, else the named points of NAMED_TO_IBUG. Null when the labels lack the eye corners.
 */
export function landmarkError(detected: readonly Point[], labels: readonly NamedPoint[]): { error: number; points: number; ibug68: boolean } | null {
  const byName = new Map(labels.map((l) => [l.name, l]));
  const ibug68 = byName.has(ibugName(0)) && byName.has(ibugName(67));
  const outerR = ibug68 ? byName.get(ibugName(36)) : byName.get('right.eye.corner_outer');
  const outerL = ibug68 ? byName.get(ibugName(45)) : byName.get('left.eye.corner_outer');
  if (!outerR || !outerL) return null;
  const iod = Math.hypot(outerL.x - outerR.x, outerL.y - outerR.y);
  if (!(iod > 0)) return null;
  const ring = (from: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i < from + 6; i++) {
      x += detected[i]![0];
      y += detected[i]![1];
    }
    return [x / 6, y / 6];
  };
  let sum = 0;
  let n = 0;
  if (ibug68) {
    for (let i = 0; i < 68; i++) {
      const l = byName.get(ibugName(i));
      if (!l) continue;
      sum += Math.hypot(detected[i]![0] - l.x, detected[i]![1] - l.y);
      n++;
    }
  } else {
    for (const [name, idx] of NAMED_TO_IBUG) {
      const l = byName.get(name);
      if (!l) continue;
      const p = idx === 'right-eye-ring' ? ring(36) : idx === 'left-eye-ring' ? ring(42) : detected[idx]!;
      sum += Math.hypot(p[0] - l.x, p[1] - l.y);
      n++;
    }
  }
  return n === 0 ? null : { error: sum / n / iod, points: n, ibug68 };
}
