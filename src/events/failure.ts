// Why a node failed, as data. The executor (and the Slurm runner and worker) report a `Failure`;
// `describeFailure` is the one place that puts it into words, for the loggers and for the run
// record (which people read with `synx runs show`). wireit keeps failures the same way: a union
// of reasons in its events, drawn into text only by its loggers.

/**
 * Why a node failed, in words (see `describeFailure`): what loggers print and run records keep.
 */
export interface NodeError {
  readonly message: string;
  readonly hint?: string;
  /** Diagnostic code (SX5xxx) for failures the user can fix. */
  readonly code?: string;
  /** True when the kind threw something other than a NodeFailure: a bug, not bad input. */
  readonly bug: boolean;
  /** The node's log file, for the full story. */
  readonly log?: string;
}

/** A Slurm job that computed (or was to compute) a node, as failure messages point to it. */
export interface SlurmJobRef {
  /** The Slurm job id. */
  readonly id: string;
  /** The job's name, `synx-<node id>`. */
  readonly name: string;
  /** The job's log file (its stdout). */
  readonly log: string;
}

/** Why a node failed. `log`, where present, is the node's log file, for the full story. */
export type Failure =
  /** The node kind threw a NodeFailure: its own words, about input the user can fix. */
  | {
      readonly reason: 'node-failed';
      readonly message: string;
      readonly hint?: string;
      /** Diagnostic code (SX5xxx). */
      readonly code: string;
      readonly log: string;
    }
  /** A file system was full or read-only (ENOSPC, EDQUOT, EROFS, EFBIG); `message` is the system's. */
  | { readonly reason: 'disk-full'; readonly message: string; readonly log: string }
  /** A file was missing, unreadable or unwritable (ENOENT, EACCES, ...); `message` is the system's. */
  | { readonly reason: 'file-problem'; readonly message: string; readonly log: string }
  /** Something other than a NodeFailure was thrown: a bug in synx, in `where` (a kind, or an executor). */
  | { readonly reason: 'bug'; readonly where: string; readonly message: string; readonly log: string }
  /** An input's cache entry was corrupt (`problem`) or gone (no `problem`) when the node came to read it. */
  | {
      readonly reason: 'input-unsound';
      readonly input: { readonly id: string; readonly label: string };
      readonly problem?: string;
      readonly log: string;
    }
  /** This synx (or, `inWorker`, the Slurm worker's) has no node kind of this name. */
  | { readonly reason: 'unknown-kind'; readonly kind: string; readonly label: string; readonly inWorker?: boolean }
  /** The Slurm worker could not open the cache: the diagnostic it got. */
  | { readonly reason: 'cache-unusable'; readonly message: string; readonly code: string; readonly hint?: string }
  /** Handing the node to Slurm threw: a bug in synx. */
  | { readonly reason: 'submit-bug'; readonly label: string; readonly message: string }
  /** `sbatch` refused the node's job; `error` is what it said. */
  | { readonly reason: 'sbatch-refused'; readonly label: string; readonly error: string }
  /** The node's Slurm job ended (TIMEOUT, OUT_OF_MEMORY, CANCELLED, NODE_FAIL, ...) without a result. */
  | {
      readonly reason: 'slurm-job';
      readonly label: string;
      /** The node's kind (resources are set per kind). */
      readonly kind: string;
      readonly job: SlurmJobRef;
      /** Slurm's state of the job, and its reason (for CANCELLED) and `code:signal` exit code. */
      readonly state: string;
      readonly stateReason?: string;
      readonly exitCode?: string;
    }
  /** The worker in the node's Slurm job reported `failure`. */
  | { readonly reason: 'in-slurm-job'; readonly job: SlurmJobRef; readonly failure: Failure };

/** Every reason a node can fail for. */
export type FailureReason = Failure['reason'];

const DISK_HINT = 'free disk space (`synx cache gc` removes entries no experiment needs) or move the cache with `cache:` in synx.yaml or SYNX_CACHE';
const RESUBMIT_HINT = 'run again to resubmit it';

/**
 * A failure in words: message, hint, diagnostic code, whether it is a bug, and the log. Loggers
 * draw these; the run record stores them. (Fields are made in a fixed order per reason, so a
 * record written from them is the same bytes from run to run.)
 */
export function describeFailure(f: Failure): NodeError {
  switch (f.reason) {
    case 'node-failed':
      return { message: f.message, code: f.code, bug: false, log: f.log, ...(f.hint !== undefined ? { hint: f.hint } : {}) };
    case 'disk-full':
      return { message: f.message, code: 'SX5004', hint: DISK_HINT, bug: false, log: f.log };
    case 'file-problem':
      return { message: f.message, code: 'SX5005', hint: 'check that the path exists and is readable (and writable, for outputs)', bug: false, log: f.log };
    case 'bug':
      return { message: `internal error in the ${f.where} node kind (a bug in synx, please report it): ${f.message}`, bug: true, log: f.log };
    case 'input-unsound':
      return {
        message: `input ${f.input.label} (${f.input.id}) has no sound cache entry (${f.problem ?? 'it was removed'})`,
        code: 'SX5004',
        bug: false,
        log: f.log,
        hint: 'run again: the input will be recomputed',
      };
    case 'unknown-kind':
      return f.inWorker
        ? { message: `no node kind '${f.kind}' is registered in the worker, so ${f.label} cannot run`, bug: false }
        : {
            message: `no node kind '${f.kind}' is registered, so ${f.label} cannot run`,
            hint: 'this synx build lacks that stage; reinstall synx or use a plan made by the same version',
            bug: false,
          };
    case 'cache-unusable':
      return { message: f.message, code: f.code, bug: false, ...(f.hint !== undefined ? { hint: f.hint } : {}) };
    case 'submit-bug':
      return { message: `internal error submitting ${f.label} to Slurm (a bug in synx, please report it): ${f.message}`, bug: true };
    case 'sbatch-refused':
      return {
        message: `sbatch refused the job of ${f.label}: ${f.error}`,
        hint: 'check the slurm section of synx.yaml (partition, account, time, resources, extra) against `sinfo`',
        bug: false,
      };
    case 'slurm-job':
      return slurmJobWords(f);
    case 'in-slurm-job': {
      const inner = describeFailure(f.failure);
      return { ...inner, message: `${inner.message} (${jobWhere(f.job)})`, log: f.job.log };
    }
  }
}

/** `Slurm job 123 (synx-train-abc); its log: /c/logs/x.slurm-123.out`: where to look. */
function jobWhere(job: SlurmJobRef): string {
  return `Slurm job ${job.id} (${job.name}); its log: ${job.log}`;
}

function slurmJobWords(f: Extract<Failure, { reason: 'slurm-job' }>): NodeError {
  const where = jobWhere(f.job);
  const log = f.job.log;
  switch (f.state) {
    case 'TIMEOUT':
      return {
        message: `${f.label} reached the job's time limit and was stopped (${where})`,
        hint: `raise \`time\` (or \`resources.${f.kind}.time\`) in the slurm section of synx.yaml; the next run resumes from the node's checkpoints`,
        bug: false,
        log,
      };
    case 'OUT_OF_MEMORY':
      return { message: `${f.label} ran out of memory (${where})`, hint: `raise \`resources.${f.kind}.mem\` in the slurm section of synx.yaml`, bug: false, log };
    case 'CANCELLED':
      return { message: `${f.label} was cancelled outside synx (${f.stateReason || 'scancel'}; ${where})`, hint: RESUBMIT_HINT, bug: false, log };
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'PREEMPTED':
      return { message: `${f.label} lost its compute node (${f.state}; ${where})`, hint: RESUBMIT_HINT, bug: false, log };
    default: {
      const exit = f.exitCode ? `, exit code ${f.exitCode}` : '';
      return {
        message: `${f.label} ended ${f.state}${exit} before the node reported a result (${where})`,
        hint: 'read the job log: a worker that cannot start (Node or synx missing on the compute node, a cache it cannot see) fails like this',
        bug: false,
        log,
      };
    }
  }
}
