// `npx tsx bench/realism-specular-sheet.ts OUT.png`: the same six identities of `model builtin` with
// `specular ~` 0, 0.12, 0.25 and 0.4 (rows), yaw 20°, pitch 0, expression 0, scale 1, each image's
// prior illumination (the same light in every row), plain background, 160 px: the highlight's
// look at the strengths docs/realism.md measures.
import { writeFileSync } from 'node:fs';
import { encodePng, FaceRenderer, loadModel, prepareRender, tile } from '../src/render/index.js';
import { sheetParams } from './realism-setup.js';

const S = 160;
const IDS = [0, 1, 2, 3, 4, 5];
const STRENGTHS = [0, 0.12, 0.25, 0.4];
const model = await loadModel({ kind: 'builtin' });
const images: Uint8Array[] = [];
for (const strength of STRENGTHS) {
  const p = sheetParams(IDS.length, S, 20, strength > 0 ? { specular: { type: 'const', value: strength } } : {});
  const r = new FaceRenderer(await prepareRender(p, model));
  for (const id of IDS) images.push(r.render(id, 0).rgb);
}
const sheet = tile(images, S, STRENGTHS.length, IDS.length);
writeFileSync(process.argv[2] ?? 'realism-specular.png', encodePng(sheet.rgb, sheet.width, sheet.height));
