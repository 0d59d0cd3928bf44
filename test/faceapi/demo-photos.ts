import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImage, type RgbImage } from '../../src/image/index.js';
import { faceApiModelDir } from '../../src/faceapi/index.js';

/** face-api's six demo photos (real people, group shots). */
export function demoPhoto(i: number): RgbImage {
  const file = path.join(path.dirname(faceApiModelDir()), 'demo', `sample${i}.jpg`);
  return decodeImage(readFileSync(file));
}

/** Faces per demo photo, counted by eye: every person is a different woman, faces all visible. */
export const DEMO_FACE_COUNTS = [3, 3, 3, 4, 5, 4] as const;

/** A copy of the rectangle [x, x+w) x [y, y+h) of `img`, clamped to the image. */
export function cropRgb(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  const out = new Uint8Array((x1 - x0) * (y1 - y0) * 3);
  for (let r = y0; r < y1; r++) out.set(img.data.subarray((r * img.width + x0) * 3, (r * img.width + x1) * 3), (r - y0) * (x1 - x0) * 3);
  return { data: out, width: x1 - x0, height: y1 - y0 };
}
