// `npx tsx bench/realism-profile.ts NAME [--ids 40] [--imgs 13] [overrides] [--plain-skin]
// [--settings NAME=V,…] [--sheet FILE.png]`: face-api's detection rate on the realism benchmark's profile images only:
// the benchmark's set (bench/realism-setup.ts; pitch 0 unless --pitch says otherwise, since the
// question is the 45-90° bucket of the `pitch 0` column) rendered in full, and only the images at
// |yaw| >= 45° detected, with SSD MobileNet v1 at min score 0.5 on the benchmark's 3x grey canvas.
// Without overrides these are the very images of that bucket (yaw is the pose stream's first
// draw, so overrides of pitch, scale or anything else keep every image's yaw). Detection only (no
// landmarks or descriptors): the detector's answer is the same either way, and this is 2-3 times
// faster. Appends one JSON line (name starting `profile`) to bench/ablations-realism.jsonl with
// the rate in 15° sub-buckets, by where the light falls, and the detector's score of the best
// box; `--settings` swaps in the colour model scripts/ict/colour.ts builds with those of its
// ColourSettings changed (e.g. `scalpCover=0,scalpSd=0`, `sclera=0.6/0.5/0.45`); `--sheet` writes the first 24 missed and 24 found images (missed on top) for looking at.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFaces } from '../src/faceapi/index.js';
import { encodePng, FaceRenderer, loadModel, prepareRender, tile } from '../src/render/index.js';
import type { MorphableModel } from '../src/render/index.js';
import { builtinColourNames, colourFromGenerator, colourSettingsFromSpec, colourVariant } from './colour-variant.js';
import { countArg } from './bench-args.js';
import { arg, normalDist, overridesFromArgs, realismParams } from './realism-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2] ?? 'baseline';
const ids = countArg('ids', 40);
const imgs = countArg('imgs', 13);
const o = overridesFromArgs(arg);
const params = realismParams('builtin', 160, ids, imgs, { pitch: normalDist(0), ...o });
const settings = arg('settings');
const loaded = settings === undefined ? await loadModel(params.model) : colourFromGenerator(await loadModel(params.model), colourSettingsFromSpec(settings));
const variant = arg('boost') !== undefined || arg('shift') !== undefined ? colourVariant(loaded, builtinColourNames(), arg('boost'), arg('shift')) : loaded;
const model = process.argv.includes('--plain-skin') ? plainSkin(variant) : variant;

/**
 * `--plain-skin`: the colour model's mean replaced by its colour at the nose tip on every vertex
 * (no hair cap, brows, lips, eye colours or regional tints: a bald head of one skin colour, as in
 * the ICT prototype); the components (e.g. the skin tones of `--color 3`) still add their
 * fields on top.
 */
function plainSkin(m: MorphableModel): MorphableModel {
  const tip = m.landmarks.find((l) => l.name === 'center.nose.tip');
  if (!tip) throw new Error('--plain-skin: the model has no center.nose.tip landmark');
  const c = m.color.mean;
  const rgb = [c[3 * tip.vertex]!, c[3 * tip.vertex + 1]!, c[3 * tip.vertex + 2]!];
  return { ...m, color: { ...m.color, mean: Float32Array.from(c, (_, i) => rgb[i % 3]!) } };
}
const renderer = new FaceRenderer(await prepareRender(params, model));

const SUB = [
  { name: '45-60', lo: 45, hi: 60 },
  { name: '60-75', lo: 60, hi: 75 },
  { name: '75-90', lo: 75, hi: 90.001 },
];
const count = Object.fromEntries(SUB.map((b) => [b.name, { images: 0, detected: 0 }]));
// Where the key light falls, from the image's shading coefficients: its x direction (band 1, red:
// the prior's tints are a few percent) times the side the face turns to (yaw > 0: the nose to
// the image right). "face side": the side of the head the face turns to is lit; "back side": the
// light comes from behind the face's direction, so the profile is in shade (a frontal light
// lights both halves). Only meaningful for the prior's one directional light.
const LIGHT = ['face side', 'frontal', 'back side'] as const;
// Counted for 45-75° and 75-90° apart: the yaw alone moves the rate a lot within the bucket.
const LIGHT_YAWS = ['45-75', '75-90'] as const;
const byLight = Object.fromEntries(LIGHT_YAWS.flatMap((y) => LIGHT.map((l) => [`${y} ${l}`, { images: 0, detected: 0 }])));
const lightOf = (sh: readonly number[], yaw: number) => {
  const side = (sh[9]! / Math.max(1e-9, Math.hypot(sh[3]!, sh[6]!, sh[9]!))) * Math.sign(yaw);
  return side > 0.3 ? 'face side' : side < -0.3 ? 'back side' : 'frontal';
};
const scores: number[] = [];
const found: Uint8Array[] = [];
const missed: Uint8Array[] = [];
const perImage: string[] = [];
const t0 = performance.now();
for (let id = 0; id < ids; id++) {
  for (let s = 0; s < imgs; s++) {
    const r = renderer.render(id, s);
    const a = Math.abs(r.label.yaw);
    const b = SUB.find((x) => a >= x.lo && a < x.hi);
    if (!b) continue;
    const faces = await detectFaces({ data: r.rgb, width: 160, height: 160 }, { pad: 3, landmarks: false });
    const hit = faces.length > 0;
    count[b.name]!.images++;
    if (hit) count[b.name]!.detected++;
    const light = byLight[`${a < 75 ? '45-75' : '75-90'} ${lightOf(r.label.extra!.sh as number[], r.label.yaw)}`]!;
    light.images++;
    if (hit) light.detected++;
    scores.push(hit ? faces[0]!.score : 0);
    (hit ? found : missed).push(r.rgb);
    perImage.push(hit ? '1' : '0');
  }
}
const total = Object.values(count).reduce((acc, c) => ({ images: acc.images + c.images, detected: acc.detected + c.detected }), { images: 0, detected: 0 });
const pct = (c: { images: number; detected: number }) => (c.images ? Math.round((c.detected / c.images) * 100) : null);
const row = {
  name: `profile ${name}`,
  argv: process.argv.slice(3).join(' '),
  ids,
  imgs,
  det4590: pct(total),
  detected: `${total.detected}/${total.images}`,
  detSub: Object.fromEntries(SUB.map((b) => [b.name, `${pct(count[b.name]!)}% (${count[b.name]!.detected}/${count[b.name]!.images})`])),
  detLight: Object.fromEntries(Object.entries(byLight).map(([k, c]) => [k, `${pct(c)}% (${c.detected}/${c.images})`])),
  // The best box's score of the found faces (the detector keeps boxes at >= 0.5).
  medianScoreFound: (() => {
    const f = scores.filter((x) => x > 0).sort((p, q) => p - q);
    return f.length ? Number(f[Math.floor(f.length / 2)]!.toFixed(3)) : null;
  })(),
  // Found (1) or missed (0), image by image in render order, to compare two rows image by image.
  perImage: perImage.join(''),
  seconds: Math.round((performance.now() - t0) / 1000),
};
appendFileSync(path.join(here, 'ablations-realism.jsonl'), `${JSON.stringify(row)}\n`);
const { perImage: _, ...shown } = row;
process.stdout.write(`${JSON.stringify(shown)}\n`);

const sheetFile = arg('sheet');
if (sheetFile) {
  const cols = 8;
  const blank = new Uint8Array(160 * 160 * 3).fill(128);
  const pick = (list: Uint8Array[]) => Array.from({ length: 24 }, (_, k) => list[k] ?? blank);
  const sheet = tile([...pick(missed), ...pick(found)], 160, 6, cols);
  writeFileSync(sheetFile, encodePng(sheet.rgb, sheet.width, sheet.height));
}
