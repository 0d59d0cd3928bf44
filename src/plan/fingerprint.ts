import { canonicalJson, sha256, type JsonValue } from '../util/index.js';
import { KIND_VERSIONS, type NodeKindName } from '../params/index.js';
import type { ChoiceDist, DataParams, EvalParams, InputRole, RenderParams, ReportParams, TrainParams } from '../params/index.js';
import type { Fingerprint } from './types.js';

/**
 * Everything that determines a node's output, and nothing else. Hashed as canonical JSON (keys
 * sorted), so the order params were written in never matters.
 */
export interface FingerprintRecord {
  /** Which code runs. */
  readonly kind: NodeKindName;
  /** Which version of that code: bumped when its outputs change. */
  readonly version: string;
  /** Every setting the code reads, with file locations replaced by content digests (`locationFree`). */
  readonly params: JsonValue;
  /**
   * The inputs' fingerprints (chained keys, not bytes: an input's fingerprint already fixes its
   * content), with their roles, since the same node read as `data` or as `test` is different work.
   */
  readonly inputs: readonly { readonly role: InputRole; readonly fingerprint: Fingerprint }[];
}

export function fingerprintRecord(
  kind: NodeKindName,
  params: JsonValue,
  inputs: readonly { role: InputRole; fingerprint: Fingerprint }[],
): FingerprintRecord {
  return { kind, version: KIND_VERSIONS[kind], params: locationFree(kind, params), inputs };
}

function choiceFree(c: ChoiceDist): ChoiceDist {
  if (c.type === 'mix') return { type: 'mix', parts: c.parts.map((p) => ({ weight: p.weight, dist: choiceFree(p.dist) as typeof p.dist })) };
  if (c.arg === undefined) return c;
  const { arg: _where, ...rest } = c;
  return rest;
}

// Fields are checked before use: tests and tools fingerprint partial params too.
function renderFree(p: RenderParams): RenderParams {
  const out: { -readonly [K in keyof RenderParams]: RenderParams[K] } = { ...p };
  if (p.model?.kind === 'bfm') out.model = (({ path: _where, ...m }) => m)(p.model) as RenderParams['model'];
  if (p.illumination) out.illumination = choiceFree(p.illumination);
  if (p.background) out.background = choiceFree(p.background);
  return out;
}

/**
 * Params without the fields that say where an input file lies (a BFM model's path, an
 * illumination or background folder, a dataset's folder): each sits beside the content digest
 * the planner wrote for it, and the digest is what the output depends on. Keeping absolute paths
 * out means a moved or re-cloned project, another user's checkout or a Slurm node with another
 * mount point hits the same cache entries. A kind that gains a file input (a pretrained network)
 * adds its location field here.
 */
export function locationFree(kind: NodeKindName, params: JsonValue): JsonValue {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  switch (kind) {
    case 'render':
      return renderFree(params as unknown as RenderParams) as unknown as JsonValue;
    case 'data': {
      const { path: _where, ...rest } = params as unknown as DataParams;
      return rest as unknown as JsonValue;
    }
    case 'eval': {
      // A pretrained network's path and the name it was written with (display only); its
      // digest stays (see PretrainedNetwork), so a renamed but unchanged model keeps its evals.
      const e = params as unknown as EvalParams;
      if (!e.network) return params;
      const { path: _where, file: _shown, ...network } = e.network;
      return { ...e, network } as unknown as JsonValue;
    }
    case 'train': {
      // The pretrained start weights' path; their digest stays.
      const t = params as unknown as TrainParams;
      if (!t.from) return params;
      const { path: _where, file: _shown, ...from } = t.from;
      return { ...t, from } as unknown as JsonValue;
    }
    case 'report': {
      const r = params as unknown as ReportParams;
      if (!Array.isArray(r.samples)) return params;
      return { ...r, samples: r.samples.map((s) => ({ ...s, params: renderFree(s.params) })) } as unknown as JsonValue;
    }
    default:
      return params;
  }
}

export function fingerprintOf(record: FingerprintRecord): Fingerprint {
  return sha256(canonicalJson(record));
}
