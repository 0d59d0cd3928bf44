import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvRow, type JsonValue } from '../util/index.js';
import type { Cache } from './cache.js';
import type { RunRecord } from './runs.js';

/** An eval's output file (see eval/kind.ts, which writes it). */
export const EVAL_RESULTS_FILE = 'results.json';

/**
 * Parses the results.json of an eval output folder: the one place it is read. Throws when it
 * cannot be read or parsed; callers hold a verified entry, so that means damage.
 */
export function readResultsFile(outDir: string): JsonValue {
  return JSON.parse(readFileSync(path.join(outDir, EVAL_RESULTS_FILE), 'utf8')) as JsonValue;
}

/** An eval's results as the cache holds them: verified, absent, or refused with what is wrong. */
export type CachedResults =
  | { readonly state: 'ok'; readonly results: JsonValue }
  | { readonly state: 'missing' }
  | { readonly state: 'corrupt'; readonly problem: string };

/**
 * The results of a cached eval, after the full check a run makes before reading an entry (every
 * output re-hashed against the manifest): a tampered or damaged entry is refused, never shown.
 */
export async function readCachedResults(cache: Cache, fingerprint: string): Promise<CachedResults> {
  const check = await cache.verify(fingerprint);
  if (check.state !== 'ok') return check;
  try {
    return { state: 'ok', results: readResultsFile(cache.outDir(fingerprint)) };
  } catch (e) {
    return { state: 'corrupt', problem: `${EVAL_RESULTS_FILE} cannot be read: ${(e as Error).message}` };
  }
}

/** The results of one eval node of one experiment (the eval's `results.json`). */
export interface ExperimentResult {
  readonly experiment: string;
  readonly node: string;
  readonly label: string;
  /** The verified results.json, or undefined when the eval did not finish or its entry is gone or corrupt. */
  readonly results: JsonValue | undefined;
  /** What is wrong with the eval's cache entry, when it is corrupt (its results are not shown). */
  readonly corrupt?: { readonly fingerprint: string; readonly problem: string };
}

/** The eval results of a run, per experiment, read (verified) from the cache entries its record names. */
export async function collectResults(record: RunRecord, cache: Cache): Promise<ExperimentResult[]> {
  const byId = new Map(record.nodes.map((n) => [n.id, n]));
  const out: ExperimentResult[] = [];
  for (const e of record.experiments) {
    for (const id of e.evals) {
      const node = byId.get(id);
      let results: JsonValue | undefined;
      let corrupt: ExperimentResult['corrupt'];
      if (node && (node.outcome === 'ran' || node.outcome === 'cached')) {
        const read = await readCachedResults(cache, node.fingerprint);
        if (read.state === 'ok') results = read.results;
        else if (read.state === 'corrupt') corrupt = { fingerprint: node.fingerprint, problem: read.problem };
      }
      out.push({ experiment: e.name, node: id, label: node?.label ?? id, results, ...(corrupt ? { corrupt } : {}) });
    }
  }
  return out;
}

function flatten(value: JsonValue | undefined, prefix: string, out: [string, string][]): void {
  if (value === undefined) return;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? (value as JsonValue[]).map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, JsonValue>);
    for (const [k, v] of entries) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.push([prefix, value === null ? '' : String(value)]);
  }
}

/**
 * Results as long-format CSV, one row per number: `experiment,node,label,metric,value`, where
 * metric is the dotted path inside results.json (`lfw.accuracy`, `tar.far_0.001`). Long format
 * works whatever each protocol reports, and pivots in any spreadsheet.
 */
export function resultsToCsv(results: readonly ExperimentResult[]): string {
  const rows = ['experiment,node,label,metric,value'];
  for (const r of results) {
    const cells: [string, string][] = [];
    flatten(r.results, '', cells);
    for (const [metric, value] of cells) {
      rows.push(csvRow([r.experiment, r.node, r.label, metric, value]));
    }
  }
  return `${rows.join('\n')}\n`;
}
