// The eval stage: standard face-recognition metrics, score files and the `eval` node kind.
export {
  LFW_THRESHOLDS,
  VAL_THRESHOLDS,
  YAW_BUCKETS,
  auc,
  consecutiveFolds,
  lfwAccuracy,
  meanStd,
  nearestBucket,
  rank1ByPose,
  rocCurve,
  roundHalfEven,
  tarAtFar,
  valAtFar,
} from './metrics.js';
export type { DistancePair, Embedded, FoldAccuracy, Rank1Result, ValAtFar } from './metrics.js';
export { verificationMetrics } from './verification.js';
export type { ScoredPair, VerificationResult } from './verification.js';
export { parseScoresCsv, ScoresCsvError } from './scores-csv.js';
export { evalKind, evaluate, RESULTS_FILE, SYNTHETIC_PAIRS, syntheticPairs } from './kind.js';
export type { EvalResults } from './kind.js';
