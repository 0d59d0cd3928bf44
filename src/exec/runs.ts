import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Failure, NodeError, NodeOutcome, RunSummary } from '../events/index.js';
import type { Environment } from './environment.js';
import { processAlive } from './lock.js';

interface NodeOutcomeFields {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly fingerprint: string;
  readonly outcome: NodeOutcome;
  /** Seconds it ran (ran, failed or cancelled after starting). */
  readonly seconds?: number;
  /** For a skipped node: the failed node it depends on. */
  readonly because?: string;
}

/** What happened to one node in a run. */
export interface NodeResult extends NodeOutcomeFields {
  /** Why it failed (outcome `failed`). */
  readonly failure?: Failure;
}

/** A node as its run record keeps it: the failure in words (see `describeFailure`), for people. */
export interface RecordedNode extends NodeOutcomeFields {
  readonly error?: NodeError;
}

/**
 * A run record, `<runs>/<id>.json`: written when a run starts (status `running`), rewritten at
 * most once a second as nodes finish, and when it ends, so a run killed with -9 still shows up
 * (as interrupted) with what it finished. Until the end, unfinished nodes read `cancelled`.
 */
export interface RunRecord {
  readonly format: 1;
  readonly id: string;
  readonly file: string;
  readonly status: 'running' | RunSummary['status'];
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly finished?: string;
  readonly summary?: RunSummary;
  readonly environment: Environment;
  readonly experiments: readonly { readonly name: string; readonly evals: readonly string[] }[];
  readonly nodes: readonly RecordedNode[];
}

/** A sortable run id: UTC time, then random hex so two runs in one second differ. */
export function newRunId(date = new Date()): string {
  const iso = date.toISOString(); // 2026-11-28T05:52:15.123Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Writes a record atomically (temp file, then rename), so a reader never sees half of one. */
export function writeRunRecord(dir: string, record: RunRecord): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${record.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(tmp, file);
  return file;
}

/** A run's status as a person should read it: a `running` record whose process is gone was interrupted. */
export function runState(record: RunRecord): RunRecord['status'] | 'interrupted' {
  if (record.status !== 'running') return record.status;
  if (record.host !== os.hostname()) return 'running';
  return processAlive(record.pid) ? 'running' : 'interrupted';
}

/** All readable run records in `dir`, newest first. */
export function listRuns(dir: string): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const n of names) {
    try {
      const r = JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as RunRecord;
      if (r.format === 1 && typeof r.id === 'string') out.push(r);
    } catch {
      // A record that cannot be read is skipped: it is a log, not a source of truth.
    }
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The run with this id, or the only one whose id starts with it; `latest` (or `last`) is the newest. */
export function findRun(dir: string, query: string): RunRecord | undefined {
  const runs = listRuns(dir);
  if (query === 'latest' || query === 'last') return runs[0];
  const exact = runs.find((r) => r.id === query);
  if (exact) return exact;
  const matches = runs.filter((r) => r.id.startsWith(query));
  return matches.length === 1 ? matches[0] : undefined;
}
