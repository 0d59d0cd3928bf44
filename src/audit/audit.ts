import { descriptorCosine, descriptorDistance, detectFaces, SAME_PERSON_DISTANCE } from '../faceapi/index.js';
import type { Detector } from '../faceapi/index.js';
import {
  histogram,
  landmarkError,
  NEAR_FRONTAL_IMAGE_YAW,
  NEAR_FRONTAL_PAIR_YAW,
  PITCH_BUCKETS,
  pitchBucket,
  rocAuc,
  shareUnder,
  YAW_BUCKETS,
  yawBucket,
} from './metrics.js';

/**
 * What face-api makes of different real people, the number an audit's impostor share is read
 * against: the 22 faces of its six demo photos (every one a different woman; whole scenes, no
 * padding) give 19 of their 231 pairs under the same-person distance. `npm run bench:realism`
 * measures it, and test/faceapi recomputes it from the photos.
 */
export const REAL_PEOPLE_REFERENCE = { photos: 6, faces: 22, impostorPairs: 231, impostorsUnder: 19 } as const;

/** One rendered image to audit: its pixels and what synx knows about it. */
export interface AuditImage {
  readonly rgb: Uint8Array;
  readonly size: number;
  readonly id: number;
  readonly yaw: number;
  /** Head pitch in degrees, when known: detection is then also reported by |pitch|. */
  readonly pitch?: number;
  readonly landmarks: readonly { readonly name: string; readonly x: number; readonly y: number }[];
  /** The identity's skin-tone draw, where the model has one (`skinToneOf`): audits then split by it. */
  readonly skinTone?: number;
}

/** Genuine and impostor statistics of one set of pairs. */
export interface PairStats {
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  /** ROC AUC of cosine similarity (1 = every genuine pair above every impostor pair, 0.5 = chance). */
  readonly auc: number;
  /** Share of impostor pairs under face-api's same-person distance (lower is better; real people: about 0.1). */
  readonly impostorUnderThreshold: number;
  /** Share of genuine pairs under it (higher is better). */
  readonly genuineUnderThreshold: number;
  /** Euclidean distance histograms over [0, 1.2) in 24 bins. */
  readonly genuineHistogram: number[];
  readonly impostorHistogram: number[];
}

/** Images in a pose bucket, how many of them face-api found a face in, and the share (NaN when none). */
export interface DetectionCount {
  readonly images: number;
  readonly detected: number;
  readonly rate: number;
}

/** A DetectionCount while images are being counted. */
type Counting = { -readonly [K in keyof DetectionCount]: DetectionCount[K] };

/** What `auditImages` measures on a rendered set. */
export interface AuditResult {
  readonly images: number;
  readonly identities: number;
  readonly detector: Detector;
  /** Share of images where face-api found a face, by |yaw| bucket (NaN when a bucket is empty). */
  readonly detection: Record<string, DetectionCount>;
  /** The same by |pitch| bucket, over the images whose pitch is known; null when none is. */
  readonly detectionByPitch: Record<string, DetectionCount> | null;
  /** Mean landmark error on detected near-frontal images (|yaw| < 15), in outer-eye-corner distances. */
  readonly landmarkError: { readonly images: number; readonly mean: number; readonly points: number; readonly ibug68: boolean } | null;
  readonly nearFrontal: PairStats;
  readonly all: PairStats;
  /** Mean over identities of the mean distance of an identity's descriptors to their centroid. */
  readonly identitySpread: number;
  /** Share of detected images whose nearest other detected image shows the same identity. */
  readonly nearestIsSameIdentity: number;
  readonly threshold: number;
  /** Near-frontal pairs within each third of the identities by skin tone; null without skin tones. */
  readonly bySkinTone: readonly SkinToneThird[] | null;
}

/** Near-frontal pair statistics among the identities of one third by skin-tone draw. */
export interface SkinToneThird {
  readonly third: 'light' | 'mid' | 'dark';
  readonly identities: number;
  readonly nearFrontal: PairStats;
}

export const HISTOGRAM_RANGE = { lo: 0, hi: 1.2, bins: 24 } as const;

/** Pair statistics from per-image descriptors, ids and yaws (only images with a descriptor). */
export function pairStats(items: readonly { descriptor: Float32Array; id: number; yaw: number }[], filter: (a: number, b: number) => boolean): PairStats {
  const gCos: number[] = [];
  const iCos: number[] = [];
  const gDist: number[] = [];
  const iDist: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      if (!filter(a.yaw, b.yaw)) continue;
      const same = a.id === b.id;
      (same ? gCos : iCos).push(descriptorCosine(a.descriptor, b.descriptor));
      (same ? gDist : iDist).push(descriptorDistance(a.descriptor, b.descriptor));
    }
  }
  const { lo, hi, bins } = HISTOGRAM_RANGE;
  return {
    genuinePairs: gCos.length,
    impostorPairs: iCos.length,
    auc: rocAuc(gCos, iCos),
    impostorUnderThreshold: shareUnder(iDist, SAME_PERSON_DISTANCE),
    genuineUnderThreshold: shareUnder(gDist, SAME_PERSON_DISTANCE),
    genuineHistogram: histogram(gDist, lo, hi, bins),
    impostorHistogram: histogram(iDist, lo, hi, bins),
  };
}

/** Both images of a pair near-frontal (|yaw| < NEAR_FRONTAL_PAIR_YAW). */
const nearFrontalPair = (a: number, b: number) => Math.abs(a) < NEAR_FRONTAL_PAIR_YAW && Math.abs(b) < NEAR_FRONTAL_PAIR_YAW;

/**
 * Near-frontal pair statistics within each third of the described identities ranked by skin tone
 * (lightest first, ties by id): how far apart a recogniser puts different people of about the same
 * skin tone. Null with fewer than 6 identities that have a tone, or when all tones are equal.
 */
export function bySkinTone(described: readonly { descriptor: Float32Array; id: number; yaw: number }[], tone: ReadonlyMap<number, number>): SkinToneThird[] | null {
  const ids = [...new Set(described.map((d) => d.id))].filter((id) => tone.has(id));
  if (ids.length < 6 || new Set(ids.map((id) => tone.get(id))).size < 2) return null;
  ids.sort((a, b) => tone.get(a)! - tone.get(b)! || a - b);
  return (['light', 'mid', 'dark'] as const).map((third, k) => {
    const members = new Set(ids.slice(Math.floor((k * ids.length) / 3), Math.floor(((k + 1) * ids.length) / 3)));
    return { third, identities: members.size, nearFrontal: pairStats(described.filter((d) => members.has(d.id)), nearFrontalPair) };
  });
}

/** Progress callback: images done of total. */
export type AuditProgress = (done: number, total: number) => void;

/** What `auditImages` can be asked besides the set's images. */
export interface AuditOptions {
  readonly detector?: Detector;
  readonly progress?: AuditProgress;
  /** Called with each detected face's descriptor and the index of its image in the set. */
  readonly described?: (image: number, descriptor: Float32Array) => void;
}

/**
 * Runs face-api on each image (centred on a grey canvas 3x its size) and measures what a
 * real-trained detector, landmarker and recogniser make of the set.
 */
export async function auditImages(images: readonly AuditImage[], options: AuditOptions = {}): Promise<AuditResult> {
  const detector = options.detector ?? 'ssd';
  const detection: Record<string, Counting> = {};
  for (const b of YAW_BUCKETS) detection[b.name] = { images: 0, detected: 0, rate: NaN };
  const byPitch: Record<string, Counting> = {};
  for (const b of PITCH_BUCKETS) byPitch[b.name] = { images: 0, detected: 0, rate: NaN };
  let pitchKnown = false;
  const described: { descriptor: Float32Array; id: number; yaw: number }[] = [];
  const lmErrors: number[] = [];
  let lmPoints = 0;
  let ibug68 = false;
  for (const [k, img] of images.entries()) {
    const faces = await detectFaces({ data: img.rgb, width: img.size, height: img.size }, { detector, pad: 3 });
    const bucket = detection[yawBucket(img.yaw)]!;
    bucket.images++;
    const pBucket = img.pitch === undefined ? undefined : byPitch[pitchBucket(img.pitch)]!;
    if (pBucket) {
      pitchKnown = true;
      pBucket.images++;
    }
    // A rendered image shows one face: the most confident detection is it.
    const face = faces[0];
    if (face) {
      bucket.detected++;
      if (pBucket) pBucket.detected++;
      described.push({ descriptor: face.descriptor!, id: img.id, yaw: img.yaw });
      options.described?.(k, face.descriptor!);
      if (Math.abs(img.yaw) < NEAR_FRONTAL_IMAGE_YAW) {
        const e = landmarkError(face.landmarks!, img.landmarks);
        if (e) {
          lmErrors.push(e.error);
          lmPoints = e.points;
          ibug68 = e.ibug68;
        }
      }
    }
    options.progress?.(k + 1, images.length);
  }
  for (const b of [...Object.values(detection), ...Object.values(byPitch)]) b.rate = b.images > 0 ? b.detected / b.images : NaN;
  // Identity consistency: spread about each identity's centroid, and nearest-neighbour identity.
  const byId = new Map<number, Float32Array[]>();
  for (const d of described) byId.set(d.id, [...(byId.get(d.id) ?? []), d.descriptor]);
  const spreads: number[] = [];
  for (const ds of byId.values()) {
    if (ds.length < 2) continue;
    const c = new Float32Array(ds[0]!.length);
    for (const d of ds) for (let i = 0; i < c.length; i++) c[i]! += d[i]! / ds.length;
    spreads.push(ds.reduce((s, d) => s + descriptorDistance(d, c), 0) / ds.length);
  }
  let nnSame = 0;
  for (let i = 0; i < described.length; i++) {
    let best = Infinity;
    let bestId = -1;
    for (let j = 0; j < described.length; j++) {
      if (j === i) continue;
      const d = descriptorDistance(described[i]!.descriptor, described[j]!.descriptor);
      if (d < best) {
        best = d;
        bestId = described[j]!.id;
      }
    }
    if (bestId === described[i]!.id) nnSame++;
  }
  const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  return {
    images: images.length,
    identities: new Set(images.map((i) => i.id)).size,
    detector,
    detection,
    detectionByPitch: pitchKnown ? byPitch : null,
    landmarkError: lmErrors.length ? { images: lmErrors.length, mean: mean(lmErrors), points: lmPoints, ibug68 } : null,
    nearFrontal: pairStats(described, nearFrontalPair),
    all: pairStats(described, () => true),
    identitySpread: mean(spreads),
    nearestIsSameIdentity: described.length > 1 ? nnSame / described.length : NaN,
    threshold: SAME_PERSON_DISTANCE,
    bySkinTone: bySkinTone(described, new Map(images.flatMap((i) => (i.skinTone === undefined ? [] : [[i.id, i.skinTone] as const])))),
  };
}
