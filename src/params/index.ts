// The contract between the planner and the node kinds: each kind's params (every field changes
// its output, so is part of its fingerprint) and the kinds' versions. A leaf: lang writes params,
// plan fingerprints them, the kinds read them, and none of them has to import another for it.
export type * from './params.js';
export { KIND_VERSIONS } from './kinds.js';
export type { KindAndParams, KindParams, NodeKindName, NodeParams } from './kinds.js';
