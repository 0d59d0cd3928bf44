// `npx tsx bench/realism-ablate.ts NAME [--ids 12] [--imgs 13] [--pitch SD] [--expression SD]
// [--scale LO,HI] [--color K] [--shape K] [--minscore S]`: one condition of the realism benchmark
// (bench/realism.ts's setup: 160 px, yaw U(-90, 90), prior illumination, texture backgrounds) for
// `model builtin`, with one render setting changed, scored by face-api; appends one JSON line to
// bench/ablations-realism.jsonl. Used for the ablations in docs/realism.md.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditImages } from '../src/audit/index.js';
import type { AuditImage } from '../src/audit/index.js';
import { RENDER_DEFAULTS } from '../src/lang/index.js';
import type { Dist, ModelRef, RenderParams } from '../src/plan/index.js';
import { FaceRenderer, prepareRender } from '../src/render/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2] ?? 'baseline';
const arg = (n: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ids = Number(arg('ids') ?? 12);
const imgs = Number(arg('imgs') ?? 13);
const normal = (sd: number): Dist => (sd === 0 ? { type: 'const', value: 0 } : { type: 'normal', mean: 0, sd });
const pose: Record<string, Dist> = { ...RENDER_DEFAULTS.pose, yaw: { type: 'uniform', lo: -90, hi: 90 } as Dist };
if (arg('pitch') !== undefined) pose.pitch = normal(Number(arg('pitch')));
if (arg('scale') !== undefined) {
  const [lo, hi] = arg('scale')!.split(',').map(Number);
  pose.scale = lo === hi ? { type: 'const', value: lo! } : { type: 'uniform', lo: lo!, hi: hi! };
}
const coeffs: Record<string, Dist> = { ...RENDER_DEFAULTS.coeffs };
if (arg('expression') !== undefined) coeffs.expression = normal(Number(arg('expression')));
const dims: Record<string, number> = { ...RENDER_DEFAULTS.dims };
if (arg('color') !== undefined) dims.color = Number(arg('color'));
if (arg('shape') !== undefined) dims.shape = Number(arg('shape'));
const params: RenderParams = {
  ...RENDER_DEFAULTS,
  model: { kind: arg('model') ?? 'builtin' } as unknown as ModelRef,
  firstId: 0,
  ids,
  imgsPerId: imgs,
  size: 160,
  dims: dims as unknown as RenderParams['dims'],
  pose: pose as unknown as RenderParams['pose'],
  coeffs: coeffs as unknown as RenderParams['coeffs'],
  illumination: { type: 'choice', name: 'prior' },
  background: { type: 'choice', name: 'texture' },
};
const renderer = new FaceRenderer(await prepareRender(params));
const images: AuditImage[] = [];
for (let id = 0; id < ids; id++) {
  for (let s = 0; s < imgs; s++) {
    const r = renderer.render(id, s);
    images.push({ rgb: r.rgb, size: 160, id, yaw: r.label.yaw, landmarks: r.label.landmarks });
  }
}
const t0 = performance.now();
const a = await auditImages(images);
const row = {
  name,
  argv: process.argv.slice(3).join(' '),
  ids,
  imgs,
  det: Object.fromEntries(Object.entries(a.detection).map(([k, v]) => [k, Math.round(v.rate * 100)])),
  lm: a.landmarkError ? Number(a.landmarkError.mean.toFixed(3)) : null,
  aucNF: Number(a.nearFrontal.auc.toFixed(3)),
  aucAll: Number(a.all.auc.toFixed(3)),
  impNF: Math.round(a.nearFrontal.impostorUnderThreshold * 100),
  genNF: Math.round(a.nearFrontal.genuineUnderThreshold * 100),
  seconds: Math.round((performance.now() - t0) / 1000),
};
appendFileSync(path.join(here, 'ablations-realism.jsonl'), `${JSON.stringify(row)}\n`);
process.stdout.write(`${JSON.stringify(row)}\n`);
