// `npx tsx bench/realism-tone.ts NAME [--ids 45] [--imgs 6] [--shift NAME=D,…] [--boost NAME=F,…]
// [--settings NAME=V,…] [--exposure F] [--supersample K] [overrides]`: how far apart face-api puts different synthetic people of about the same
// skin tone. Renders the built-in model near-frontal (yaw U(-30, 30), pitch 0, the realism
// benchmark's settings otherwise: bench/realism-setup.ts), splits the identities into thirds by
// their skin-tone (melanin) draw, and reports the share of impostor pairs (different identities,
// every pair of detected images) under face-api's same-person distance 0.6 within and between the
// thirds. The thirds come from the shipped model's draws, so a colour variant (`--shift`,
// `--boost` as in bench/realism-ablate.ts; `--settings` builds the colour model with other
// scripts/ict/colour.ts settings, e.g. `skinBlood=0.015/0.08`) keeps the same people in each third;
// `--exposure F` scales the pixels before face-api sees them; `--supersample K` renders at K × 160 px
// and averages each K × K block (anti-aliasing, as a probe: synx renders one sample per pixel); `overrides` are realism-ablate.ts's
// (`--specular 0.25`, `--shape-sd 1.5`, …). Appends one JSON line (name
// `tone NAME`) to bench/ablations-realism.jsonl. Used in docs/realism.md ("Skin tone and
// face-api's distances").
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditImages, type AuditImage } from '../src/audit/index.js';
import { descriptorDistance, SAME_PERSON_DISTANCE } from '../src/faceapi/index.js';
import { boxShrink } from '../src/image/index.js';
import { FaceRenderer, loadModel, prepareRender, skinToneOf } from '../src/render/index.js';
import { builtinColourNames, colourFromGenerator, colourSettingsFromSpec, colourVariant } from './colour-variant.js';
import { countArg, numberArg } from './bench-args.js';
import { arg, normalDist, overridesFromArgs, realismParams } from './realism-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
if (!name || name.startsWith('--')) {
  process.stderr.write('realism-tone: the first argument names the row (e.g. `shipped`)\n');
  process.exit(2);
}
const ids = countArg('ids', 45);
const imgs = countArg('imgs', 6);
const supersample = countArg('supersample', 1);
const SIZE = 160;
const params = realismParams('builtin', SIZE * supersample, ids, imgs, { pitch: normalDist(0), ...overridesFromArgs(arg), yaw: { type: 'uniform', lo: -30, hi: 30 } });
const shipped = await loadModel(params.model);
const settings = arg('settings');
const variant = colourVariant(settings ? colourFromGenerator(shipped, colourSettingsFromSpec(settings)) : shipped, builtinColourNames(), arg('boost'), arg('shift'));
const renderer = new FaceRenderer(await prepareRender(params, variant));
// `--exposure F` scales every pixel (background too) before face-api sees it: a probe of brightness alone.
const exposure = numberArg('exposure', 1);

// Thirds by the shipped model's melanin draw (the same unit draw in every variant).
const shippedSetup = await prepareRender(params, shipped);
const tone = Array.from({ length: ids }, (_, id) => skinToneOf(shippedSetup, id)!);
const ranked = tone.map((_, id) => id).sort((a, b) => tone[a]! - tone[b]! || a - b);
const THIRDS = ['light', 'mid', 'dark'] as const;
const thirdOf = new Map(ranked.map((id, k) => [id, THIRDS[Math.floor((3 * k) / ids)]!]));

const images: AuditImage[] = [];
for (let id = 0; id < ids; id++) {
  for (let s = 0; s < imgs; s++) {
    const r = renderer.render(id, s);
    const pixels = supersample === 1 ? r.rgb : boxShrink(r.rgb, SIZE * supersample, 0, 0, SIZE, SIZE, supersample);
    const rgb = exposure === 1 ? pixels : Uint8Array.from(pixels, (v) => Math.min(255, Math.round(v * exposure)));
    const landmarks = r.label.landmarks.map((l) => ({ ...l, x: l.x / supersample, y: l.y / supersample }));
    images.push({ rgb, size: SIZE, id, yaw: r.label.yaw, pitch: r.label.pitch, landmarks });
  }
}

const described: { id: number; descriptor: Float32Array }[] = [];
await auditImages(images, { described: (k, descriptor) => described.push({ id: images[k]!.id, descriptor }) });

// Impostor pairs under the threshold: all, and per pair of thirds (light-light, light-mid, …).
const counts = new Map<string, [number, number]>();
const count = (key: string, under: boolean) => {
  const c = counts.get(key) ?? [0, 0];
  c[0] += under ? 1 : 0;
  c[1] += 1;
  counts.set(key, c);
};
for (let i = 0; i < described.length; i++) {
  for (let j = i + 1; j < described.length; j++) {
    const a = described[i]!;
    const b = described[j]!;
    if (a.id === b.id) continue;
    const under = descriptorDistance(a.descriptor, b.descriptor) < SAME_PERSON_DISTANCE;
    const [x, y] = [THIRDS.indexOf(thirdOf.get(a.id)!), THIRDS.indexOf(thirdOf.get(b.id)!)].sort();
    count('all', under);
    count(`${THIRDS[x!]}-${THIRDS[y!]}`, under);
  }
}
const share = (key: string) => {
  const [u, n] = counts.get(key) ?? [0, 0];
  return n ? Number(((100 * u) / n).toFixed(1)) : null;
};
const row = {
  name: `tone ${name}`,
  argv: process.argv.slice(3).join(' '),
  ids,
  imgs,
  described: described.length,
  impostorsUnder: Object.fromEntries(['all', 'light-light', 'mid-mid', 'dark-dark', 'light-mid', 'light-dark', 'mid-dark'].map((k) => [k, share(k)])),
  pairs: counts.get('all')?.[1] ?? 0,
};
appendFileSync(path.join(here, 'ablations-realism.jsonl'), `${JSON.stringify(row)}\n`);
process.stdout.write(`${JSON.stringify(row)}\n`);
