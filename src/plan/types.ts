import type { JsonValue, Sha256 } from '../util/index.js';
import type { InputRole } from '../params/index.js';
import type { NodeKindName } from '../params/index.js';

/** A node's fingerprint: sha256 over its fingerprint record (see `fingerprint.ts`). */
export type Fingerprint = Sha256;

/** One dependency of a node, with what it is to the node. */
export interface PlanInput {
  readonly role: InputRole;
  readonly id: string;
}

/** One node of the DAG. Nodes with equal fingerprints are one node, shared by all experiments. */
export interface PlanNode {
  /** Stable, unique within the plan: `<kind>-<first 10 hex of the fingerprint>`. */
  readonly id: string;
  readonly kind: NodeKindName;
  /** What a person reads in `synx plan`: `render syn-1m ids 0-99`, `finetune casia 10%`. */
  readonly label: string;
  readonly fingerprint: Fingerprint;
  /** Ids of the nodes this one reads, in input order. */
  readonly deps: readonly string[];
  readonly inputs: readonly PlanInput[];
  readonly params: JsonValue;
  /** Names of the (expanded) experiments that need this node. */
  readonly experiments: readonly string[];
}

/** One experiment after sweep expansion: `base[finetune=10%]`. */
export interface PlanExperiment {
  readonly name: string;
  /** The experiment as written, before expansion. */
  readonly base: string;
  /** The sweep values that made this experiment, as written: { "finetune": "10%" }. */
  readonly sweep: Readonly<Record<string, string>>;
  /** Every node the experiment needs, in topological order. */
  readonly nodes: readonly string[];
  /** Its eval nodes, whose results are the experiment's results. */
  readonly evals: readonly string[];
}

/** The DAG of a whole file: nodes in topological order (every dep before its dependents). */
export interface Plan {
  readonly file: string;
  readonly nodes: readonly PlanNode[];
  readonly experiments: readonly PlanExperiment[];
}
