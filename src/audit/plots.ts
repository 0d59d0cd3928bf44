import * as vega from 'vega';
import * as vl from 'vega-lite';
import { HISTOGRAM_RANGE } from './audit.js';
import type { AuditResult } from './audit.js';

/** An SVG plot of an audit. */
export interface AuditPlot {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 380, height: 220, background: 'white' } as const;

/** Detection rate by |yaw| bucket, and genuine vs impostor distance histograms (near-frontal and all pairs). */
export async function auditPlots(a: AuditResult): Promise<AuditPlot[]> {
  const plots: AuditPlot[] = [];
  const det = Object.entries(a.detection).map(([bucket, d]) => ({ bucket, rate: Number.isNaN(d.rate) ? 0 : d.rate, images: d.images }));
  plots.push({
    name: 'detection-by-yaw',
    title: 'face-api detection rate by |yaw|',
    svg: await toSvg({
      ...BASE,
      title: 'face-api detection rate by |yaw| (degrees)',
      data: { values: det },
      mark: 'bar',
      encoding: {
        x: { field: 'bucket', type: 'ordinal', sort: null, title: '|yaw|' },
        y: { field: 'rate', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'detected' },
        tooltip: [{ field: 'images', type: 'quantitative' }],
      },
    }),
  });
  const { lo, hi, bins } = HISTOGRAM_RANGE;
  const w = (hi - lo) / bins;
  for (const [key, label] of [['nearFrontal', 'near-frontal pairs'], ['all', 'all pairs']] as const) {
    const s = a[key];
    const norm = (h: number[], n: number) => h.map((c, k) => ({ distance: lo + (k + 0.5) * w, share: n > 0 ? c / n : 0 }));
    const values = [
      ...norm(s.genuineHistogram, s.genuinePairs).map((v) => ({ ...v, pairs: 'same identity' })),
      ...norm(s.impostorHistogram, s.impostorPairs).map((v) => ({ ...v, pairs: 'different identities' })),
    ];
    plots.push({
      name: `distances-${key === 'all' ? 'all' : 'near-frontal'}`,
      title: `descriptor distances, ${label}`,
      svg: await toSvg({
        ...BASE,
        title: `face-api descriptor distances, ${label} (rule: same person under ${a.threshold})`,
        layer: [
          {
            data: { values },
            mark: { type: 'line', interpolate: 'step' },
            encoding: {
              x: { field: 'distance', type: 'quantitative', scale: { domain: [lo, hi] }, title: 'euclidean distance' },
              y: { field: 'share', type: 'quantitative', title: 'share of pairs' },
              color: { field: 'pairs', type: 'nominal' },
            },
          },
          { data: { values: [{ t: a.threshold }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } },
        ],
      }),
    });
  }
  return plots;
}
