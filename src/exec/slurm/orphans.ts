import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../lock.js';
import { FINAL_STATES, type JobState, type SlurmCli } from './slurm-cli.js';

// A controller killed with -9 (or a lost login session) cannot scancel its jobs, and Slurm would
// run them to the end. Each run's folder (`<cache>/slurm/<run>/`) names its controller and lists
// its jobs, so the next run on the same host finds runs whose controller process is gone and
// cancels their jobs that are still queued or running.

/** Who controls a run's jobs (in `<cache>/slurm/<run>/controller.json`). */
interface Controller {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
}
const CONTROLLER_FILE = 'controller.json';
/** `<slurm id> <node id>` per submitted job, appended as they are submitted. */
const JOBS_FILE = 'jobs.txt';

/** How long the next run waits for a dead controller's cancelled jobs to end. */
const ORPHAN_WAIT_MS = 30_000;

/** Records this process as the controller of the run whose folder is `runDir`. */
export function writeController(runDir: string, runId: string): void {
  const controller: Controller = { pid: process.pid, host: os.hostname(), runId };
  writeFileSync(path.join(runDir, CONTROLLER_FILE), JSON.stringify(controller));
}

/** Records a submitted job, so a later run can cancel it if this one is killed. */
export function recordJob(runDir: string, jobId: string, nodeId: string): void {
  try {
    appendFileSync(path.join(runDir, JOBS_FILE), `${jobId} ${nodeId}\n`);
  } catch {
    // Only the clean-up after a killed controller needs the list; the run itself does not.
  }
}

/** What `reapOrphans` needs besides the folder; the defaults are this machine's. */
export interface ReapOptions {
  readonly cli: SlurmCli;
  /** Told of every run whose jobs were cancelled. */
  readonly warn: (message: string) => void;
  readonly host?: string;
  readonly alive?: (pid: number) => boolean;
  /** How long to wait for cancelled jobs to end; default 30 s. */
  readonly waitMs?: number;
  /** Between two squeue calls while waiting; default 250 ms. */
  readonly pollMs?: number;
}

/**
 * Cancels the still queued or running jobs of every run under `slurmDir` (other than
 * `currentRunId`) whose controller ran on this host and is gone, waits briefly for them to end and
 * removes the run's folder. Runs controlled from another host are left alone: whether their
 * process lives cannot be told from here. A Slurm that does not answer leaves the run for the next.
 */
export async function reapOrphans(slurmDir: string, currentRunId: string, options: ReapOptions): Promise<void> {
  const { cli } = options;
  const host = options.host ?? os.hostname();
  const alive = options.alive ?? processAlive;
  let runs: string[];
  try {
    runs = readdirSync(slurmDir);
  } catch {
    return;
  }
  for (const run of runs) {
    const dir = path.join(slurmDir, run);
    const controllerFile = path.join(dir, CONTROLLER_FILE);
    if (run === currentRunId || !existsSync(controllerFile)) continue;
    let controller: Controller;
    try {
      controller = JSON.parse(readFileSync(controllerFile, 'utf8')) as Controller;
    } catch {
      continue;
    }
    if (controller.host !== host || alive(controller.pid)) continue;
    let ids: string[] = [];
    try {
      ids = readFileSync(path.join(dir, JOBS_FILE), 'utf8').split('\n').map((l) => l.split(' ')[0]!).filter((id) => /^\d+$/.test(id));
    } catch {
      // No job was submitted.
    }
    const states = ids.length > 0 ? await cli.squeue(ids) : new Map<string, JobState>();
    if (states === undefined) continue; // Slurm did not answer: try again at the next run.
    const live = ids.filter((id) => {
      const st = states.get(id);
      return st !== undefined && !FINAL_STATES.has(st.state);
    });
    if (live.length > 0) {
      await cli.scancel(live);
      options.warn(
        `run ${controller.runId} ended without cancelling its Slurm jobs (its synx process ${controller.pid} is gone); cancelled ${live.length} job(s) still queued or running: ${live.join(', ')}`,
      );
      // A cancelled worker still writes its last progress line; wait (briefly) for the jobs to
      // end so the folder is not re-created behind us.
      const until = Date.now() + (options.waitMs ?? ORPHAN_WAIT_MS);
      while (Date.now() < until) {
        const now = await cli.squeue(live);
        if (now && live.every((id) => { const st = now.get(id); return st === undefined || FINAL_STATES.has(st.state); })) break;
        await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
      }
    }
    // Its jobs are gone: nothing will read its job file or progress again.
    rmSync(dir, { recursive: true, force: true });
  }
}
