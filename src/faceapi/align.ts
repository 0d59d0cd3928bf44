import { applySimilarity, arcfaceTemplate, invertSimilarity, umeyama, type Point, type Similarity } from '../arcface/index.js';
import type { Pixels } from './detect.js';
import { channelsOf } from './detect.js';

/**
 * The five ArcFace points from face-api's 68 landmarks: the means of the two eye rings (36-41 on
 * the image's left, 42-47), the nose tip (30) and the mouth corners (48, 54).
 */
export function fivePointsOf68(lm: readonly Point[]): Point[] {
  if (lm.length !== 68) throw new Error(`expected 68 landmarks, got ${lm.length}`);
  const mean = (from: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i < from + 6; i++) {
      x += lm[i]![0];
      y += lm[i]![1];
    }
    return [x / 6, y / 6];
  };
  return [mean(36), mean(42), lm[30]!, lm[48]!, lm[54]!];
}

/** What to put where the warped crop reads outside the source image. */
export interface WarpOptions {
  /** RGB of the fill (default black, as insightface's cv2.warpAffine). */
  readonly fill?: readonly [number, number, number];
}

/**
 * Warps `img` into a `size` x `size` RGB crop by the similarity `m` (source pixels → crop
 * pixels), sampling bilinearly at pixel centres.
 */
export function warpSimilarity(img: Pixels, m: Similarity, size: number, options: WarpOptions = {}): Uint8Array {
  const ch = channelsOf(img);
  const inv = invertSimilarity(m);
  const fill = options.fill ?? [0, 0, 0];
  const out = new Uint8Array(size * size * 3);
  const { width: W, height: H, data } = img;
  const sample = (x: number, y: number, c: number): number => (x < 0 || y < 0 || x >= W || y >= H ? fill[c]! : data[(y * W + x) * ch + c]!);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      // The crop pixel's centre, back in the source, then to the grid of source pixel centres.
      const [sx, sy] = applySimilarity(inv, [u + 0.5, v + 0.5]);
      const fx = sx - 0.5;
      const fy = sy - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = sample(x0, y0, c) * (1 - wx) + sample(x0 + 1, y0, c) * wx;
        const bottom = sample(x0, y0 + 1, c) * (1 - wx) + sample(x0 + 1, y0 + 1, c) * wx;
        out[o + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

/** The crop of `img` aligned to the ArcFace template from five points (fivePointsOf68/OfLabel). */
export function alignFace(img: Pixels, five: readonly Point[], size = 112, options: WarpOptions = {}): { crop: Uint8Array; transform: Similarity } {
  const transform = umeyama(five, arcfaceTemplate(size));
  return { crop: warpSimilarity(img, transform, size, options), transform };
}
