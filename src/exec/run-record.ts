// Keeping a run's record (`<runs>/<id>.json`, see runs.ts) current while the run goes on.
import os from 'node:os';
import { describeFailure, type RunSummary, type Warning } from '../events/index.js';
import type { Plan } from '../plan/index.js';
import type { Environment } from './environment.js';
import { writeRunRecord, type NodeResult, type RecordedNode, type RunRecord } from './runs.js';

/** What a run's record is made of. */
export interface RunRecorderOptions {
  /** The runs folder; `false` keeps no record. */
  readonly dir: string | false;
  readonly runId: string;
  readonly plan: Plan;
  /** When the run started (ms since the epoch). */
  readonly startedAt: number;
  readonly environment: Environment;
  /** Each node's result so far (plan order), filled in by the run; a missing one reads `cancelled`. */
  readonly results: readonly (NodeResult | undefined)[];
  /** Told, once, that the record cannot be written. */
  readonly warn: (warning: Warning) => void;
}

/**
 * Writes a run's record: at the start (`running`), at most once a second while nodes finish, so a
 * run killed with -9 still shows which nodes it finished, and at the end with the summary.
 */
export class RunRecorder {
  private lastWrite = 0;
  private warned = false;

  constructor(private readonly o: RunRecorderOptions) {}

  /** Writes the record now; returns its file, or undefined when there is none (not kept, or unwritable). */
  write(status: RunRecord['status'], summary?: RunSummary): string | undefined {
    const { dir } = this.o;
    if (dir === false) return undefined;
    this.lastWrite = Date.now();
    try {
      return writeRunRecord(dir, this.record(status, summary));
    } catch (e) {
      // The record is a log: a run is not failed for want of one, but the user hears of it.
      if (!this.warned) {
        this.warned = true;
        this.o.warn({ reason: 'record-unwritable', dir, message: (e as Error).message });
      }
      return undefined;
    }
  }

  /** A node has finished: rewrites the `running` record if the last write is over a second old. */
  checkpoint(): void {
    if (Date.now() - this.lastWrite > 1000) this.write('running');
  }

  private record(status: RunRecord['status'], summary?: RunSummary): RunRecord {
    const { plan, results } = this.o;
    return {
      format: 1,
      id: this.o.runId,
      file: plan.file,
      status,
      pid: process.pid,
      host: os.hostname(),
      started: new Date(this.o.startedAt).toISOString(),
      ...(summary ? { finished: new Date().toISOString(), summary } : {}),
      environment: this.o.environment,
      experiments: plan.experiments.map((e) => ({ name: e.name, evals: e.evals })),
      nodes: plan.nodes.map((node, i) => {
        const r = results[i];
        return r ? recordedNode(r) : { id: node.id, kind: node.kind, label: node.label, fingerprint: node.fingerprint, outcome: 'cancelled' as const };
      }),
    };
  }
}

/** A node's result as the record keeps it: its failure, if any, in words, where the result had it. */
function recordedNode(r: NodeResult): RecordedNode {
  const { failure, ...rest } = r;
  return failure ? { ...rest, error: describeFailure(failure) } : rest;
}
