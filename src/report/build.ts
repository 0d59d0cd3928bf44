import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RenderParams } from '../plan/index.js';
import { writeFileAtomic } from '../util/index.js';
import type { ReportData } from './model.js';
import { makePlots } from './plots.js';
import { reportCsv, reportHtml, reportMarkdown } from './write.js';

/** The files a report consists of, relative to its folder. */
export const REPORT_FILES = { markdown: 'report.md', html: 'report.html', csv: 'results.csv', json: 'results.json' } as const;

/** Renders contact sheets (rows = identities, columns = samples) of training sets. */
export async function sampleSheets(samples: readonly { label: string; params: RenderParams }[]): Promise<ReportData['sheets']> {
  if (samples.length === 0) return [];
  const { renderContactSheet } = await import('../render/index.js');
  const out: { label: string; file: string; png: Uint8Array }[] = [];
  for (const [i, s] of samples.entries()) {
    const rows = Math.min(4, s.params.ids);
    const cols = Math.min(8, s.params.imgsPerId);
    out.push({ label: s.label, file: `samples-${i + 1}.png`, png: await renderContactSheet(s.params, rows, cols) });
  }
  return out;
}

/**
 * Writes a report folder: report.md (with plots/*.svg and samples-*.png beside it), a
 * self-contained report.html, and every number as results.csv and results.json. Each file is
 * written atomically.
 */
export async function writeReport(dir: string, data: ReportData): Promise<{ markdown: string; html: string; csv: string; json: string }> {
  const plots = await makePlots(data.rows);
  mkdirSync(path.join(dir, 'plots'), { recursive: true });
  for (const p of plots) writeFileAtomic(path.join(dir, 'plots', `${p.name}.svg`), p.svg);
  for (const s of data.sheets) writeFileSync(path.join(dir, s.file), s.png);
  for (const a of data.audits ?? []) for (const p of a.plots) writeFileAtomic(path.join(dir, 'plots', `${p.file}.svg`), p.svg);
  const files = {
    markdown: path.join(dir, REPORT_FILES.markdown),
    html: path.join(dir, REPORT_FILES.html),
    csv: path.join(dir, REPORT_FILES.csv),
    json: path.join(dir, REPORT_FILES.json),
  };
  writeFileAtomic(files.markdown, reportMarkdown(data, plots));
  writeFileAtomic(files.html, reportHtml(data, plots));
  writeFileAtomic(files.csv, reportCsv(data.rows));
  writeFileAtomic(files.json, `${JSON.stringify({ title: data.title, provenance: data.provenance, rows: data.rows }, null, 1)}\n`);
  return files;
}
