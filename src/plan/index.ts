// The planning stage: checked experiments → sweep expansion → one DAG with fingerprints.
export type {
  Dist,
  Choice,
  ChoiceDist,
  ModelRef,
  RenderParams,
  TrainParams,
  DataParams,
  EvalParams,
  ReportParams,
  Network,
  Loss,
  InputRole,
} from './params.js';
export { KIND_VERSIONS } from './kinds.js';
export type { NodeKindName } from './kinds.js';
export type { Fingerprint, PlanNode, PlanInput, PlanExperiment, Plan } from './types.js';
export { fingerprintOf, fingerprintRecord } from './fingerprint.js';
export type { FingerprintRecord } from './fingerprint.js';
