import type { JsonValue } from '../util/index.js';
import type { DataParams, EvalParams, RenderParams, ReportParams, TrainParams } from './params.js';

/**
 * Node kinds and their versions. A version is part of every fingerprint of its kind: bump it when
 * a change to the kind's code changes its outputs, so cached results of the old code are not reused.
 */
export const KIND_VERSIONS = {
  render: '6',
  data: '1',
  train: '3',
  eval: '1',
  report: '2',
} as const;

export type NodeKindName = keyof typeof KIND_VERSIONS;

/**
 * The params of each node kind: what a plan node of that kind carries and what its kind's `run`
 * reads. `PlanNode` and `NodeInput` are unions discriminated by `kind` over this map, so checking
 * `node.kind === 'render'` types `node.params` as RenderParams.
 */
export type KindParams = {
  readonly render: RenderParams;
  readonly data: DataParams;
  readonly train: TrainParams;
  readonly eval: EvalParams;
  readonly report: ReportParams;
};

// Params are hashed (fingerprints), written to manifests and printed as JSON, so they may hold
// only plain JSON: this fails to compile if a kind's params gain a non-JSON field (a Date, a
// Map) or an interface (interfaces are not assignable to an index signature, type aliases are).
type PlainJson<T extends JsonValue> = T;

/** The params of any node kind. */
export type NodeParams = PlainJson<KindParams[NodeKindName]>;

/**
 * A kind with its params, as a union discriminated by `kind`: what plan nodes and node inputs
 * carry (`PlanNode` is the node's other fields & this).
 */
export type KindAndParams = { [K in NodeKindName]: { readonly kind: K; readonly params: KindParams[K] } }[NodeKindName];
