import { execFile } from 'node:child_process';

/** What a Slurm command printed, and how it exited. */
interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one Slurm client command; never rejects (a missing binary comes back as code 127). */
function slurmCommand(program: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      const why = error && typeof error.code !== 'number' ? `${error.message}\n` : '';
      resolve({ code, stdout: String(stdout), stderr: `${why}${String(stderr)}`.trim() });
    });
  });
}

/** A job's state as squeue or scontrol tell it. */
export interface JobState {
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, ... */
  readonly state: string;
  /** Why it is pending or how it ended (`Dependency`, `NonZeroExitCode`, `TimeLimit`). */
  readonly reason: string;
  /** `code:signal`, from scontrol only. */
  readonly exitCode?: string;
}

/** States after which a job never runs again. */
export const FINAL_STATES: ReadonlySet<string> = new Set([
  'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL',
  'DEADLINE', 'SPECIAL_EXIT', 'REVOKED',
]);

/** Submits a job; resolves with its id, or with the reason sbatch refused it. */
export async function sbatch(args: readonly string[]): Promise<{ id: string } | { error: string }> {
  const r = await slurmCommand('sbatch', args);
  // `--parsable` prints `<id>` or `<id>;<cluster>`.
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    return { error: r.code === 127 ? `cannot run sbatch (${r.stderr || 'not found'})` : r.stderr || `sbatch exited with code ${r.code}` };
  }
  return { id };
}

/**
 * The states of the given jobs that squeue still knows (finished ones only for a few minutes,
 * `MinJobAge`). Jobs it does not list are absent from the map; `undefined` when squeue failed.
 */
export async function squeue(ids: readonly string[]): Promise<Map<string, JobState> | undefined> {
  const states = new Map<string, JobState>();
  // Long id lists in chunks, so a thousand-shard run does not exceed the argument limit.
  for (let k = 0; k < ids.length; k += 400) {
    const chunk = ids.slice(k, k + 400);
    const r = await slurmCommand('squeue', ['-h', '--states=all', `--jobs=${chunk.join(',')}`, '-o', '%i|%T|%r']);
    if (r.code !== 0) {
      // squeue fails outright when none of the ids is known any more: that is an answer too.
      if (/invalid job id/i.test(r.stderr)) continue;
      return undefined;
    }
    for (const line of r.stdout.split('\n')) {
      const [id, state, reason] = line.trim().split('|');
      if (id && state) states.set(id, { state, reason: reason ?? '' });
    }
  }
  return states;
}

/** One job's state from `scontrol show job` (no accounting needed); undefined when Slurm forgot it. */
export async function scontrolJob(id: string): Promise<JobState | undefined> {
  const r = await slurmCommand('scontrol', ['show', 'job', '-o', id]);
  if (r.code !== 0) return undefined;
  const fields = new Map<string, string>();
  for (const token of r.stdout.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  const state = fields.get('JobState');
  if (state === undefined) return undefined;
  const exitCode = fields.get('ExitCode');
  return { state, reason: fields.get('Reason') ?? '', ...(exitCode !== undefined ? { exitCode } : {}) };
}

/** Cancels jobs (Slurm signals their processes: SIGTERM, then SIGKILL after KillWait). */
export async function scancel(ids: readonly string[]): Promise<void> {
  for (let k = 0; k < ids.length; k += 400) await slurmCommand('scancel', ids.slice(k, k + 400));
}

/**
 * The Slurm client commands the runner uses, as one interface so that polling, cancelling and
 * failure reports can be driven by a scripted cluster in tests (no Slurm needed).
 */
export interface SlurmCli {
  /** Submits a job; its id, or the reason sbatch refused it. */
  sbatch(args: readonly string[]): Promise<{ id: string } | { error: string }>;
  /** States of the jobs squeue still knows; absent ids are forgotten; undefined when squeue failed. */
  squeue(ids: readonly string[]): Promise<Map<string, JobState> | undefined>;
  /** One job's state with its exit code; undefined when Slurm forgot it. */
  scontrolJob(id: string): Promise<JobState | undefined>;
  /** Cancels jobs. */
  scancel(ids: readonly string[]): Promise<void>;
}

/** The Slurm client commands of this machine (`sbatch`, `squeue`, `scontrol`, `scancel` on PATH). */
export const systemSlurmCli: SlurmCli = { sbatch, squeue, scontrolJob, scancel };

/** Why Slurm cannot be used from here, or undefined when `sbatch` and `squeue` answer. */
export async function slurmProblem(): Promise<string | undefined> {
  const r = await slurmCommand('squeue', ['-h', '--me', '-o', '%i'], 20_000);
  if (r.code === 127) return `Slurm's client commands are not installed here (${r.stderr || 'squeue not found'})`;
  if (r.code !== 0) return `Slurm does not answer: squeue says: ${r.stderr || `exit code ${r.code}`}`;
  const b = await slurmCommand('sbatch', ['--version'], 20_000);
  if (b.code !== 0) return `cannot run sbatch: ${b.stderr || `exit code ${b.code}`}`;
  return undefined;
}
