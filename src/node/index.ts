// The node-kind contract: the types that the executor, the events and loggers, and every node
// kind share, in a leaf folder below all of them, so that none reaches into another's internals
// for them and the stages import no cycle (scripts/check-cycles.ts). For now it holds `Progress`,
// which the events imported from the executor (events → exec → events); the rest of
// src/exec/kind.ts (NodeKind, NodeContext, NodeInput, Resources, NodeFailure) is to move here too.
export type { Progress } from './progress.js';
