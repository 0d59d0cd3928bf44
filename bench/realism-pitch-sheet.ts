// `npx tsx bench/realism-pitch-sheet.ts OUT.png`: one identity of `model builtin` at five pitches and two
// yaws (scale 1, expression 0, plain background, 160 px), the contact sheet in docs/realism.md.
import { writeFileSync } from 'node:fs';
import { RENDER_DEFAULTS } from '../src/lang/index.js';
import type { RenderParams } from '../src/plan/index.js';
import { FaceRenderer, prepareRender, encodePng } from '../src/render/index.js';
const S = 160, pitches = [-50, -30, 0, 30, 50], yaws = [0, 40];
const sheet = new Uint8Array(S * pitches.length * S * yaws.length * 3);
for (let yi = 0; yi < yaws.length; yi++) for (let pi = 0; pi < pitches.length; pi++) {
  const p: RenderParams = { ...RENDER_DEFAULTS, model: { kind: 'builtin' }, firstId: 0, ids: 1, imgsPerId: 1, size: S,
    pose: { ...RENDER_DEFAULTS.pose, yaw: { type: 'const', value: yaws[yi]! }, pitch: { type: 'const', value: pitches[pi]! }, scale: { type: 'const', value: 1 } },
    coeffs: { ...RENDER_DEFAULTS.coeffs, expression: { type: 'const', value: 0 } },
    illumination: { type: 'choice', name: 'prior' }, background: { type: 'choice', name: 'plain' } } as RenderParams;
  const r = new FaceRenderer(await prepareRender(p)).render(3, 0);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++)
    sheet[((yi * S + y) * S * pitches.length + pi * S + x) * 3 + c] = r.rgb[(y * S + x) * 3 + c]!;
}
writeFileSync(process.argv[2] ?? 'realism-pitch.png', encodePng(sheet, S * pitches.length, S * yaws.length));
