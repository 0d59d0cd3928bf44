// `npx tsx bench/realism-curve-sheet.ts OUT.png`: the same six identities of `model builtin` under
// each step of "the curve" in docs/realism.md (rows), frontal (yaw 0, pitch 0), expression 0,
// scale 1, prior illumination, plain background, 112 px: what the wider spreads and the altered
// colour models look like.
import { writeFileSync } from 'node:fs';
import type { Dist, RenderParams } from '../src/plan/index.js';
import { encodePng, FaceRenderer, loadModel, prepareRender, tile } from '../src/render/index.js';
import { builtinColourNames, colourVariant } from './colour-variant.js';
import { sheetParams } from './realism-setup.js';

const S = 112;
const IDS = [0, 1, 2, 3, 4, 5];
const steps: { shapeSd?: number; colorSd?: number; boost?: string; shift?: string }[] = [
  {},
  { shapeSd: 2 },
  { colorSd: 2 },
  { boost: 'skin texture=3' },
  { boost: 'hair colour=2' },
  { shift: 'scalp hair cover=1', boost: 'scalp hair cover=1.5,hair length=2,hairline=2' },
  { boost: 'brow=2' },
  { shapeSd: 2, colorSd: 1.5, boost: 'skin texture=3,hair colour=2,brow=2' },
];
const normal = (sd: number): Dist => ({ type: 'normal', mean: 0, sd });
const base = await loadModel({ kind: 'builtin' } as RenderParams['model']);
const names = builtinColourNames();
const images: Uint8Array[] = [];
for (const st of steps) {
  const p = sheetParams(IDS.length, S, 0, {
    coeffs: { ...(st.shapeSd ? { shape: normal(st.shapeSd) } : {}), ...(st.colorSd ? { color: normal(st.colorSd) } : {}) },
  });
  const r = new FaceRenderer(await prepareRender(p, colourVariant(base, names, st.boost, st.shift), 1));
  for (const id of IDS) images.push(r.render(id, 0).rgb);
}
const sheet = tile(images, S, steps.length, IDS.length);
writeFileSync(process.argv[2] ?? 'realism-curve.png', encodePng(sheet.rgb, sheet.width, sheet.height));
