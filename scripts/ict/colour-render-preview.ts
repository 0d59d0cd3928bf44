/**
 * The colour model through synx's own renderer: the ICT neutral mesh (no identity shape, no
 * expression) with the colour model's identity components as the model's colour block, rendered
 * with the built-in illumination prior, yaw U(-60°, 60°), pitch N(0°, 10°), on a plain background.
 * A check that the albedo reads right in the renderer's colour space and lighting, until the
 * generated default model exists.
 *
 *   npx tsx scripts/ict/colour-render-preview.ts [out.png] [ict-facekit folder] [ids] [seed]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RENDER_DEFAULTS } from '../../src/lang/index.js';
import type { RenderParams } from '../../src/plan/index.js';
import { encodePng, FaceRenderer, orientOutward, prepareRender, type MorphableModel, type PcaBlock } from '../../src/render/index.js';
import { buildIctColourModel, ICT_RANGES } from './colour.js';
import { parseObj, triangulate } from './obj.js';

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'colour-render-preview.png';
  const dir = process.argv[3] ?? path.join('..', 'shared', 'reference', 'ict-facekit');
  const ids = Number(process.argv[4] ?? 8);
  const seed = Number(process.argv[5] ?? 5);
  const obj = parseObj(readFileSync(path.join(dir, 'FaceXModel', 'generic_neutral_mesh.obj'), 'utf8'), 'generic_neutral_mesh.obj');
  const vertexIndices = JSON.parse(readFileSync(path.join(dir, 'FaceXModel', 'vertex_indices.json'), 'utf8')) as { idx_to_landmark_verts: number[] };
  const all = triangulate(obj.faces);
  const colour = buildIctColourModel({ neutral: obj.vertices, triangles: all, vertexIndices });
  // Solid parts only (no eyelashes or the thin eye layers), in millimetres, centred on the face.
  const last = ICT_RANGES.eyeballRight[1];
  const kept: number[] = [];
  for (let t = 0; t < all.length; t += 3) if (all[t]! <= last && all[t + 1]! <= last && all[t + 2]! <= last) kept.push(all[t]!, all[t + 1]!, all[t + 2]!);
  const n = obj.vertices.length / 3;
  const shapeMean = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    shapeMean[3 * i] = 10 * obj.vertices[3 * i]!;
    shapeMean[3 * i + 1] = 10 * (obj.vertices[3 * i + 1]! + 1);
    shapeMean[3 * i + 2] = 10 * (obj.vertices[3 * i + 2]! - 6);
  }
  const identity = colour.components.filter((c) => c.per === 'identity');
  const k = identity.length;
  const basis = new Float32Array(k * 3 * n);
  const variance = new Float32Array(k);
  identity.forEach((c, j) => {
    let s = 0;
    for (const x of c.field) s += x * x;
    variance[j] = s;
    const r = Math.sqrt(s);
    for (let i = 0; i < 3 * n; i++) basis[j * 3 * n + i] = c.field[i]! / r;
  });
  const empty = (m: Float32Array): PcaBlock => ({ mean: m, basis: new Float32Array(0), variance: new Float32Array(0), components: 0 });
  const model: MorphableModel = {
    uri: 'preview:ict-colour',
    vertexCount: n,
    triangles: orientOutward(shapeMean, Uint32Array.from(kept)),
    shape: empty(shapeMean),
    color: { mean: colour.mean, basis, variance, components: k },
    colorPrior: identity.map((c) => c.prior ?? 'normal'),
    expression: empty(new Float32Array(3 * n)),
    landmarks: vertexIndices.idx_to_landmark_verts.map((v, i) => ({ name: `ibug${i + 1}`, vertex: v })),
  };
  const size = 128;
  const per = 3;
  const params: RenderParams = {
    ...RENDER_DEFAULTS,
    model: { kind: 'builtin' },
    seed,
    firstId: 0,
    ids,
    imgsPerId: per,
    size,
    dims: { shape: 0, color: k, expression: 0 },
    pose: { ...RENDER_DEFAULTS.pose, yaw: { type: 'uniform', lo: -60, hi: 60 }, pitch: { type: 'normal', mean: 0, sd: 10 }, scale: { type: 'const', value: 1 } },
    background: { type: 'choice', name: 'plain' },
    center: 'none',
  } as RenderParams;
  const renderer = new FaceRenderer(await prepareRender(params, model, 1));
  const cols = 2 * per;
  const rows = Math.ceil(ids / 2);
  const rgb = new Uint8Array(cols * size * rows * size * 3);
  for (let id = 0; id < ids; id++) {
    for (let s = 0; s < per; s++) {
      const img = renderer.render(id, s).rgb;
      const ox = ((id % 2) * per + s) * size;
      const oy = Math.floor(id / 2) * size;
      for (let y = 0; y < size; y++) rgb.set(img.subarray(3 * y * size, 3 * (y + 1) * size), 3 * ((oy + y) * cols * size + ox));
    }
  }
  writeFileSync(out, encodePng(rgb, cols * size, rows * size));
  console.log(`wrote ${out}`);
}

await main();
