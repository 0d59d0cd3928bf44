import * as vega from 'vega';
import * as vl from 'vega-lite';
import { fractionOf, type ReportRow } from './model.js';

/** An SVG plot and the data behind it. */
export interface Plot {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 420, height: 260, background: 'white' } as const;

/** The study's plots that the rows can support (a plot needs at least two points). */
export async function makePlots(rows: readonly ReportRow[]): Promise<Plot[]> {
  const plots: Plot[] = [];

  // Accuracy against the fraction of real data used (fine-tuning or real-only training).
  const frac = rows.flatMap((r) => {
    const f = fractionOf(r);
    const acc = r.results?.verification?.accuracy ?? r.results?.identification?.rank1;
    return f !== undefined && acc !== undefined ? [{ fraction: f, accuracy: acc, series: `${r.base} / ${r.dataset}` }] : [];
  });
  if (frac.length >= 2) {
    plots.push({
      name: 'accuracy-vs-fraction',
      title: 'Accuracy against the fraction of real data',
      svg: await toSvg({
        ...BASE,
        title: 'Accuracy vs real-data fraction',
        data: { values: frac },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'fraction', type: 'quantitative', title: 'real data used (%)' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (verification; rank-1 for synthetic)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      }),
    });
  }

  // Rank-1 identification by yaw bucket.
  const pose = rows.flatMap((r) =>
    (r.results?.identification?.byPose ?? []).map((b) => ({ yaw: b.yaw, rank1: b.rank1, series: `${r.experiment} / ${r.dataset}` })),
  );
  if (pose.length >= 2) {
    plots.push({
      name: 'rank1-vs-yaw',
      title: 'Rank-1 identification by yaw',
      svg: await toSvg({
        ...BASE,
        title: 'Rank-1 by yaw',
        data: { values: pose },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'yaw', type: 'quantitative', title: 'probe yaw (degrees)', scale: { domain: [-90, 90] } },
          y: { field: 'rank1', type: 'quantitative', title: 'rank-1', scale: { domain: [0, 1] } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      }),
    });
  }

  // ROC curves, FAR on a log axis as IJB papers draw them.
  const roc = rows.flatMap((r) =>
    (r.results?.roc ?? []).filter((p) => p.far > 0).map((p) => ({ far: p.far, tar: p.tar, series: `${r.experiment} / ${r.dataset}` })),
  );
  if (roc.length >= 2) {
    plots.push({
      name: 'roc',
      title: 'ROC',
      svg: await toSvg({
        ...BASE,
        title: 'ROC',
        data: { values: roc },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'far', type: 'quantitative', title: 'false accept rate', scale: { type: 'log' } },
          y: { field: 'tar', type: 'quantitative', title: 'true accept rate', scale: { domain: [0, 1] } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      }),
    });
  }
  return plots;
}
