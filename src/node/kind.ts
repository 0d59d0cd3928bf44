import type { InputRole, KindAndParams, NodeParams } from '../params/index.js';
import type { PlanNode } from '../plan/index.js';
import type { ProjectConfig } from '../config/index.js';
import type { Progress } from './progress.js';

/** What a node needs from the machine; the scheduler runs nodes only while their sum fits. */
export interface Resources {
  /** CPU cores the node keeps busy (a renderer with worker threads says how many). */
  readonly cpu: number;
  /** GPUs (0 for CPU work). */
  readonly gpu: number;
  /** Peak memory, MiB. */
  readonly memoryMb: number;
}

/**
 * A finished dependency, as a node kind sees it: its (read-only) output folder, and its kind and
 * params, a union discriminated by `kind` as in PlanNode.
 */
export type NodeInput = {
  readonly role: InputRole;
  readonly id: string;
  readonly fingerprint: string;
  /** The cached output folder. Never write here. */
  readonly dir: string;
} & KindAndParams;

// Progress lives in the node-kind contract's leaf folder (src/node), which the events import.
export type { Progress };

/** Everything a node kind's `run` gets. */
export interface NodeContext<P = NodeParams> {
  readonly node: PlanNode;
  readonly params: P;
  readonly inputs: readonly NodeInput[];
  /**
   * An empty folder for the outputs. The executor hashes and renames it into the cache only when
   * `run` resolves, so anything half-written by a crash or a cancel is never seen as a result.
   */
  readonly outDir: string;
  /**
   * A folder kept between attempts of the same fingerprint (and deleted once the entry is
   * cached): long nodes write checkpoints here and resume from them after a kill.
   */
  readonly scratchDir: string;
  readonly config: ProjectConfig;
  readonly signal: AbortSignal;
  progress(p: Progress): void;
  /**
   * A line for the node's log file (and the verbose logger). A line starting with `warning: ` is
   * also shown on the console as a warning.
   */
  log(message: string): void;
}

/**
 * A node kind: render, data, train, eval, report (and fakes in tests). `run` throws a
 * `NodeFailure` for a failure the user can fix (missing dataset, NaN loss); any other exception
 * is reported as a bug in the kind.
 */
export interface NodeKind<P = NodeParams> {
  readonly kind: string;
  readonly version: string;
  resources(params: P, config: ProjectConfig): Resources;
  /**
   * A rough guess of the node's run time in seconds on this machine. The scheduler starts ready
   * nodes on the longest remaining path first, so a long render → pretrain chain is not queued
   * behind dozens of short data nodes. Only the ratios matter; without it a node counts as 1.
   */
  estimateSeconds?(params: P, config: ProjectConfig): number;
  run(ctx: NodeContext<P>): Promise<void>;
}

/**
 * A node kind of any kind's params, as the executor holds them in a registry by kind name. Each
 * kind's `NodeKind<RenderParams>` (...) is one: TypeScript compares method parameters both ways.
 * The registry is what ties a node's `kind` to the kind that reads its params, at run time: the
 * executor gives each kind only the nodes of its own name.
 */
export type AnyNodeKind = NodeKind<NodeParams>;

/** A failure of a node that the user can act on; `message` says what happened and what to do. */
export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code: string = 'SX5005',
  ) {
    super(message);
    this.name = 'NodeFailure';
  }
}

/**
 * A node kind's cancellation point, for loops of CPU-bound steps (a training batch, a chunk of
 * embeddings): lets the event loop run, then throws a NodeFailure if the run was cancelled.
 *
 * The yield is what makes Ctrl-C work at all. Node delivers SIGINT through the event loop, and a
 * loop whose awaits resolve at once (tfjs on the main thread) runs only microtasks: the signal
 * handler, and so the abort, would wait until the whole node finished (and had been committed).
 * One setImmediate per step costs microseconds against a step of milliseconds or more.
 */
export async function checkCancelled(signal: AbortSignal | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new NodeFailure(`${what} cancelled`, undefined, 'SX5005');
}
