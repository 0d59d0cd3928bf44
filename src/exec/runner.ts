// The runner contract: how `runPlan` hands a node to whoever computes it (in this process with
// `computeNode`, or a Slurm cluster) and hears how it ended.
import type { ProjectConfig } from '../config/index.js';
import type { Failure } from '../events/index.js';
import type { AnyNodeKind, Progress, Resources } from '../node/index.js';
import type { Plan, PlanNode } from '../plan/index.js';
import type { Cache } from './cache.js';

// Defined in the node-kind contract (src/node), beside NodeKind; named here too for the runners.
export type { AnyNodeKind };

/** How one node's computation ended (see `computeNode` and `NodeRunner`). */
export type ComputeOutcome =
  | { readonly outcome: 'ran'; readonly seconds: number }
  /** Another process computed it while this one waited for the lock. */
  | { readonly outcome: 'cached' }
  | { readonly outcome: 'failed'; readonly seconds: number; readonly failure: Failure }
  /** `seconds` is absent when it was cancelled before it started. */
  | { readonly outcome: 'cancelled'; readonly seconds?: number };

/** Callbacks through which a node's start, progress and log lines are reported as they happen. */
export interface NodeHooks {
  readonly onStart?: (time: number) => void;
  readonly onProgress?: (progress: Progress, time: number) => void;
  readonly onLog?: (message: string, time: number) => void;
}


/** One node handed to a `NodeRunner`, with callbacks for what it reports while it runs. */
export interface RunnerTask extends NodeHooks {
  readonly node: PlanNode;
  readonly kind: AnyNodeKind;
  /** What the kind says it needs (a Slurm runner asks the cluster for it). */
  readonly resources: Resources;
  /** Dependencies handed to this runner and not finished yet: an eager runner orders the node after them. */
  readonly waitingOn: readonly string[];
  /** Aborted when the run is cancelled: stop the node, cache nothing partial. */
  readonly signal: AbortSignal;
}

/** What a runner learns when the run starts. */
export interface RunnerSetup {
  readonly plan: Plan;
  readonly runId: string;
  readonly config: ProjectConfig;
  readonly cache: Cache;
  /** A problem worth telling the user that fails nothing (shown like a cache warning). */
  warn(message: string): void;
}

/**
 * Computes nodes for `runPlan` outside this process (see src/exec/slurm). The runner publishes
 * each entry into the shared cache itself (with `computeNode`, in a worker) and says how it ended.
 */
export interface NodeRunner {
  /** `slurm`: named in messages. */
  readonly name: string;
  /**
   * True: a node is handed over as soon as its dependencies are handed over (not finished), and
   * the runner makes it wait for them (Slurm's `--dependency=afterok`).
   */
  readonly eager: boolean;
  /** Called once, after the cache is checked and before the first `run`. */
  open(setup: RunnerSetup): Promise<void>;
  /** Computes one node; resolves when it has ended. Should not reject (a rejection fails the node). */
  run(task: RunnerTask): Promise<ComputeOutcome>;
  /**
   * A node handed over is no longer wanted (a dependency failed, so it is skipped): stop it. What
   * its `run` later resolves with is ignored.
   */
  withdraw(nodeId: string): void;
  /** Called once when every node has ended. */
  close(): Promise<void>;
}
