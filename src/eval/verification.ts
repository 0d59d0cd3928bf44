import { auc, lfwAccuracy, tarAtFar, valAtFar, type DistancePair } from './metrics.js';

/** One comparison: genuine or impostor, its cosine similarity, and optionally its fold. */
export interface ScoredPair {
  readonly same: boolean;
  /** Cosine similarity of the two L2-normalised embeddings (higher = more similar). */
  readonly score: number;
  readonly fold?: number;
}

/** The verification block of results.json and the output of `synx metrics`. */
export interface VerificationResult {
  readonly accuracy: number;
  readonly accuracy_std: number;
  /**
   * The LFW decision threshold as a similarity (accept when score > threshold): 1 − t/2 for the
   * mean of the per-fold squared-L2 thresholds t.
   */
  readonly threshold: number;
  readonly 'val_at_far_1e-3': number;
  readonly tar_at_far: { readonly '1e-1': number; readonly '1e-2': number; readonly '1e-3': number };
  readonly auc: number;
  readonly pairs: number;
}

/**
 * Every verification metric of a list of scored pairs: LFW 10-fold accuracy and VAL@FAR=1e-3
 * over distance = 2 − 2·score (folds from the `fold` field when every pair has one, else file
 * order in 10 parts), and TAR@FAR and AUC over the scores themselves.
 */
export function verificationMetrics(pairs: readonly ScoredPair[]): VerificationResult {
  const bad = pairs.findIndex((p) => !Number.isFinite(p.score));
  if (bad >= 0) throw new RangeError(`verificationMetrics: pair ${bad} has score ${pairs[bad]!.score}; scores must be finite numbers`);
  const withFold = pairs.every((p) => p.fold !== undefined);
  const folds = withFold ? pairs.map((p) => p.fold!) : undefined;
  const dist: DistancePair[] = pairs.map((p) => ({ same: p.same, distance: 2 - 2 * p.score }));
  const acc = lfwAccuracy(dist, folds);
  const val = valAtFar(dist, 1e-3, folds);
  const genuine = pairs.filter((p) => p.same).map((p) => p.score);
  const impostor = pairs.filter((p) => !p.same).map((p) => p.score);
  const [t1, t2, t3] = tarAtFar(genuine, impostor, [1e-1, 1e-2, 1e-3]);
  return {
    accuracy: acc.accuracy,
    accuracy_std: acc.accuracy_std,
    threshold: 1 - acc.threshold / 2,
    'val_at_far_1e-3': val.val,
    tar_at_far: { '1e-1': t1!.tar, '1e-2': t2!.tar, '1e-3': t3!.tar },
    auc: auc(genuine, impostor),
    pairs: pairs.length,
  };
}
