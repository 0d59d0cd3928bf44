import { canonicalJson, sha256, type JsonValue } from '../util/index.js';
import { KIND_VERSIONS, type NodeKindName } from './kinds.js';
import type { InputRole } from './params.js';
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
  /** Every setting the code reads. */
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
  return { kind, version: KIND_VERSIONS[kind], params, inputs };
}

export function fingerprintOf(record: FingerprintRecord): Fingerprint {
  return sha256(canonicalJson(record));
}
