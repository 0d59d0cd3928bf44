// Audit of rendered sets with an off-the-shelf, real-trained recogniser (face-api): detection by
// yaw, landmark agreement with synx's labels, identity separability and consistency.
export { auditImages, bySkinTone, HISTOGRAM_RANGE, pairStats, REAL_PEOPLE_REFERENCE } from './audit.js';
export type { AuditImage, AuditOptions, AuditProgress, DetectionCount, AuditResult, PairStats, SkinToneThird } from './audit.js';
export { auditPlots } from './plots.js';
export type { AuditPlot } from './plots.js';
export { formatAudit } from './format.js';
export { renderNodeImages } from './sources.js';
export { auditDataset, formatDatasetAudit } from './dataset.js';
export type { DatasetAudit } from './dataset.js';
export {
  histogram,
  ibugName,
  landmarkError,
  NAMED_TO_IBUG,
  NEAR_FRONTAL_IMAGE_YAW,
  NEAR_FRONTAL_PAIR_YAW,
  PITCH_BUCKETS,
  pitchBucket,
  rocAuc,
  shareUnder,
  YAW_BUCKETS,
  yawBucket,
} from './metrics.js';
export type { PitchBucket, YawBucket } from './metrics.js';
