// The events stage: what the executor reports while it runs; loggers in src/tui draw them.
export type {
  NodeOutcome,
  EventNode,
  RunSummary,
  RunEvent,
  RunEventType,
  EventSink,
} from './events.js';
export { describeFailure } from './failure.js';
export type { Failure, FailureReason, NodeError, SlurmJobRef } from './failure.js';
export { describeWarning } from './warning.js';
export type { Warning } from './warning.js';
