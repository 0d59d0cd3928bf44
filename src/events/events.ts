import type { Progress } from '../node/index.js';
import type { Failure } from './failure.js';
import type { Warning } from './warning.js';

/** How a node of a run ended. `cached`: its entry was reused (or computed meanwhile by another run). */
export type NodeOutcome = 'ran' | 'cached' | 'failed' | 'skipped' | 'cancelled';

/** A node as loggers need it: enough to draw a line without the plan. */
export interface EventNode {
  readonly id: string;
  /** The stage it belongs to: render, data, train, eval, report. */
  readonly kind: string;
  readonly label: string;
}

/** Counts of node outcomes for a whole run. */
export interface RunSummary {
  readonly total: number;
  readonly ran: number;
  readonly cached: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: number;
  readonly seconds: number;
  /** `ok` when every node ran or was cached. */
  readonly status: 'ok' | 'failed' | 'cancelled';
}

/** Every event carries the wall-clock time (ms since the epoch) it happened at. */
interface At {
  readonly time: number;
}

/**
 * What the executor says while it works. Only loggers draw these (plain lines, JSON lines, the Ink
 * UI); the executor itself never writes to a stream.
 */
export type RunEvent =
  | (At & {
      readonly type: 'run-start';
      readonly runId: string;
      readonly file: string;
      readonly nodes: readonly EventNode[];
      /** Nodes found in the cache before anything started. */
      readonly cached: number;
      readonly toRun: number;
      readonly jobs: number;
    })
  | (At & { readonly type: 'node-start'; readonly node: EventNode })
  | (At & { readonly type: 'node-progress'; readonly node: EventNode; readonly progress: Progress })
  | (At & { readonly type: 'node-log'; readonly node: EventNode; readonly message: string })
  | (At & {
      readonly type: 'node-finish';
      readonly node: EventNode;
      readonly status: 'ran' | 'failed' | 'cancelled';
      readonly seconds: number;
      /** Why it failed (status `failed`); loggers put it into words with `describeFailure`. */
      readonly failure?: Failure;
    })
  | (At & {
      readonly type: 'node-cached';
      readonly node: EventNode;
      /** `entry`: found at the start; `concurrent`: another run computed it while this one waited. */
      readonly source: 'entry' | 'concurrent';
    })
  | (At & {
      readonly type: 'node-skipped';
      readonly node: EventNode;
      /** Id of the failed (or cancelled) node this one depends on. */
      readonly because: string;
    })
  | (At & {
      readonly type: 'cache-warning';
      readonly node?: EventNode;
      /** What is wrong; loggers put it into words with `describeWarning`. */
      readonly warning: Warning;
    })
  | (At & { readonly type: 'run-finish'; readonly runId: string; readonly summary: RunSummary });

/** The type field of each event. */
export type RunEventType = RunEvent['type'];

/** A function that receives events; loggers implement it. */
export type EventSink = (event: RunEvent) => void;
