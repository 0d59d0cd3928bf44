// The node-kind contract: the types that the executor, the events and loggers, and every node
// kind share (NodeKind, NodeContext, NodeInput, Resources, Progress, NodeFailure), in a folder
// below all of them, so that none reaches into another's internals for them and the stages import
// no cycle (test/scripts/check-cycles.test.ts).
export type { Progress } from './progress.js';
export { checkCancelled, NodeFailure } from './kind.js';
export type { AnyNodeKind, NodeContext, NodeInput, NodeKind, Resources } from './kind.js';
