// The events stage: what the executor reports while it runs; loggers in src/tui draw them.
export type {
  NodeOutcome,
  EventNode,
  NodeError,
  RunSummary,
  RunEvent,
  RunEventType,
  EventSink,
} from './events.js';
