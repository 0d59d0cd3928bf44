import type { JsonValue } from '../util/index.js';
import type { Environment } from './environment.js';
import type { FileRecord } from './hash-files.js';

/** One input of a cached node, as it was when the entry was made. */
export interface ManifestInput {
  readonly role: string;
  readonly id: string;
  readonly label: string;
  readonly fingerprint: string;
}

/**
 * `manifest.json` of a cache entry: what was computed (the fingerprint record: kind, version,
 * params, input fingerprints), what came out (every file with size and sha256), when, and by
 * which software. Written last, inside the temporary folder, before the rename that publishes it.
 */
export interface Manifest {
  readonly format: 1;
  readonly fingerprint: string;
  readonly kind: string;
  readonly version: string;
  readonly label: string;
  readonly params: JsonValue;
  readonly inputs: readonly ManifestInput[];
  readonly files: readonly FileRecord[];
  /** Sum of the files' sizes. */
  readonly bytes: number;
  readonly timings: { readonly started: string; readonly finished: string; readonly seconds: number };
  readonly environment: Environment;
  /** Who computed it: `local`, or `slurm` with the job id. Absent in entries made before it was recorded. */
  readonly executor?: { readonly name: string; readonly job?: string };
}

/** Checks the shape of a parsed manifest; returns the problem, or undefined when it is sound. */
export function manifestProblem(m: unknown, fingerprint: string): string | undefined {
  if (typeof m !== 'object' || m === null) return 'manifest.json is not an object';
  const o = m as Partial<Manifest>;
  if (o.format !== 1) return `manifest.json has an unknown format ${JSON.stringify(o.format)}`;
  if (o.fingerprint !== fingerprint) return `manifest.json is for another fingerprint (${String(o.fingerprint)})`;
  if (typeof o.kind !== 'string' || !Array.isArray(o.files) || !Array.isArray(o.inputs)) {
    return 'manifest.json lacks kind, files or inputs';
  }
  for (const f of o.files as unknown[]) {
    const r = f as Partial<FileRecord>;
    if (typeof r.path !== 'string' || typeof r.size !== 'number' || typeof r.sha256 !== 'string') {
      return 'manifest.json has a malformed file record';
    }
  }
  return undefined;
}
