// `npx tsx bench/realism-probe.ts VARIANT [--ids 20] [--imgs 8] [overrides] [--sheet FILE.png]`:
// would what the built-in model lacks move face-api's distances between different people? The
// realism benchmark's setup (bench/realism-setup.ts) but near-frontal only, yaw U(-30, 30) and
// pitch 0 (the harder target is measured on near-frontal pairs, and the painters draw for
// faces seen from the front), with 2D additions painted onto every render (bench/realism-paint.ts)
// or the renderer's highlight:
//   none          the renders as they are
//   hair          hair with volume on every identity, long on half of them
//   glasses       glasses on a third of the identities
//   hair+glasses  both
//   catchlights   a catchlight in each eye (identity-neutral realism)
//   camera        blur and sensor noise (identity-neutral realism)
//   specular      the renderer's own highlight, `specular ~ 0.12` (shape shown by a sheen)
//   all           hair, glasses and specular together
// `overrides` are realism-ablate.ts's (`--shape-sd 1.5`, `--color-sd 0`, …). Appends one JSON line
// (name `probe VARIANT`) to bench/ablations-realism.jsonl with the benchmark's measures and where
// the set sits in face-api's descriptor space against the real faces of face-api's demo photos:
// the variance of the identities' mean descriptors about their centroid (between-identity), of
// each image about its identity's mean (within), of the real faces about theirs (each a different
// person in a different photo, so between-person and photo variance together), and the distance
// between the two centroids. Used in docs/realism.md ("Probes beyond the model's axes").
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditImages } from '../src/audit/index.js';
import type { AuditImage } from '../src/audit/index.js';
import { descriptorDistance, detectFaces, faceApiModelDir } from '../src/faceapi/index.js';
import { decodeImage } from '../src/image/index.js';
import { encodePng, FaceRenderer, loadModel, prepareRender, tile } from '../src/render/index.js';
import { hash01, ibugPoints, paintCamera, paintCatchlights, paintGlasses, paintHair } from './realism-paint.js';
import { countArg } from './bench-args.js';
import { arg, normalDist, overridesFromArgs, realismParams } from './realism-setup.js';

const VARIANTS = ['none', 'hair', 'glasses', 'hair+glasses', 'catchlights', 'camera', 'specular', 'all'] as const;
type Variant = (typeof VARIANTS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));
const variant = process.argv[2] as Variant;
if (!VARIANTS.includes(variant)) {
  process.stderr.write(`realism-probe: the first argument is the variant, one of ${VARIANTS.join(', ')}\n`);
  process.exit(2);
}
const ids = countArg('ids', 20);
const imgs = countArg('imgs', 8);
const SIZE = 160;
const withSpecular = variant === 'specular' || variant === 'all';
const params = realismParams('builtin', SIZE, ids, imgs, {
  pitch: normalDist(0),
  ...(withSpecular ? { specular: { type: 'const', value: 0.12 } } : {}),
  ...overridesFromArgs(arg),
  yaw: { type: 'uniform', lo: -30, hi: 30 },
});
const renderer = new FaceRenderer(await prepareRender(params, await loadModel(params.model)));

/** Half the identities get long hair, a third glasses (hashes of the id, the same in every run). */
const longHair = (id: number) => hash01(id, 11) < 0.5;
const wearsGlasses = (id: number) => hash01(id, 12) < 1 / 3;

const images: AuditImage[] = [];
for (let id = 0; id < ids; id++) {
  for (let s = 0; s < imgs; s++) {
    const { image, extras } = renderer.renderWithExtras(id, s);
    const canvas = { rgb: new Uint8Array(image.rgb), size: SIZE };
    const L = ibugPoints(image.label.landmarks);
    if (variant === 'hair' || variant === 'hair+glasses' || variant === 'all') paintHair(canvas, extras.frame.coverage, L, id, longHair(id));
    if ((variant === 'glasses' || variant === 'hair+glasses' || variant === 'all') && wearsGlasses(id)) paintGlasses(canvas, L, id);
    if (variant === 'catchlights') {
      const pupils = image.label.landmarks.filter((l) => l.name === 'right.eye.pupil.center' || l.name === 'left.eye.pupil.center');
      paintCatchlights(canvas, pupils, L);
    }
    if (variant === 'camera') paintCamera(canvas, id * imgs + s);
    images.push({ rgb: canvas.rgb, size: SIZE, id, yaw: image.label.yaw, pitch: image.label.pitch, landmarks: image.label.landmarks });
  }
}

const sheetFile = arg('sheet');
if (sheetFile) {
  // The first image of the first 12 identities.
  const sheet = tile(images.filter((_, k) => k % imgs === 0).slice(0, 12).map((i) => i.rgb), SIZE, 2, 6);
  writeFileSync(sheetFile, encodePng(sheet.rgb, sheet.width, sheet.height));
}

// The real faces of face-api's demo photos (every one a different person), as bench/realism.ts finds them.
const real: Float32Array[] = [];
for (let i = 1; i <= 6; i++) {
  const img = decodeImage(readFileSync(path.join(path.dirname(faceApiModelDir()), 'demo', `sample${i}.jpg`)));
  for (const f of await detectFaces(img, { pad: 1 })) real.push(f.descriptor!);
}

const t0 = performance.now();
const byId = new Map<number, Float32Array[]>();
const a = await auditImages(images, { described: (k, d) => byId.set(images[k]!.id, [...(byId.get(images[k]!.id) ?? []), d]) });

const centroid = (ds: readonly Float32Array[]) => {
  const c = new Float32Array(ds[0]!.length);
  for (const d of ds) for (let i = 0; i < c.length; i++) c[i]! += d[i]! / ds.length;
  return c;
};
/** Mean squared distance of `ds` to `c`: the total variance about c. */
const variance = (ds: readonly Float32Array[], c: Float32Array) => ds.reduce((s, d) => s + descriptorDistance(d, c) ** 2, 0) / ds.length;
const groups = [...byId.values()].filter((ds) => ds.length > 1);
if (groups.length < 2) {
  process.stderr.write('realism-probe: fewer than two identities with two detected faces: nothing to compare (more --ids or --imgs)\n');
  process.exit(1);
}
const means = groups.map(centroid);
const rendered = centroid(means);
const realCentre = centroid(real);
const within = groups.reduce((s, ds, j) => s + variance(ds, means[j]!), 0) / groups.length;

const round = (v: number, d = 3) => Number(v.toFixed(d));
const row = {
  name: `probe ${variant}`,
  argv: process.argv.slice(3).join(' '),
  ids,
  imgs,
  det: Object.fromEntries(Object.entries(a.detection).map(([k, v]) => [k, Number.isNaN(v.rate) ? null : Math.round(v.rate * 100)])),
  lm: a.landmarkError ? round(a.landmarkError.mean) : null,
  aucNF: round(a.nearFrontal.auc),
  impNF: Math.round(a.nearFrontal.impostorUnderThreshold * 100),
  genNF: Math.round(a.nearFrontal.genuineUnderThreshold * 100),
  pairsNF: [a.nearFrontal.genuinePairs, a.nearFrontal.impostorPairs],
  nnSame: Math.round(a.nearestIsSameIdentity * 100),
  between: round(variance(means, rendered)),
  within: round(within),
  realFaces: real.length,
  realVariance: round(variance(real, realCentre)),
  centroidGap: round(descriptorDistance(rendered, realCentre)),
  seconds: Math.round((performance.now() - t0) / 1000),
};
appendFileSync(path.join(here, 'ablations-realism.jsonl'), `${JSON.stringify(row)}\n`);
process.stdout.write(`${JSON.stringify(row)}\n`);
