// The execution stage: the content-addressed cache, the scheduler that runs a plan's nodes, run
// records, and plain-words explanations of why a node will run.
export type { Resources, NodeInput, Progress, NodeContext, NodeKind } from '../node/index.js';
export { checkCancelled, NodeFailure } from '../node/index.js';
export { Cache, openCache } from './cache.js';
export type { EntryCheck, ManifestDraft, PendingEntry, CacheUsage, OpenCacheResult } from './cache.js';
export type { Manifest, ManifestInput } from './manifest.js';
export type { FileRecord } from './hash-files.js';
export type { Lock, LockOwner } from './lock.js';
export { runPlan } from './run-plan.js';
export type { RunOptions, RunResult } from './run-plan.js';
export { computeNode } from './compute-node.js';
export type { ComputeNodeOptions, ManifestExecutor } from './compute-node.js';
export type { AnyNodeKind, ComputeOutcome, NodeHooks, NodeRunner, RunnerTask, RunnerSetup } from './runner.js';
export { criticalPathRanks, Dependencies, ReadyQueue } from './ready-queue.js';
export type { Slots, Taken } from './ready-queue.js';
export { planStatus, explainNode, indexCache, findNode, describeDifference } from './explain.js';
export type { NodeCacheStatus, Difference, Explanation, CacheIndex } from './explain.js';
export { listRuns, findRun, writeRunRecord, runState, newRunId } from './runs.js';
export type { NodeResult, RunRecord } from './runs.js';
export { currentEnvironment, synxVersion } from './environment.js';
export type { Environment } from './environment.js';
export { collectResults, resultsToCsv, readCachedResults, readResultsFile, EVAL_RESULTS_FILE } from './results.js';
export type { ExperimentResult, CachedResults } from './results.js';
