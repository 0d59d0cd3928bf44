// The planning stage: checked experiments → sweep expansion → one DAG with fingerprints.
export type {
  Dist,
  Choice,
  ChoiceDist,
  ModelRef,
  RenderParams,
  RenderMap,
  TrainParams,
  DataParams,
  EvalParams,
  ReportParams,
  Network,
  Loss,
  LrSchedule,
  InputRole,
  PretrainedNetwork,
} from '../params/index.js';
export { KIND_VERSIONS } from '../params/index.js';
export type { KindAndParams, KindParams, NodeKindName, NodeParams } from '../params/index.js';
export type { Fingerprint, PlanNode, PlanNodeOf, PlanInput, PlanExperiment, Plan } from './types.js';
export { kindAndParams } from './types.js';
export { fingerprintOf, fingerprintRecord, locationFree } from './fingerprint.js';
export { ContentDigester, ABSENT_DIGEST } from './content.js';
export type { ContentDigest, DigestedInput, ListingEntry } from './content.js';
export type { FingerprintRecord } from './fingerprint.js';
export { compileFile, compileText, planResolution, datasetProblems, scaleSpec, MAX_EXPERIMENTS } from './compile.js';
export type { CompileResult } from './compile.js';
export { IMAGES_PER_SHARD } from './build-dag.js';
export { viewNodes, toDot, toMermaid } from './view.js';
export type { ViewNode } from './view.js';
