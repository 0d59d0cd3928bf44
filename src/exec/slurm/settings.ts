import type { ProjectConfig } from '../../config/index.js';
import type { Resources } from '../../node/index.js';

/** Per-kind overrides of what a node asks Slurm for (`slurm.resources.<kind>` in synx.yaml). */
export interface SlurmKindSettings {
  /** `--cpus-per-task`; default: the kind's own CPU count. */
  readonly cpus?: number;
  /** `--gres=gpu:N`; default: the kind's own GPU count. */
  readonly gpus?: number;
  /** `--mem`, as Slurm writes it (`16G`, `4000M`); default: the kind's peak memory in MiB. */
  readonly mem?: string;
  /** `--time`; default `slurm.time`. */
  readonly time?: string;
  /** `--partition`; default `slurm.partition`. */
  readonly partition?: string;
  /** More sbatch arguments for this kind only (after `slurm.extra`). */
  readonly extra?: readonly string[];
}

/** The `slurm:` section of synx.yaml, with defaults filled in. */
export interface SlurmSettings {
  readonly partition?: string;
  readonly account?: string;
  /** Default time limit of every job (`04:00:00`); none: the partition's default. */
  readonly time?: string;
  /** Milliseconds between two `squeue` polls (`slurm.poll` is in seconds; default 5). */
  readonly pollMs: number;
  /** More sbatch arguments for every job (`--qos=normal`, `--constraint=a100`). */
  readonly extra: readonly string[];
  readonly resources: Readonly<Record<string, SlurmKindSettings>>;
  /**
   * The program a job runs, before `exec-node --job FILE --node ID`; default: this Node binary and
   * this synx's `bin/synx.js` (which the compute nodes see on the shared filesystem).
   */
  readonly command?: readonly string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

/**
 * Reads `config.slurm` (already checked against the synx.yaml schema) into settings. Anything
 * malformed that slipped past the schema (a config built in code) falls back to the default.
 */
export function slurmSettings(config: ProjectConfig): SlurmSettings {
  const raw = config.slurm;
  const poll = typeof raw.poll === 'number' && raw.poll > 0 ? raw.poll : 5;
  const resources: Record<string, SlurmKindSettings> = {};
  if (typeof raw.resources === 'object' && raw.resources !== null) {
    for (const [kind, value] of Object.entries(raw.resources as Record<string, unknown>)) {
      if (typeof value !== 'object' || value === null) continue;
      const v = value as Record<string, unknown>;
      const cpus = count(v.cpus);
      const gpus = count(v.gpus);
      const mem = str(v.mem);
      const time = str(v.time);
      const partition = str(v.partition);
      resources[kind] = {
        ...(cpus !== undefined ? { cpus } : {}),
        ...(gpus !== undefined ? { gpus } : {}),
        ...(mem !== undefined ? { mem } : {}),
        ...(time !== undefined ? { time } : {}),
        ...(partition !== undefined ? { partition } : {}),
        extra: strings(v.extra),
      };
    }
  }
  const partition = str(raw.partition);
  const account = str(raw.account);
  const time = str(raw.time);
  const command = strings(raw.command);
  return {
    ...(partition !== undefined ? { partition } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(time !== undefined ? { time } : {}),
    pollMs: Math.round(poll * 1000),
    extra: strings(raw.extra),
    resources,
    ...(command.length > 0 ? { command } : {}),
  };
}

/** What one job is, besides its resources. */
export interface JobSpec {
  /** The node kind, for `slurm.resources.<kind>`. */
  readonly kind: string;
  readonly name: string;
  /** The job's log (`%j` is replaced by the job id). */
  readonly output: string;
  /** Working directory of the job. */
  readonly chdir: string;
  /** Job ids it must wait for (`--dependency=afterok:...`). */
  readonly after: readonly string[];
  /** The command line the job runs, as argv. */
  readonly argv: readonly string[];
}

/** Quotes one word for `sh`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The sbatch arguments of one node: the kind's resources mapped to `--cpus-per-task`, `--mem` and
 * `--gres=gpu:N` (overridden per kind in synx.yaml), partition, account and time, dependencies,
 * the extra arguments last (so they can override anything before them), and the command.
 */
export function sbatchArgs(settings: SlurmSettings, resources: Resources, job: JobSpec): string[] {
  const over = settings.resources[job.kind] ?? {};
  const cpus = over.cpus ?? Math.max(1, Math.ceil(resources.cpu));
  const gpus = over.gpus ?? Math.max(0, Math.ceil(resources.gpu));
  const mem = over.mem ?? (resources.memoryMb > 0 ? `${Math.ceil(resources.memoryMb)}M` : undefined);
  const partition = over.partition ?? settings.partition;
  const time = over.time ?? settings.time;
  const args = ['--parsable', `--job-name=${job.name}`, `--output=${job.output}`, `--chdir=${job.chdir}`, `--cpus-per-task=${cpus}`];
  if (mem !== undefined) args.push(`--mem=${mem}`);
  if (gpus > 0) args.push(`--gres=gpu:${gpus}`);
  if (partition !== undefined) args.push(`--partition=${partition}`);
  if (settings.account !== undefined) args.push(`--account=${settings.account}`);
  if (time !== undefined) args.push(`--time=${time}`);
  if (job.after.length > 0) {
    // A job whose dependency failed can never run: let Slurm drop it rather than keep it pending.
    args.push(`--dependency=afterok:${job.after.join(':')}`, '--kill-on-invalid-dep=yes');
  }
  args.push(...settings.extra, ...(over.extra ?? []));
  args.push(`--wrap=exec ${job.argv.map(shellQuote).join(' ')}`);
  return args;
}
