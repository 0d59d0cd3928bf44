import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A decoded RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** How an image is brought to the square network input. */
export type Fit = 'resize' | 'center';

/** The image format a file's first bytes say, or null when neither JPEG nor PNG. */
export function sniffFormat(head: Uint8Array): 'jpeg' | 'png' | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  return null;
}

/**
 * Decodes a JPEG or PNG (by content, not extension) to RGB. Throws an Error saying why for
 * anything else or a corrupt file; callers turn it into a skip or a NodeFailure with the path.
 */
export function decodeImage(bytes: Uint8Array): RgbImage {
  const format = sniffFormat(bytes);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  if (format === 'jpeg') {
    const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 256 });
    ({ width, height } = d);
    rgba = d.data;
  } else if (format === 'png') {
    const d = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    ({ width, height } = d);
    rgba = new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength);
  } else {
    throw new Error('not a JPEG or PNG file');
  }
  if (width <= 0 || height <= 0) throw new Error('image has no pixels');
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i]!;
    data[j + 1] = rgba[i + 1]!;
    data[j + 2] = rgba[i + 2]!;
  }
  return { width, height, data };
}

/**
 * Brings an image to size × size. `resize` scales the whole image (aspect not kept: inputs are
 * assumed to be aligned square-ish crops); `center` first cuts the largest centred square.
 * Scaling is bilinear on pixel centres, with a box pre-filter when shrinking by 4× or more so
 * small inputs are not aliased.
 */
export function fitImage(img: RgbImage, size: number, fit: Fit = 'resize'): Uint8Array {
  let x0 = 0;
  let y0 = 0;
  let w = img.width;
  let h = img.height;
  if (fit === 'center') {
    const s = Math.min(w, h);
    x0 = Math.floor((w - s) / 2);
    y0 = Math.floor((h - s) / 2);
    w = s;
    h = s;
  }
  if (x0 === 0 && y0 === 0 && w === size && h === size && img.width === size) return img.data.slice();
  // Box pre-filter: average f×f blocks so the bilinear step shrinks by less than 2.
  let src = img.data;
  let sw = img.width;
  const f = Math.max(1, Math.floor(Math.min(w, h) / size / 2));
  if (f >= 2) {
    const bw = Math.floor(w / f);
    const bh = Math.floor(h / f);
    const out = new Uint8Array(bw * bh * 3);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) s += src[((y0 + y * f + dy) * sw + x0 + x * f + dx) * 3 + c]!;
          }
          out[(y * bw + x) * 3 + c] = Math.round(s / (f * f));
        }
      }
    }
    src = out;
    sw = bw;
    w = bw;
    h = bh;
    x0 = 0;
    y0 = 0;
  }
  const out = new Uint8Array(size * size * 3);
  const sx = w / size;
  const sy = h / size;
  for (let y = 0; y < size; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const iy = Math.floor(fy);
    const iy1 = Math.min(iy + 1, h - 1);
    const ty = fy - iy;
    for (let x = 0; x < size; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const ix = Math.floor(fx);
      const ix1 = Math.min(ix + 1, w - 1);
      const tx = fx - ix;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => src[((y0 + yy) * sw + x0 + xx) * 3 + c]!;
        const v = (p(iy, ix) * (1 - tx) + p(iy, ix1) * tx) * (1 - ty) + (p(iy1, ix) * (1 - tx) + p(iy1, ix1) * tx) * ty;
        out[(y * size + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return out;
}
