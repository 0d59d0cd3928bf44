import { canonicalJson, sha256, type JsonValue } from '../util/index.js';
import { KIND_VERSIONS, type NodeKindName } from '../params/index.js';
import type { InputRole } from '../params/index.js';
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

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** `o` without the given fields (a copy; `o` is left as it was). */
function omit(o: JsonObject, ...fields: string[]): JsonObject {
  const out: { [key: string]: JsonValue } = { ...o };
  for (const f of fields) delete out[f];
  return out;
}

// These read params as JSON, not as the kinds' params types: they also get the params of cache
// manifests written by older versions (`synx why`), and tests and tools fingerprint partial
// params, so every field is checked before use and a field that is not there is left alone.

/** A choice (see ChoiceDist) without its folder's location, at every depth of a mixture. */
function choiceFree(c: JsonValue): JsonValue {
  if (!isObject(c)) return c;
  const parts = c.parts;
  if (c.type === 'mix' && Array.isArray(parts)) {
    return { ...c, parts: parts.map((p: JsonValue) => (isObject(p) && p.dist !== undefined ? { ...p, dist: choiceFree(p.dist) } : p)) };
  }
  return omit(c, 'arg');
}

/** RenderParams without the BFM model's path and the illumination and background folders. */
function renderFree(p: JsonValue): JsonValue {
  if (!isObject(p)) return p;
  const out: { [key: string]: JsonValue } = { ...p };
  if (isObject(p.model) && p.model.kind === 'bfm') out.model = omit(p.model, 'path');
  for (const field of ['illumination', 'background']) {
    const c = p[field];
    if (c !== undefined) out[field] = choiceFree(c);
  }
  return out;
}

/** `params` with its `field` (a PretrainedNetwork) without the network's path and display name. */
function networkFree(params: JsonObject, field: string): JsonValue {
  const net = params[field];
  return isObject(net) ? { ...params, [field]: omit(net, 'path', 'file') } : params;
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
  if (!isObject(params)) return params;
  switch (kind) {
    case 'render':
      return renderFree(params);
    case 'data':
      // The dataset folder; its digest (`content`) stays.
      return omit(params, 'path');
    case 'eval':
      // A pretrained network's path and the name it was written with (display only); its
      // digest stays (see PretrainedNetwork), so a renamed but unchanged model keeps its evals.
      return networkFree(params, 'network');
    case 'train':
      // The pretrained start weights' path; their digest stays.
      return networkFree(params, 'from');
    case 'report': {
      const samples = params.samples;
      if (!Array.isArray(samples)) return params;
      return { ...params, samples: samples.map((s: JsonValue) => (isObject(s) && s.params !== undefined ? { ...s, params: renderFree(s.params) } : s)) };
    }
    default:
      return params;
  }
}

export function fingerprintOf(record: FingerprintRecord): Fingerprint {
  return sha256(canonicalJson(record));
}
