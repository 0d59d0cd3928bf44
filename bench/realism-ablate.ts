// `npx tsx bench/realism-ablate.ts NAME [--ids 12] [--imgs 13] [--pitch SD] [--expression SD]
// [--scale LO,HI] [--color K] [--shape K] [--shape-sd S] [--color-sd S] [--boost NAME=F,...]
// [--shift NAME=D,...] [--settings NAME=V,...] [--illumination NAME] [--background NAME] [--center NAME] [--model NAME] [--specular S]`:
// one condition of the realism benchmark (bench/realism-setup.ts: 160 px, yaw U(-90, 90), prior
// illumination, texture backgrounds) for `model builtin`, with render settings changed, scored by
// face-api; appends one JSON line to bench/ablations-realism.jsonl. Used for the ablations and
// "the curve" in docs/realism.md.
//
// `--shape-sd` / `--color-sd` widen the coefficient distributions (N(0, S) instead of N(0, 1); the
// same identities, since a normal draw is S times the same unit draw). `--boost` and `--shift`
// build an alternative colour model in memory from the shipped one (lib/models is not touched):
// `--boost "skin texture=3"` multiplies the standard deviation of every colour component whose name
// starts with "skin texture" by 3 (the components are linear, so this is the scripts/ict field
// built 3 times as strong); `--shift "scalp hair cover=1"` moves the mean by +1 sd along the
// component (every head gets that much more hair), keeping its spread. `--settings` builds the
// colour model with scripts/ict/colour.ts's generator, those of its ColourSettings changed.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditImages } from '../src/audit/index.js';
import type { AuditImage } from '../src/audit/index.js';
import { FaceRenderer, loadModel, prepareRender } from '../src/render/index.js';
import { builtinColourNames, colourFromGenerator, colourSettingsFromSpec, colourVariant } from './colour-variant.js';
import { countArg } from './bench-args.js';
import { arg, overridesFromArgs, realismParams } from './realism-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2] ?? 'baseline';
const ids = countArg('ids', 12);
const imgs = countArg('imgs', 13);
const params = realismParams('builtin', 160, ids, imgs, overridesFromArgs(arg));
const settings = arg('settings');
const loaded = settings === undefined ? undefined : colourFromGenerator(await loadModel(params.model), colourSettingsFromSpec(settings));
const model =
  arg('boost') !== undefined || arg('shift') !== undefined ? colourVariant(loaded ?? (await loadModel(params.model)), builtinColourNames(), arg('boost'), arg('shift')) : loaded;
const renderer = new FaceRenderer(await prepareRender(params, model));
const images: AuditImage[] = [];
for (let id = 0; id < ids; id++) {
  for (let s = 0; s < imgs; s++) {
    const r = renderer.render(id, s);
    images.push({ rgb: r.rgb, size: 160, id, yaw: r.label.yaw, pitch: r.label.pitch, landmarks: r.label.landmarks });
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
  detPitch: a.detectionByPitch ? Object.fromEntries(Object.entries(a.detectionByPitch).map(([k, v]) => [k, Number.isNaN(v.rate) ? null : Math.round(v.rate * 100)])) : null,
  lm: a.landmarkError ? Number(a.landmarkError.mean.toFixed(3)) : null,
  aucNF: Number(a.nearFrontal.auc.toFixed(3)),
  aucAll: Number(a.all.auc.toFixed(3)),
  impNF: Math.round(a.nearFrontal.impostorUnderThreshold * 100),
  genNF: Math.round(a.nearFrontal.genuineUnderThreshold * 100),
  impAll: Math.round(a.all.impostorUnderThreshold * 100),
  genAll: Math.round(a.all.genuineUnderThreshold * 100),
  pairsNF: [a.nearFrontal.genuinePairs, a.nearFrontal.impostorPairs],
  nnSame: Math.round(a.nearestIsSameIdentity * 100),
  seconds: Math.round((performance.now() - t0) / 1000),
};
appendFileSync(path.join(here, 'ablations-realism.jsonl'), `${JSON.stringify(row)}\n`);
process.stdout.write(`${JSON.stringify(row)}\n`);
