import { YAW_BUCKETS } from '../eval/index.js';
import { sweepText, type ReportData, type ReportRow } from './model.js';
import type { Plot } from './plots.js';
import { csvField } from '../util/index.js';

const pct = (x: number | undefined, digits = 2): string => (x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(digits));
const num = (x: number | undefined, digits = 4): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function verificationTable(rows: readonly ReportRow[]): Table | undefined {
  const v = rows.filter((r) => r.results?.verification || !r.results);
  if (v.length === 0) return undefined;
  return {
    head: ['experiment', 'dataset', 'accuracy (%)', 'TAR@FAR=1e-1', 'TAR@FAR=1e-2', 'TAR@FAR=1e-3', 'AUC', 'pairs', 'eval node'],
    rows: v.map((r) => {
      const x = r.results?.verification;
      if (!x) return [r.experiment, r.dataset, r.corrupt !== undefined ? 'corrupt cache entry' : 'not run', '–', '–', '–', '–', '–', r.evalId];
      return [
        r.experiment,
        r.dataset,
        `${pct(x.accuracy)} ± ${pct(x.accuracy_std)}`,
        pct(x.tar_at_far['1e-1']),
        pct(x.tar_at_far['1e-2']),
        pct(x.tar_at_far['1e-3']),
        num(x.auc),
        String(x.pairs),
        r.evalId,
      ];
    }),
  };
}

function identificationTable(rows: readonly ReportRow[]): Table | undefined {
  const v = rows.filter((r) => r.results?.identification);
  if (v.length === 0) return undefined;
  const buckets = YAW_BUCKETS.filter((b) => v.some((r) => r.results!.identification!.byPose.some((p) => p.yaw === b)));
  return {
    head: ['experiment', 'dataset', 'rank-1 (%)', ...buckets.map((b) => `yaw ${b}`)],
    rows: v.map((r) => {
      const id = r.results!.identification!;
      return [r.experiment, r.dataset, pct(id.rank1, 1), ...buckets.map((b) => pct(id.byPose.find((p) => p.yaw === b)?.rank1, 1))];
    }),
  };
}

function mdTable(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${t.head.map(esc).join(' | ')} |`, `| ${t.head.map(() => '---').join(' | ')} |`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function htmlTable(t: Table): string {
  return `<table><thead><tr>${t.head.map((h) => `<th>${htmlEscape(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${htmlEscape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function provenanceLines(data: ReportData): string[] {
  const p = data.provenance;
  return [
    `experiment file: ${p.file}`,
    ...(p.run ? [`run: ${p.run}`] : []),
    `synx ${p.synx}, Node ${p.node}, TensorFlow.js backend ${p.backend}`,
    scaleLine(p.scale),
  ];
}

/** Every report states its scale: a smoke test's numbers must never pass for the real study's. */
function scaleLine(scale: number | undefined): string {
  return scale === undefined || scale === 1
    ? 'scale: 1 (the experiments as written)'
    : `scale: ${scale} (SYNX_SCALE: identities, images per identity and pretraining images shrunk; a smoke test, not the experiments as written)`;
}

function provenanceTable(rows: readonly ReportRow[]): Table {
  return {
    head: ['experiment', 'sweep', 'dataset', 'protocol', 'eval node', 'fingerprint'],
    rows: rows.map((r) => [r.experiment, sweepText(r) || '–', r.dataset, r.protocol, r.evalId, r.fingerprint]),
  };
}

/** The report as Markdown; plots and sample sheets are files beside it. */
export function reportMarkdown(data: ReportData, plots: readonly Plot[]): string {
  const out = [`# ${data.title}`, ''];
  if (data.provenance.scale !== undefined && data.provenance.scale !== 1) out.push(`**${scaleLine(data.provenance.scale)}**`, '');
  const v = verificationTable(data.rows);
  const i = identificationTable(data.rows);
  if (v) out.push('## Verification', '', 'Accuracy: LFW protocol, 10 folds, mean ± std. TAR@FAR: accept when similarity ≥ the threshold of the FAR. AUC over all pairs.', '', mdTable(v), '');
  if (i) out.push('## Identification by pose', '', 'Rank-1: nearest gallery identity (cosine); gallery = one frontal image per identity.', '', mdTable(i), '');
  if (!v && !i) out.push('No evaluation results yet.', '');
  if (plots.length > 0) {
    out.push('## Plots', '');
    for (const p of plots) out.push(`![${p.title}](plots/${p.name}.svg)`, '');
  }
  for (const [k, a] of (data.audits ?? []).entries()) {
    if (k === 0) out.push('## Realism audit (face-api)', '', 'A detector, landmarker and recogniser trained on real photos, run on each rendered set (`synx audit`).', '');
    out.push(`${a.label}:`, '', ...a.lines.map((l) => `- ${l}`), '', ...a.plots.map((p) => `![${p.title}](plots/${p.file}.svg)`), '');
  }
  if (data.sheets.length > 0) {
    out.push('## Training samples', '', 'Rows are identities, columns samples.', '');
    for (const s of data.sheets) out.push(`${s.label}:`, '', `![${s.label}](${s.file})`, '');
  }
  out.push('## Provenance', '', ...provenanceLines(data).map((l) => `- ${l}`), '', mdTable(provenanceTable(data.rows)), '');
  return out.join('\n');
}

/** The report as one self-contained HTML page (SVG inline, PNG as data URLs). */
export function reportHtml(data: ReportData, plots: readonly Plot[]): string {
  const v = verificationTable(data.rows);
  const i = identificationTable(data.rows);
  const body: string[] = [`<h1>${htmlEscape(data.title)}</h1>`];
  if (v) body.push('<h2>Verification</h2>', '<p>Accuracy: LFW protocol, 10 folds, mean ± std. TAR@FAR: accept when similarity ≥ the threshold of the FAR.</p>', htmlTable(v));
  if (i) body.push('<h2>Identification by pose</h2>', htmlTable(i));
  if (!v && !i) body.push('<p>No evaluation results yet.</p>');
  if (plots.length > 0) body.push('<h2>Plots</h2>', ...plots.map((p) => `<figure>${p.svg}<figcaption>${htmlEscape(p.title)}</figcaption></figure>`));
  for (const [k, a] of (data.audits ?? []).entries()) {
    if (k === 0) body.push('<h2>Realism audit (face-api)</h2>');
    body.push(`<h3>${htmlEscape(a.label)}</h3>`, `<ul>${a.lines.map((l) => `<li>${htmlEscape(l)}</li>`).join('')}</ul>`, ...a.plots.map((p) => `<figure>${p.svg}<figcaption>${htmlEscape(p.title)}</figcaption></figure>`));
  }
  if (data.sheets.length > 0) {
    body.push('<h2>Training samples</h2>');
    for (const s of data.sheets) {
      body.push(`<figure><img alt="${htmlEscape(s.label)}" src="data:image/png;base64,${Buffer.from(s.png).toString('base64')}"><figcaption>${htmlEscape(s.label)}</figcaption></figure>`);
    }
  }
  body.push('<h2>Provenance</h2>', `<ul>${provenanceLines(data).map((l) => `<li>${htmlEscape(l)}</li>`).join('')}</ul>`, htmlTable(provenanceTable(data.rows)));
  if (data.provenance.generated) body.push(`<p class="muted">generated ${htmlEscape(data.provenance.generated)}</p>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${htmlEscape(data.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
th{background:#f3f3f3}figure{display:inline-block;margin:1rem}img{image-rendering:pixelated;max-width:100%}.muted{color:#888}
</style></head><body>
${body.join('\n')}
</body></html>
`;
}

/** Every number of the report as CSV rows (one per eval). */
export function reportCsv(rows: readonly ReportRow[]): string {
  const head = ['experiment', 'base', 'sweep', 'dataset', 'protocol', 'eval_node', 'fingerprint', 'accuracy', 'accuracy_std', 'tar_far_1e-1', 'tar_far_1e-2', 'tar_far_1e-3', 'auc', 'pairs', 'rank1'];
  const val = (x: number | undefined) => (x === undefined ? '' : String(x));
  const lines = rows.map((r) => {
    const v = r.results?.verification;
    return [
      r.experiment,
      r.base,
      sweepText(r),
      r.dataset,
      r.protocol,
      r.evalId,
      r.fingerprint,
      val(v?.accuracy),
      val(v?.accuracy_std),
      val(v?.tar_at_far['1e-1']),
      val(v?.tar_at_far['1e-2']),
      val(v?.tar_at_far['1e-3']),
      val(v?.auc),
      val(v?.pairs),
      val(r.results?.identification?.rank1),
    ].map(csvField).join(',');
  });
  return `${[head.join(','), ...lines].join('\n')}\n`;
}
