import type { ImageMaps } from '../dataset/index.js';
import type { RenderMap } from '../plan/index.js';
import type { RasterTarget } from './raster-wasm.js';

/**
 * Depth and normal maps of a drawn frame. Depth comes straight from the z-buffer; normals take a
 * second pass of the rasteriser over the same projected vertices, with the rotated normals in
 * place of the colours (its perspective-correct interpolation is just what normals need), then
 * normalised per pixel. Encodings are documented on `ShardMap` (dataset/shard.ts).
 */

/** Depth along the optical axis (mm) per pixel from the frame's 1/depth; 0 where nothing was drawn. */
export function depthMap(target: RasterTarget): Float32Array {
  const { invDepth, coverage } = target.frame;
  const out = new Float32Array(invDepth.length);
  for (let p = 0; p < out.length; p++) out[p] = coverage[p] === 1 ? 1 / invDepth[p]! : 0;
  return out;
}

/** A unit normal component in [-1, 1] as a byte, the way standard normal maps store it. */
export function encodeNormalComponent(v: number): number {
  const q = Math.round(((v + 1) / 2) * 255);
  return q < 0 ? 0 : q > 255 ? 255 : q;
}

/** The inverse of encodeNormalComponent (to within 1/255). */
export function decodeNormalComponent(b: number): number {
  return (b / 255) * 2 - 1;
}

/**
 * Camera-space normals per pixel, encoded as RGB bytes; (0, 0, 0) where nothing was drawn.
 * `normals` are the model-space vertex normals, `R` the row-major pose rotation. Redraws the
 * target: its colour is restored afterwards, so the frame still holds the shaded face.
 */
export function normalMap(target: RasterTarget, normals: Float32Array, R: Float64Array): Uint8Array {
  const { rw, gw, bw, iw } = target.screen;
  const n = iw.length;
  // The colours the vertex stage wrote are recomputed for every image; the shaded frame is not.
  const shaded = target.frame.color.slice();
  const r0 = R[0]!, r1 = R[1]!, r2 = R[2]!, r3 = R[3]!, r4 = R[4]!, r5 = R[5]!, r6 = R[6]!, r7 = R[7]!, r8 = R[8]!;
  for (let i = 0; i < n; i++) {
    const w = iw[i]!;
    if (w <= 0) continue;
    const ax = normals[3 * i]!;
    const ay = normals[3 * i + 1]!;
    const az = normals[3 * i + 2]!;
    rw[i] = (r0 * ax + r1 * ay + r2 * az) * w;
    gw[i] = (r3 * ax + r4 * ay + r5 * az) * w;
    bw[i] = (r6 * ax + r7 * ay + r8 * az) * w;
  }
  target.draw();
  const { color, coverage } = target.frame;
  const out = new Uint8Array(coverage.length * 3);
  for (let p = 0; p < coverage.length; p++) {
    if (coverage[p] !== 1) continue;
    const x = color[3 * p]!;
    const y = color[3 * p + 1]!;
    const z = color[3 * p + 2]!;
    const len = Math.hypot(x, y, z);
    if (len === 0) continue;
    out[3 * p] = encodeNormalComponent(x / len);
    out[3 * p + 1] = encodeNormalComponent(y / len);
    out[3 * p + 2] = encodeNormalComponent(z / len);
  }
  color.set(shaded);
  return out;
}

/**
 * The maps asked for, from a target just drawn with the image's geometry. Depth is read before
 * the normal pass (which redraws the same geometry, so coverage and depth come out equal anyway).
 */
export function renderMaps(target: RasterTarget, normals: Float32Array, R: Float64Array, which: readonly RenderMap[]): ImageMaps {
  const depth = which.includes('depth') ? depthMap(target) : undefined;
  const normal = which.includes('normal') ? normalMap(target, normals, R) : undefined;
  return { ...(depth ? { depth } : {}), ...(normal ? { normal } : {}) };
}
