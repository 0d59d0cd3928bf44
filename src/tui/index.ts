// The loggers: the only code that draws executor events (plain lines, JSON lines, the Ink UI).
export type { Logger, LoggerChoice } from './logger.js';
export { chooseLogger } from './logger.js';
export { plainLogger } from './plain-logger.js';
export type { PlainLoggerOptions } from './plain-logger.js';
export { jsonLogger } from './json-logger.js';
export { createLogger } from './create-logger.js';
export type { CreateLoggerOptions } from './create-logger.js';
export {
  applyEvent,
  emptyRunState,
  stageCounts,
  runningNodes,
  rateOf,
  etaOf,
  formatDuration,
  formatRate,
  bar,
  summaryLine,
} from './run-state.js';
export type { RunState, NodeView, NodeStatus, StageCounts } from './run-state.js';
export { RunView } from './RunView.js';
export { NodeBar } from './NodeBar.js';
export { StageTable } from './StageTable.js';
export { FinishedLine } from './FinishedLine.js';
export { Summary } from './Summary.js';
