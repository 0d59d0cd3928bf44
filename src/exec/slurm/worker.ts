import { mkdirSync } from 'node:fs';
import type { ProjectConfig } from '../../config/index.js';
import { describeFailure } from '../../events/index.js';
import os from 'node:os';
import { openCache } from '../cache.js';
import { currentEnvironment } from '../environment.js';
import { computeNode } from '../compute-node.js';
import type { AnyNodeKind, ComputeOutcome } from '../runner.js';
import { appendProgress, progressFile, readJobFile, type ProgressLine } from './job-file.js';

/** What `runWorker` needs: which node of which job file, the kinds, and where to write log lines. */
export interface WorkerOptions {
  readonly jobFile: string;
  readonly nodeId: string;
  readonly kinds: ReadonlyMap<string, AnyNodeKind>;
  /** Aborted on SIGTERM (scancel, a time limit): the node stops and caches nothing partial. */
  readonly signal: AbortSignal;
  /** The job's log (its stdout under sbatch). */
  readonly log: (line: string) => void;
  /** The Slurm job id, recorded in the manifest (default: `SLURM_JOB_ID`). */
  readonly jobId?: string;
}

/** Exit codes of a worker: 0 the node ran or was cached, 1 it failed, 2 bad job file, 143 cancelled. */
export const WORKER_EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 143 } as const;

/**
 * Computes one node of a Slurm run inside its job: the same `computeNode` as a local run (lock,
 * temporary folder, verify inputs, commit by rename), with progress lines appended to the node's
 * progress file for the controller. Returns the exit code; a non-zero code makes Slurm mark the
 * job FAILED, so `afterok` dependents never start.
 */
export async function runWorker(o: WorkerOptions): Promise<number> {
  const job = readJobFile(o.jobFile);
  if (typeof job === 'string') {
    o.log(`synx exec-node: ${job}`);
    return WORKER_EXIT.usage;
  }
  const node = job.plan.nodes.find((x) => x.id === o.nodeId);
  if (!node) {
    o.log(`synx exec-node: node ${o.nodeId} is not in the plan of ${o.jobFile}`);
    return WORKER_EXIT.usage;
  }
  const jobId = o.jobId ?? process.env.SLURM_JOB_ID;
  const config = fitToAllocation(job.config, process.env.SLURM_CPUS_PER_TASK);
  const file = progressFile(job.progressDir, node.id);
  const write = (line: ProgressLine): void => {
    try {
      mkdirSync(job.progressDir, { recursive: true });
      appendProgress(file, line);
    } catch (e) {
      // The controller then only sees the job's state; the node itself is not failed for it.
      o.log(`cannot write progress to ${file}: ${(e as Error).message}`);
    }
  };
  const end = (out: ComputeOutcome): number => {
    write({
      type: 'end',
      time: Date.now(),
      outcome: out.outcome,
      ...('seconds' in out && out.seconds !== undefined ? { seconds: out.seconds } : {}),
      ...(out.outcome === 'failed' ? { failure: out.failure } : {}),
    });
    if (out.outcome === 'failed') {
      const error = describeFailure(out.failure);
      o.log(`${node.label} (${node.id}) failed: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
      return WORKER_EXIT.failed;
    }
    o.log(`${node.label} (${node.id}): ${out.outcome}`);
    return out.outcome === 'cancelled' ? WORKER_EXIT.cancelled : WORKER_EXIT.ok;
  };
  o.log(`synx exec-node: ${node.label} (${node.id}, fingerprint ${node.fingerprint}) on ${os.hostname()}`);
  const kind = o.kinds.get(node.kind);
  if (!kind) {
    return end({
      outcome: 'failed',
      seconds: 0,
      failure: { reason: 'unknown-kind', kind: node.kind, label: node.label, inWorker: true },
    });
  }
  const opened = openCache(config.cache);
  if (!opened.ok) {
    return end({
      outcome: 'failed',
      seconds: 0,
      failure: {
        reason: 'cache-unusable',
        message: opened.diagnostic.message,
        code: opened.diagnostic.code,
        ...(opened.diagnostic.hint ? { hint: opened.diagnostic.hint } : {}),
      },
    });
  }
  // A node that waits on something holding no handle of its own (a worker thread's message, the
  // cancel) must not let Node exit with its work unsettled: keep the process alive until it ends.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const out = await computeNode({
    plan: job.plan,
    node,
    kind,
    cache: opened.cache,
    config,
    signal: o.signal,
    environment: currentEnvironment(config.backend),
    verified: new Set(),
    progressIntervalMs: job.progressIntervalMs,
    executor: { name: 'slurm', ...(jobId !== undefined ? { job: jobId } : {}) },
    onStart: (time) => write({ type: 'start', time, host: os.hostname(), ...(jobId !== undefined ? { job: jobId } : {}) }),
    onProgress: (progress, time) => write({ type: 'progress', time, progress }),
    onLog: (message, time) => {
      o.log(message);
      write({ type: 'log', time, message });
    },
  }).finally(() => clearInterval(keepAlive));
  return end(out);
}

/**
 * The config as seen inside a job: `threads` and `cpus` were filled in from the submitting
 * machine's cores, but a job may use only the CPUs Slurm gave it (`SLURM_CPUS_PER_TASK`), so a
 * renderer must not start a thread per core of a 64-core login node.
 */
export function fitToAllocation(config: ProjectConfig, cpusPerTask: string | undefined): ProjectConfig {
  const cpus = Number(cpusPerTask);
  if (!Number.isInteger(cpus) || cpus < 1) return config;
  return { ...config, cpus, threads: Math.min(config.threads, cpus) };
}
