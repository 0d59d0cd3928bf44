// Running plans on Slurm: a node runner for `runPlan` that submits each node as an sbatch job
// (ordered by `--dependency=afterok`), and the worker that computes one node inside its job.
export { slurmRunner } from './runner.js';
export type { SlurmRunnerOptions } from './runner.js';
export { runWorker, WORKER_EXIT, fitToAllocation } from './worker.js';
export type { WorkerOptions } from './worker.js';
export { slurmSettings, sbatchArgs, shellQuote } from './settings.js';
export type { SlurmSettings, SlurmKindSettings, JobSpec } from './settings.js';
export { slurmProblem, squeue, scancel, scontrolJob, FINAL_STATES, systemSlurmCli } from './slurm-cli.js';
export type { JobState, SlurmCli } from './slurm-cli.js';
export { reapOrphans, writeController, recordJob } from './orphans.js';
export type { ReapOptions } from './orphans.js';
export { readJobFile, tailProgress, progressFile } from './job-file.js';
export type { JobFile, ProgressLine } from './job-file.js';
