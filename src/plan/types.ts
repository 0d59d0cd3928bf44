import type { Sha256 } from '../util/index.js';
import type { InputRole, KindAndParams, NodeKindName } from '../params/index.js';

/** A node's fingerprint: sha256 over its fingerprint record (see `fingerprint.ts`). */
export type Fingerprint = Sha256;

/** One dependency of a node, with what it is to the node. */
export interface PlanInput {
  readonly role: InputRole;
  readonly id: string;
}

/** What every node of the DAG has, whatever its kind. */
interface PlanNodeBase {
  /** Stable, unique within the plan: `<kind>-<first 10 hex of the fingerprint>`. */
  readonly id: string;
  /** What a person reads in `synx plan`: `render syn-1m ids 0-99`, `finetune casia 10%`. */
  readonly label: string;
  readonly fingerprint: Fingerprint;
  /** Ids of the nodes this one reads, in input order. */
  readonly deps: readonly string[];
  readonly inputs: readonly PlanInput[];
  /** Names of the (expanded) experiments that need this node. */
  readonly experiments: readonly string[];
}

/**
 * One node of the DAG. Nodes with equal fingerprints are one node, shared by all experiments.
 * A union discriminated by `kind`: `node.kind === 'render'` types `node.params` as RenderParams.
 */
export type PlanNode = PlanNodeBase & KindAndParams;

/** A node of kind `K`, with that kind's params. */
export type PlanNodeOf<K extends NodeKindName> = Extract<PlanNode, { readonly kind: K }>;

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

/**
 * A node's kind and params, still tied to each other (`{ kind: n.kind, params: n.params }` would
 * not be: TypeScript checks the two fields apart), for building a NodeInput from a PlanNode.
 */
export function kindAndParams(node: PlanNode): KindAndParams {
  switch (node.kind) {
    case 'render':
      return { kind: node.kind, params: node.params };
    case 'data':
      return { kind: node.kind, params: node.params };
    case 'train':
      return { kind: node.kind, params: node.params };
    case 'eval':
      return { kind: node.kind, params: node.params };
    case 'report':
      return { kind: node.kind, params: node.params };
  }
}
