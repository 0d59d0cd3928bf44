import type { EvalResults } from '../eval/index.js';

/** One eval of one experiment: a row of the report's tables. */
export interface ReportRow {
  readonly experiment: string;
  readonly base: string;
  /** Sweep values as written: { finetune: '10%' }. */
  readonly sweep: Readonly<Record<string, string>>;
  readonly evalId: string;
  readonly fingerprint: string;
  readonly dataset: string;
  readonly protocol: string;
  /** Undefined when the eval has not run (or failed), or its cache entry is corrupt. */
  readonly results: EvalResults | undefined;
  /** What is wrong with the eval's cache entry, when it is corrupt: shown instead of numbers. */
  readonly corrupt?: string;
}

/** Where the numbers came from. */
export interface Provenance {
  readonly file: string;
  readonly run?: string;
  readonly synx: string;
  readonly node: string;
  readonly backend: string;
  /** SYNX_SCALE of the run the results come from, when not 1 (absent: the experiments as written). */
  readonly scale?: number;
  /** Report generation time (ISO); left out of the Markdown so cached reports are byte-stable. */
  readonly generated?: string;
}

/** Everything a report shows. */
export interface ReportData {
  readonly title: string;
  readonly rows: readonly ReportRow[];
  readonly provenance: Provenance;
  /** PNG contact sheets of training samples, by set label. */
  readonly sheets: readonly { readonly label: string; readonly file: string; readonly png: Uint8Array }[];
  /** `synx report --audit`: face-api's audit of each render node (src/audit), as text lines and SVG plots. */
  readonly audits?: readonly ReportAudit[];
}

/** One render node's audit in a report; plot files are plots/<file>.svg. */
export interface ReportAudit {
  readonly label: string;
  readonly lines: readonly string[];
  readonly plots: readonly { readonly file: string; readonly title: string; readonly svg: string }[];
}

/** The real-data fraction of a row (the `finetune` or `train` sweep value, or the stage's fixed one), in %. */
export function fractionOf(row: ReportRow): number | undefined {
  for (const key of ['finetune', 'train']) {
    const v = row.sweep[key];
    if (v !== undefined) {
      const m = /^(\d+(?:\.\d+)?)%$/.exec(v.trim());
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

/** The sweep values of a row, as `finetune=10%, yaw=U(-30, 30)`. */
export function sweepText(row: ReportRow): string {
  return Object.entries(row.sweep)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
