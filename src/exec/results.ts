import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../util/index.js';
import type { Cache } from './cache.js';
import type { RunRecord } from './runs.js';

/** The results of one eval node of one experiment (the eval's `results.json`). */
export interface ExperimentResult {
  readonly experiment: string;
  readonly node: string;
  readonly label: string;
  /** The parsed results.json, or undefined when the eval did not finish or its entry is gone. */
  readonly results: JsonValue | undefined;
}

/** The eval results of a run, per experiment, read from the cache entries its record names. */
export function collectResults(record: RunRecord, cache: Cache): ExperimentResult[] {
  const byId = new Map(record.nodes.map((n) => [n.id, n]));
  const out: ExperimentResult[] = [];
  for (const e of record.experiments) {
    for (const id of e.evals) {
      const node = byId.get(id);
      let results: JsonValue | undefined;
      if (node && (node.outcome === 'ran' || node.outcome === 'cached')) {
        try {
          results = JSON.parse(readFileSync(path.join(cache.outDir(node.fingerprint), 'results.json'), 'utf8')) as JsonValue;
        } catch {
          results = undefined;
        }
      }
      out.push({ experiment: e.name, node: id, label: node?.label ?? id, results });
    }
  }
  return out;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
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
      rows.push([r.experiment, r.node, r.label, metric, value].map(csvField).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
