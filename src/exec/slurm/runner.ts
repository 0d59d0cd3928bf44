import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Failure, SlurmJobRef } from '../../events/index.js';
import type { PlanNode } from '../../plan/index.js';
import { NodeFailure } from '../../node/index.js';
import type { ComputeOutcome, NodeRunner, RunnerSetup, RunnerTask } from '../runner.js';
import { progressFile, tailProgress, type JobFile, type ProgressLine } from './job-file.js';
import { sbatchArgs, slurmSettings, type JobSpec, type SlurmSettings } from './settings.js';
import { reapOrphans, recordJob, writeController } from './orphans.js';
import { FINAL_STATES, systemSlurmCli, type JobState, type SlurmCli } from './slurm-cli.js';

/** Options of `slurmRunner`; everything else comes from the `slurm:` section of synx.yaml. */
export interface SlurmRunnerOptions {
  /** Instead of reading `config.slurm` when the run opens. */
  readonly settings?: SlurmSettings;
  /** The program a job runs before `exec-node ...` (overrides `slurm.command`). */
  readonly command?: readonly string[];
  /** Milliseconds between polls (overrides `slurm.poll`). */
  readonly pollMs?: number;
  /** Least interval between two progress lines a job writes (ms); default 1000. */
  readonly progressIntervalMs?: number;
  /** Told of every job submitted (for tools and tests that count submissions). */
  readonly onSubmit?: (nodeId: string, jobId: string) => void;
  /** The Slurm client commands; default this machine's (tests drive a scripted cluster). */
  readonly cli?: SlurmCli;
}

/** How long, after a cancel, to wait for Slurm to end the jobs before giving up on them. */
const CANCEL_WAIT_MS = 120_000;
/** Polls a job may be missing from both squeue and scontrol before it is taken to be gone. */
const MISSING_POLLS = 3;

interface Job {
  readonly node: PlanNode;
  readonly task: RunnerTask;
  readonly resolve: (out: ComputeOutcome) => void;
  readonly progress: string;
  /** Resolves with the Slurm job id once submitted (undefined: never submitted). */
  submitted: Promise<string | undefined>;
  slurmId?: string;
  log?: string;
  offset: number;
  startedAt?: number;
  end?: Extract<ProgressLine, { type: 'end' }>;
  done: boolean;
  outcome?: ComputeOutcome['outcome'];
  withdrawn: boolean;
  missing: number;
}

/**
 * The Slurm node runner for `runPlan`: every node to run is submitted with `sbatch --parsable` as
 * soon as its dependencies are submitted, ordered after them with `--dependency=afterok:`; the
 * job runs `synx exec-node`, which computes the node into the shared cache. States come from
 * `squeue` (and `scontrol show job` once squeue has forgotten a job; `sacct` is not needed),
 * progress from the files the jobs append to. A cancelled run `scancel`s its jobs and waits for
 * them to end.
 */
export function slurmRunner(options: SlurmRunnerOptions = {}): NodeRunner {
  return new SlurmRunner(options);
}

class SlurmRunner implements NodeRunner {
  readonly name = 'slurm';
  readonly eager = true;
  private setup?: RunnerSetup;
  private settings?: SlurmSettings;
  private dir = '';
  private jobFile = '';
  private command: readonly string[] = [];
  private pollMs = 5000;
  private readonly jobs = new Map<string, Job>();
  private submissions: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private abortedAt: number | undefined;

  private readonly cli: SlurmCli;

  constructor(private readonly options: SlurmRunnerOptions) {
    this.cli = options.cli ?? systemSlurmCli;
  }

  async open(setup: RunnerSetup): Promise<void> {
    this.setup = setup;
    const settings = this.options.settings ?? slurmSettings(setup.config);
    this.settings = settings;
    this.pollMs = this.options.pollMs ?? settings.pollMs;
    this.command = this.options.command ?? settings.command ?? [process.execPath, fileURLToPath(new URL('../../../bin/synx.js', import.meta.url))];
    this.dir = path.join(setup.cache.root, 'slurm', setup.runId);
    this.jobFile = path.join(this.dir, 'job.json');
    const job: JobFile = {
      format: 1,
      runId: setup.runId,
      plan: setup.plan,
      config: setup.config,
      progressDir: this.dir,
      progressIntervalMs: this.options.progressIntervalMs ?? 1000,
    };
    await reapOrphans(path.dirname(this.dir), setup.runId, { cli: this.cli, warn: (m) => setup.warn(m) });
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.jobFile, JSON.stringify(job));
      writeController(this.dir, setup.runId);
    } catch (e) {
      throw new NodeFailure(
        `cannot write the Slurm job file ${this.jobFile}: ${(e as Error).message}`,
        'the cache must be on a filesystem this machine can write and the compute nodes can read',
        'SX5004',
      );
    }
  }

  run(task: RunnerTask): Promise<ComputeOutcome> {
    return new Promise<ComputeOutcome>((resolve) => {
      const node = task.node;
      const job: Job = {
        node,
        task,
        resolve,
        progress: progressFile(this.dir, node.id),
        submitted: Promise.resolve(undefined),
        offset: 0,
        done: false,
        withdrawn: false,
        missing: 0,
      };
      this.jobs.set(node.id, job);
      task.signal.addEventListener('abort', () => this.abort(), { once: true });
      if (task.signal.aborted) this.abort();
      // One sbatch at a time, in the order nodes are handed over (dependencies first), so a
      // dependency's job id is known when its dependents are submitted.
      const submitted = this.submissions
        .then(() => this.submit(job))
        .catch((e: unknown) => {
          this.settle(job, {
            outcome: 'failed',
            seconds: 0,
            failure: { reason: 'submit-bug', label: node.label, message: (e as Error).message },
          });
          return undefined;
        });
      job.submitted = submitted;
      this.submissions = submitted;
    });
  }

  withdraw(nodeId: string): void {
    const job = this.jobs.get(nodeId);
    if (!job || job.done) return;
    job.withdrawn = true;
    if (job.slurmId !== undefined) void this.cli.scancel([job.slurmId]);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // The progress files and job file are only needed while jobs may still read or write them.
    if ([...this.jobs.values()].every((j) => j.done)) rmSync(this.dir, { recursive: true, force: true });
  }

  private async submit(job: Job): Promise<string | undefined> {
    const { node } = job;
    const settings = this.settings!;
    if (job.withdrawn || this.abortedAt !== undefined) {
      this.settle(job, { outcome: 'cancelled' });
      return undefined;
    }
    const after: string[] = [];
    for (const depId of job.task.waitingOn) {
      const dep = this.jobs.get(depId);
      if (dep?.done && (dep.outcome === 'ran' || dep.outcome === 'cached')) continue;
      if (dep?.slurmId === undefined || dep.done) {
        // Its dependency was never submitted or has failed: runPlan skips this node.
        this.settle(job, { outcome: 'cancelled' });
        return undefined;
      }
      after.push(dep.slurmId);
    }
    const output = path.join(this.setup!.cache.root, 'logs', `${node.fingerprint}.slurm-%j.out`);
    const spec: JobSpec = {
      kind: node.kind,
      name: `synx-${node.id}`,
      output,
      chdir: this.setup!.config.root,
      after,
      argv: [...this.command, 'exec-node', '--job', this.jobFile, '--node', node.id],
    };
    const args = sbatchArgs(settings, job.task.resources, spec);
    const r = await this.cli.sbatch(args);
    if ('error' in r) {
      this.settle(job, {
        outcome: 'failed',
        seconds: 0,
        failure: { reason: 'sbatch-refused', label: node.label, error: r.error },
      });
      return undefined;
    }
    job.slurmId = r.id;
    job.log = output.replace('%j', r.id);
    // Recorded as submitted, so a later run can cancel what this one leaves if it is killed.
    recordJob(this.dir, r.id, node.id);
    this.options.onSubmit?.(node.id, r.id);
    // Withdrawn or cancelled while sbatch ran: the job must not run now.
    if (job.withdrawn || this.abortedAt !== undefined) void this.cli.scancel([r.id]);
    this.schedule();
    return r.id;
  }

  private abort(): void {
    if (this.abortedAt !== undefined) return;
    this.abortedAt = Date.now();
    const ids = [...this.jobs.values()].filter((j) => !j.done && j.slurmId !== undefined).map((j) => j.slurmId!);
    if (ids.length > 0) void this.cli.scancel(ids);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer === undefined) this.timer = setTimeout(() => void this.poll(), this.pollMs);
  }

  private async poll(): Promise<void> {
    const active = [...this.jobs.values()].filter((j) => !j.done && j.slurmId !== undefined);
    try {
      for (const j of active) this.readProgress(j);
      const states = active.length > 0 ? await this.cli.squeue(active.map((j) => j.slurmId!)) : new Map<string, JobState>();
      // Settled in submission order, so a dependency's failure is reported before its
      // dependents' cancellation and they show as skipped.
      for (const j of active) {
        if (j.done) continue;
        if (this.abortedAt !== undefined && Date.now() - this.abortedAt > CANCEL_WAIT_MS) {
          // Slurm did not confirm the cancel in time (or stopped answering): stop waiting.
          this.settle(j, { outcome: 'cancelled' });
          continue;
        }
        // squeue failed (slurmctld busy or restarting): ask again at the next poll.
        if (!states) continue;
        let state = states.get(j.slurmId!);
        if (!state) {
          state = await this.cli.scontrolJob(j.slurmId!);
          if (!state && ++j.missing >= MISSING_POLLS) state = { state: 'UNKNOWN', reason: 'Slurm no longer knows the job' };
        }
        if (!state) continue;
        // A cancelled job stays COMPLETING (not final) until Slurm has seen all its processes
        // end, so a final state means the worker has discarded its temporary folder and let go
        // of its lock (or was killed, leaving a lock the next run takes over).
        if (FINAL_STATES.has(state.state) && state.state !== 'COMPLETED' && state.exitCode === undefined && !j.end) {
          // squeue does not say how the job exited; scontrol does, while Slurm remembers the job.
          const detail = await this.cli.scontrolJob(j.slurmId!);
          if (detail?.exitCode !== undefined) state = { ...state, exitCode: detail.exitCode };
        }
        if (FINAL_STATES.has(state.state) || state.state === 'UNKNOWN') this.finished(j, state);
        else if (state.reason === 'DependencyNeverSatisfied') {
          void this.cli.scancel([j.slurmId!]);
          this.finished(j, { state: 'CANCELLED', reason: state.reason });
        }
      }
    } finally {
      this.timer = undefined;
      if ([...this.jobs.values()].some((j) => !j.done)) this.schedule();
    }
  }

  private readProgress(job: Job): void {
    const { lines, offset } = tailProgress(job.progress, job.offset);
    job.offset = offset;
    for (const line of lines) {
      if (line.type === 'start') {
        job.startedAt = line.time;
        job.task.onStart?.(line.time);
      } else if (line.type === 'progress') job.task.onProgress?.(line.progress, line.time);
      else if (line.type === 'log') job.task.onLog?.(line.message, line.time);
      else if (line.type === 'end') job.end = line;
    }
  }

  private settle(job: Job, out: ComputeOutcome): void {
    if (job.done) return;
    job.done = true;
    job.outcome = out.outcome;
    job.resolve(out);
  }

  /** A job has ended: what its worker reported, else what its state says, becomes the outcome. */
  private finished(job: Job, state: JobState): void {
    this.readProgress(job);
    const end = job.end;
    const seconds = end?.seconds ?? (job.startedAt !== undefined ? (Date.now() - job.startedAt) / 1000 : undefined);
    // UNKNOWN: Slurm has forgotten the job; what the worker said and the cache decide.
    if (state.state === 'COMPLETED' || state.state === 'UNKNOWN') {
      if (end?.outcome === 'cached') return this.settle(job, { outcome: 'cached' });
      if (end?.outcome === 'ran' || this.setup!.cache.check(job.node.fingerprint).state === 'ok') {
        return this.settle(job, { outcome: 'ran', seconds: seconds ?? 0 });
      }
    }
    if (job.withdrawn || this.abortedAt !== undefined) {
      return this.settle(job, { outcome: 'cancelled', ...(seconds !== undefined ? { seconds } : {}) });
    }
    this.settle(job, { outcome: 'failed', seconds: seconds ?? 0, failure: this.failure(job, state) });
  }

  private failure(job: Job, state: JobState): Failure {
    const { node } = job;
    const ref: SlurmJobRef = { id: String(job.slurmId), name: `synx-${node.id}`, log: job.log ?? '' };
    const reported = job.end?.failure;
    // A time limit or lack of memory is what stopped the node, whatever the worker said after.
    if (reported && state.state !== 'TIMEOUT' && state.state !== 'OUT_OF_MEMORY') return { reason: 'in-slurm-job', job: ref, failure: reported };
    return {
      reason: 'slurm-job',
      label: node.label,
      kind: node.kind,
      job: ref,
      state: state.state,
      stateReason: state.reason,
      ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
    };
  }
}
