import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProjectConfig } from '../../config/index.js';
import type { Failure } from '../../events/index.js';
import type { Plan } from '../../plan/index.js';
import type { Progress } from '../../node/index.js';
import type { ComputeOutcome } from '../runner.js';

/**
 * What every job of one Slurm run reads: written once by the controller into the shared cache
 * (`<cache>/slurm/<run id>/job.json`), so a job's command line stays short.
 */
export interface JobFile {
  readonly format: 1;
  readonly runId: string;
  readonly plan: Plan;
  readonly config: ProjectConfig;
  /** Where each node's progress lines go: `<progressDir>/<node id>.jsonl`. */
  readonly progressDir: string;
  /** Least interval between two progress lines of one node (ms). */
  readonly progressIntervalMs: number;
}

/** One line a worker appends to its node's progress file; the controller tails it. */
export type ProgressLine =
  | { readonly type: 'start'; readonly time: number; readonly host: string; readonly job?: string }
  | { readonly type: 'progress'; readonly time: number; readonly progress: Progress }
  | { readonly type: 'log'; readonly time: number; readonly message: string }
  | { readonly type: 'end'; readonly time: number; readonly outcome: ComputeOutcome['outcome']; readonly seconds?: number; readonly failure?: Failure };

/** The progress file of a node. */
export function progressFile(progressDir: string, nodeId: string): string {
  return path.join(progressDir, `${nodeId}.jsonl`);
}

/** Appends one line (whole lines, so a reader never parses half of one that is complete). */
export function appendProgress(file: string, line: ProgressLine): void {
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Reads and checks a job file; a message saying what is wrong when it cannot be used. */
export function readJobFile(file: string): JobFile | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `cannot read the job file ${file}: ${(e as Error).message}`;
  }
  const j = parsed as Partial<JobFile> | null;
  if (
    j === null ||
    typeof j !== 'object' ||
    j.format !== 1 ||
    typeof j.runId !== 'string' ||
    typeof j.progressDir !== 'string' ||
    !Array.isArray(j.plan?.nodes) ||
    typeof j.config?.cache !== 'string'
  ) {
    return `${file} is not a synx job file (format 1)`;
  }
  return j as JobFile;
}

/**
 * Reads the lines appended to a progress file since `offset`; returns them and the new offset
 * (a trailing line still being written is left for the next read).
 */
export function tailProgress(file: string, offset: number): { lines: ProgressLine[]; offset: number } {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length <= offset) return { lines: [], offset };
    text = buf.subarray(offset).toString('utf8');
  } catch {
    return { lines: [], offset };
  }
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: [], offset };
  const lines: ProgressLine[] = [];
  for (const raw of text.slice(0, end).split('\n')) {
    try {
      lines.push(JSON.parse(raw) as ProgressLine);
    } catch {
      // A torn line (two writers, a full disk) is skipped: progress is advisory.
    }
  }
  return { lines, offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
}
