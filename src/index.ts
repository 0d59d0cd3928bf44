// synx's public API: everything the `synx` command does can be done from code with these.
// Named exports only, so what is public is a decision, not an accident.

// Diagnostics: the one shape every stage reports problems in.
export { formatDiagnostics, formatDiagnostic, hasErrors, summarize, CODES } from './diag/index.js';
export type { Diagnostic, Range, Position, Severity, DiagnosticFormat } from './diag/index.js';

// Configuration (synx.yaml).
export { loadConfig, findConfigFile, CONFIG_SCHEMA } from './config/index.js';
export type { ProjectConfig, DatasetConfig, LoadedConfig, RendererSetting } from './config/index.js';

// The language: parse, check, format.
export { parse, check, format } from './lang/index.js';
export type { ParseResult, CheckResult, CheckOptions, ExperimentSpec, Ast } from './lang/index.js';

// Planning: sweeps → DAG with fingerprints.
export { compileFile, compileText, datasetProblems, toDot, toMermaid, fingerprintOf, fingerprintRecord, KIND_VERSIONS } from './plan/index.js';
export type {
  Plan,
  PlanNode,
  PlanNodeOf,
  KindParams,
  NodeParams,
  PlanExperiment,
  Fingerprint,
  RenderParams,
  TrainParams,
  DataParams,
  EvalParams,
  PretrainedNetwork,
  ReportParams,
  Dist,
  ChoiceDist,
  CompileResult,
} from './plan/index.js';

// Execution: the cache, the scheduler, run records; node kinds.
export { openCache, runPlan, planStatus, explainNode, listRuns, findRun, collectResults, NodeFailure } from './exec/index.js';
export type { Cache, RunOptions, RunResult, NodeKind, AnyNodeKind, NodeContext, NodeInput, Resources, Progress, RunRecord } from './exec/index.js';
export { slurmRunner } from './exec/slurm/index.js';
export { defaultKinds } from './kinds/index.js';
export type { RunEvent, Failure, NodeError, Warning } from './events/index.js';
// A failed node's `failure` and a run's warnings in the words the loggers print.
export { describeFailure, describeWarning } from './events/index.js';
export { createLogger } from './tui/index.js';

// Stages.
export { renderContactSheet, FaceRenderer, prepareRender, loadBfmModel, loadBuiltinModel, exportReferenceLayout } from './render/index.js';
// `renderer: auto` in synx.yaml is settled by resolveRenderer before compiling (the CLI does it).
export { resolveRenderer, chooseRenderer } from './render/index.js';
export type { RasterBackend } from './render/index.js';
export { ShardReader, ShardWriter, readShardLabels, readShardIdentities, readShardParameters } from './dataset/index.js';
export type { ShardHeader, ShardMap, ImageLabel, IdentityLabel, ImageParameters, ImageMaps } from './dataset/index.js';
export { verificationMetrics, lfwAccuracy, valAtFar, tarAtFar, auc, rocCurve, rank1ByPose, parseScoresCsv } from './eval/index.js';
export type { EvalResults, VerificationResult } from './eval/index.js';

// Pretrained networks (face-api's recogniser, TensorFlow.js and ONNX files) for `eval ... with network`.
export { loadPretrained, NetworkError, NORMALIZATIONS } from './networks/index.js';
export type { PretrainedEmbedder } from './networks/index.js';
export { writeReport } from './report/index.js';

// The command line, for embedding: `await main(['check', 'exp.synexp'], io)`.
export { main } from './cli/main.js';
export type { CliIO } from './cli/io.js';
