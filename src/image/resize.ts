import type { RgbImage } from './decode.js';

/** How an image is brought to the square network input. */
export type Fit = 'resize' | 'center';

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
    src = boxShrink(src, sw, x0, y0, bw, bh, f);
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

/**
 * The bw × bh RGB image whose pixels are the rounded means of f × f blocks of `src` (an RGB image
 * `width` pixels wide), the blocks starting at (x0, y0): a box filter that shrinks by f.
 */
export function boxShrink(src: Uint8Array, width: number, x0: number, y0: number, bw: number, bh: number, f: number): Uint8Array {
  const out = new Uint8Array(bw * bh * 3);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = 0; dy < f; dy++) {
          for (let dx = 0; dx < f; dx++) s += src[((y0 + y * f + dy) * width + x0 + x * f + dx) * 3 + c]!;
        }
        out[(y * bw + x) * 3 + c] = Math.round(s / (f * f));
      }
    }
  }
  return out;
}

/**
 * Cuts the exactly centred square (its origin on a half pixel when the margin is odd) and resizes
 * it bilinearly to size × size, taps clamped to the whole image, with no pre-filter: how
 * background images are brought to the render size. It is not `fitImage(img, size, 'center')`,
 * which starts the square on a whole pixel and box-filters large reductions: the two give
 * different bytes (a 3 × 2 image to 1 × 1: column 1 here, columns 0 and 1 there), and each keeps
 * the bytes of what was made with it (renders here, network inputs there).
 */
export function cropResizeSquare(img: RgbImage, size: number): Uint8Array {
  const side = Math.min(img.width, img.height);
  const ox = (img.width - side) / 2;
  const oy = (img.height - side) / 2;
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(Math.max(oy + ((y + 0.5) * side) / size - 0.5, 0), img.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = Math.min(Math.max(ox + ((x + 0.5) * side) / size - 0.5, 0), img.width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[3 * (y0 * img.width + x0) + c]!;
        const b = img.data[3 * (y0 * img.width + x1) + c]!;
        const d = img.data[3 * (y1 * img.width + x0) + c]!;
        const e = img.data[3 * (y1 * img.width + x1) + c]!;
        out[3 * (y * size + x) + c] = Math.round((a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy);
      }
    }
  }
  return out;
}
