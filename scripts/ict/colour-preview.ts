/**
 * Preview of the ICT colour model on the neutral mesh: a grid of identities (rows) in three views
 * (frontal, 40° and 80° yaw), shaded like the renderer (albedo × (ambient + Lambert light) per
 * vertex, no cast shadows, interpolated over triangles), written as a PNG.
 *
 *   npx tsx scripts/ict/colour-preview.ts [out.png] [ict-facekit folder] [rows] [seed]
 *
 * Identities draw their coefficients from N(0, 1), except the first rows, which walk the skin-tone
 * axis from -2 to +2 sd so the range of tones shows at a glance.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { buildIctColourModel, type IctColourModel } from './colour.js';
import { mulberry32Rng } from '../../src/rng/index.js';
import { vertexNormals } from './colour-geometry.js';
import { parseObj, triangulate } from './obj.js';

const LAST_RENDERED = 24590; // face, head, sockets, mouth, teeth and eyeballs; no lashes or eye layers

function render(pos: Float32Array, tris: Uint32Array, albedo: Float32Array, yawDeg: number, size: number, img: Uint8Array, stride: number, ox: number, oy: number): void {
  const yaw = (yawDeg * Math.PI) / 180;
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  const n = pos.length / 3;
  const sx = new Float32Array(n);
  const sy = new Float32Array(n);
  const sz = new Float32Array(n);
  const scale = size / 30;
  for (let v = 0; v < n; v++) {
    const x = pos[3 * v]!;
    const y = pos[3 * v + 1]!;
    const z = pos[3 * v + 2]!;
    sx[v] = size / 2 + scale * (c * x + s * z);
    sy[v] = size / 2 - scale * (y + 1.5);
    sz[v] = -s * x + c * z;
  }
  const depth = new Float32Array(size * size).fill(-Infinity);
  const light = [-0.3, 0.45, 0.84];
  const ll = Math.hypot(...light);
  const normals = vertexNormals(pos, tris);
  const shade = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const nx = normals[3 * v]!;
    const ny = normals[3 * v + 1]!;
    const nz = normals[3 * v + 2]!;
    const rx = c * nx + s * nz;
    const rz = -s * nx + c * nz;
    shade[v] = 0.45 + 0.6 * Math.max(0, (rx * light[0]! + ny * light[1]! + rz * light[2]!) / ll);
  }
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]!;
    const b = tris[t + 1]!;
    const d = tris[t + 2]!;
    if (a > LAST_RENDERED || b > LAST_RENDERED || d > LAST_RENDERED) continue;
    // Back faces are hidden by the depth test; shading is per vertex, interpolated (as the
    // renderer's Gouraud shading).
    const minX = Math.max(0, Math.floor(Math.min(sx[a]!, sx[b]!, sx[d]!)));
    const maxX = Math.min(size - 1, Math.ceil(Math.max(sx[a]!, sx[b]!, sx[d]!)));
    const minY = Math.max(0, Math.floor(Math.min(sy[a]!, sy[b]!, sy[d]!)));
    const maxY = Math.min(size - 1, Math.ceil(Math.max(sy[a]!, sy[b]!, sy[d]!)));
    const area = (sx[b]! - sx[a]!) * (sy[d]! - sy[a]!) - (sx[d]! - sx[a]!) * (sy[b]! - sy[a]!);
    if (area === 0) continue;
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        const qx = px + 0.5;
        const qy = py + 0.5;
        const w0 = ((sx[b]! - qx) * (sy[d]! - qy) - (sx[d]! - qx) * (sy[b]! - qy)) / area;
        const w1 = ((sx[d]! - qx) * (sy[a]! - qy) - (sx[a]! - qx) * (sy[d]! - qy)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const zz = w0 * sz[a]! + w1 * sz[b]! + w2 * sz[d]!;
        const p = py * size + px;
        if (zz <= depth[p]!) continue;
        depth[p] = zz;
        const o = 4 * ((oy + py) * stride + ox + px);
        for (let k = 0; k < 3; k++) {
          const lit = (u: number) => Math.min(1, Math.max(0, albedo[3 * u + k]!)) * shade[u]!;
          const col = w0 * lit(a) + w1 * lit(b) + w2 * lit(d);
          img[o + k] = Math.round(255 * Math.min(1, Math.max(0, col)));
        }
        img[o + 3] = 255;
      }
    }
  }
}

/** The albedo of one identity: mean + Σ field · coefficient (image components at 0). */
export function albedoOf(model: IctColourModel, coeffs: readonly number[]): Float32Array {
  const out = Float32Array.from(model.mean);
  model.components.forEach((c, j) => {
    const w = coeffs[j] ?? 0;
    if (w !== 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! + w * c.field[i]!;
  });
  return out;
}

function main(): void {
  const out = process.argv[2] ?? 'colour-preview.png';
  const dir = process.argv[3] ?? path.join('..', 'shared', 'reference', 'ict-facekit');
  const rows = Number(process.argv[4] ?? 6);
  const seed = Number(process.argv[5] ?? 1);
  const obj = parseObj(readFileSync(path.join(dir, 'FaceXModel', 'generic_neutral_mesh.obj'), 'utf8'), 'generic_neutral_mesh.obj');
  const vertexIndices = JSON.parse(readFileSync(path.join(dir, 'FaceXModel', 'vertex_indices.json'), 'utf8')) as unknown;
  const triangles = triangulate(obj.faces);
  const t0 = Date.now();
  const model = buildIctColourModel({ neutral: obj.vertices, triangles, vertexIndices });
  console.log(`model built in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${model.components.length} components`);
  const size = Number(process.env.PREVIEW_SIZE ?? 150);
  const views = [0, 40, 80];
  const png = new PNG({ width: size * views.length * 2, height: size * Math.ceil(rows / 2) });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  for (let p = 0; p < png.width * png.height; p++) png.data.fill(90, 4 * p, 4 * p + 3);
  const rng = mulberry32Rng(seed);
  const walkName = process.argv[6];
  const walk = walkName === undefined ? undefined : model.components.findIndex((c) => c.name.startsWith(walkName));
  const identity = model.components.filter((c) => c.per === 'identity').length;
  for (let r = 0; r < rows; r++) {
    // As the renderer draws them: a rectified component (the beard) is max(0, draw).
    const coeffs = model.components.map((c, j) => (j < identity ? (c.prior === 'rectified' ? Math.max(0, rng.normal()) : rng.normal()) : 0));
    if (walk !== undefined) {
      // A walk along one component: the others at 0, this one from -2 to +2 sd.
      coeffs.fill(0);
      coeffs[walk] = -2 + (4 * r) / Math.max(1, rows - 1);
    } else if (seed === 1) coeffs[0] = -2 + (4 * r) / Math.max(1, rows - 1);
    const albedo = albedoOf(model, coeffs);
    views.forEach((yaw, k) => render(obj.vertices, triangles, albedo, yaw, size, png.data, png.width, (r % 2) * size * views.length + k * size, Math.floor(r / 2) * size));
  }
  writeFileSync(out, PNG.sync.write(png));
  console.log(`wrote ${out}`);
}

if (process.argv[1]?.endsWith('colour-preview.ts')) main();
