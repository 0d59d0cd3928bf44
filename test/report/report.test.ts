import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvalResults } from '../../src/eval/index.js';
import { fractionOf, makePlots, reportCsv, writeReport, type ReportRow } from '../../src/report/index.js';
import { expectGolden } from '../helpers/golden.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'synx-report-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function verification(acc: number): EvalResults['verification'] {
  return { accuracy: acc, accuracy_std: 0.01, threshold: 0.4, 'val_at_far_1e-3': acc - 0.3, tar_at_far: { '1e-1': acc - 0.05, '1e-2': acc - 0.15, '1e-3': acc - 0.3 }, auc: acc + 0.02, pairs: 6000 };
}

/** Recorded results of a small fraction sweep and a synthetic pose evaluation. */
const rows: ReportRow[] = [
  ...[0, 10, 50, 100].map((f, i) => ({
    experiment: `ft[finetune=${f}%]`,
    base: 'ft',
    sweep: { finetune: `${f}%` },
    evalId: `eval-00000000${i}a`,
    fingerprint: `${i}`.repeat(64),
    dataset: 'lfw',
    protocol: 'lfw',
    results: { dataset: 'lfw', protocol: 'lfw', verification: verification(0.8 + i * 0.04), roc: [{ far: 0.001, tar: 0.5 + i * 0.1 }, { far: 0.01, tar: 0.7 }, { far: 0.1, tar: 0.9 }, { far: 1, tar: 1 }] } as EvalResults,
  })),
  {
    experiment: 'pose',
    base: 'pose',
    sweep: {},
    evalId: 'eval-ffffffff00',
    fingerprint: 'f'.repeat(64),
    dataset: 'heldout',
    protocol: 'synthetic',
    results: {
      dataset: 'heldout',
      protocol: 'synthetic',
      verification: verification(0.7),
      identification: { rank1: 0.6, byPose: [{ yaw: -90, rank1: 0.2, probes: 10 }, { yaw: 0, rank1: 0.9, probes: 10 }, { yaw: 90, rank1: 0.25, probes: 10 }] },
    },
  },
  { experiment: 'pending', base: 'pending', sweep: {}, evalId: 'eval-eeeeeeeeee', fingerprint: 'e'.repeat(64), dataset: 'ijba', protocol: 'ijba', results: undefined },
];

describe('reports', () => {
  it('writes the Markdown report as recorded (golden)', async () => {
    const files = await writeReport(dir, { title: 'study', rows, provenance: { file: 'study.synexp', run: 'r1', synx: '0.1.0', node: 'v20', backend: 'wasm' }, sheets: [] });
    const md = readFileSync(files.markdown, 'utf8');
    const golden = path.join(here, 'expected-report.md');
    expectGolden(md, golden);
    for (const p of ['accuracy-vs-fraction', 'rank1-vs-yaw', 'roc']) expect(existsSync(path.join(dir, 'plots', `${p}.svg`))).toBe(true);
  });

  it('writes a self-contained HTML page with inline plots', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const files = await writeReport(dir, { title: 'study', rows, provenance: { file: 'study.synexp', synx: '0.1.0', node: 'v20', backend: 'wasm' }, sheets: [{ label: 'render synthetic ids 0-9 x 5', file: 'samples-1.png', png }] });
    const html = readFileSync(files.html, 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html).toContain('data:image/png;base64,iVBORw==');
    // Nothing loaded from elsewhere: no src/href to another host (SVG namespaces are not loads).
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('83.99 ± 1.00'.replace('83.99', (100 * 0.84).toFixed(2)));
  });

  it('plots accuracy against the real-data fraction at the swept fractions', async () => {
    const plots = await makePlots(rows);
    const frac = plots.find((p) => p.name === 'accuracy-vs-fraction')!;
    // Vega draws one point symbol per datum.
    expect(frac.svg.match(/role-mark.*?<\/g>/s)).not.toBeNull();
    expect(rows.map(fractionOf)).toEqual([0, 10, 50, 100, undefined, undefined]);
  });

  it('writes every number as CSV', () => {
    const csv = reportCsv(rows).trim().split('\n');
    expect(csv).toHaveLength(rows.length + 1);
    expect(csv[0]).toBe('experiment,base,sweep,dataset,protocol,eval_node,fingerprint,accuracy,accuracy_std,tar_far_1e-1,tar_far_1e-2,tar_far_1e-3,auc,pairs,rank1');
    const fields = csv[2]!.split(',');
    expect(fields.slice(0, 7)).toEqual(['ft[finetune=10%]', 'ft', 'finetune=10%', 'lfw', 'lfw', 'eval-000000001a', '1'.repeat(64)]);
    [0.84, 0.01, 0.79, 0.69, 0.54, 0.86, 6000].forEach((x, i) => expect(Number(fields[7 + i])).toBeCloseTo(x, 12));
    expect(fields[14]).toBe('');
    expect(csv[6]!.startsWith('pending,pending,,ijba,ijba,eval-eeeeeeeeee')).toBe(true);
  });
});
