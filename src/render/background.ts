import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../node/index.js';
import { cropResizeSquare, decodeImage, LENIENT_DECODE, type RgbImage } from '../image/index.js';
import type { Rng } from '../rng/index.js';
import { fsErrorReason } from '../util/index.js';

/** The procedural background names (besides `folder "path"`). */
export const PROCEDURAL_BACKGROUNDS = ['noise', 'gradient', 'texture', 'plain', 'none'] as const;

/** Background images of one folder, decoded and resized (centre crop) to the render size. */
export interface BackgroundSet {
  readonly folder: string;
  readonly size: number;
  readonly images: readonly Uint8Array[];
  readonly names: readonly string[];
}

/**
 * Fills `out` (size × size × 3, [0, 1]) with a background. `set` is needed for `folder`; the
 * returned string says which one was drawn (for labels), e.g. `gradient` or `folder:beach.png`.
 *
 * With `skip` (one byte per pixel, e.g. the face's coverage), pixels where it is non-zero are left
 * as they were: the face hides them, and not computing them saves about a third of the work. The
 * random draws and every other pixel's value are the same either way.
 */
export function drawBackground(name: string, size: number, rng: Rng, out: Float32Array, set?: BackgroundSet, skip?: Uint8Array): string {
  const np = size * size;
  // An all-zero mask stands in for "no mask", so the loops below have one shape.
  const hidden = skip ?? new Uint8Array(np);
  switch (name) {
    case 'none':
      out.fill(0);
      return 'none';
    case 'plain': {
      const c = randomColor(rng);
      for (let p = 0; p < np; p++) {
        if (hidden[p] !== 0) continue;
        out[3 * p] = c[0];
        out[3 * p + 1] = c[1];
        out[3 * p + 2] = c[2];
      }
      return 'plain';
    }
    case 'gradient': {
      const c0 = randomColor(rng);
      const c1 = randomColor(rng);
      const a = rng.uniform() * 2 * Math.PI;
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      const half = size / 2;
      const span = half * (Math.abs(ca) + Math.abs(sa));
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (hidden[y * size + x] !== 0) continue;
          const t = 0.5 + ((x + 0.5 - half) * ca + (y + 0.5 - half) * sa) / (2 * span);
          lerpInto(out, 3 * (y * size + x), c0, c1, t);
        }
      }
      return 'gradient';
    }
    case 'noise': {
      const c0 = randomColor(rng);
      const c1 = randomColor(rng);
      const field = valueNoise(size, rng, 4 + rng.int(4), 4, hidden);
      for (let p = 0; p < np; p++) if (hidden[p] === 0) lerpInto(out, 3 * p, c0, c1, field[p]!);
      return 'noise';
    }
    case 'texture': {
      // Interfering oriented waves: stripes, checks and weaves, with some noise mixed in.
      const c0 = randomColor(rng);
      const c1 = randomColor(rng);
      const waves = Array.from({ length: 1 + rng.int(3) }, () => {
        const a = rng.uniform() * Math.PI;
        const f = (2 * Math.PI * (2 + rng.uniform() * 14)) / size;
        return { kx: f * Math.cos(a), ky: f * Math.sin(a), ph: rng.uniform() * 2 * Math.PI };
      });
      const hard = rng.uniform() < 0.5;
      const noise = valueNoise(size, rng, 8, 2, hidden);
      // sin(kx·x + ky·y + ph) = sin(kx·x)cos(ky·y + ph) + cos(kx·x)sin(ky·y + ph): tables per row
      // and column instead of a sine per pixel, flat (wave-major) so the pixel loop indexes plainly.
      const nw = waves.length;
      const sx = new Float64Array(nw * size);
      const cx = new Float64Array(nw * size);
      for (let k = 0; k < nw; k++) {
        for (let x = 0; x < size; x++) {
          sx[k * size + x] = Math.sin(waves[k]!.kx * x);
          cx[k * size + x] = Math.cos(waves[k]!.kx * x);
        }
      }
      const rs = new Float64Array(nw);
      const rc = new Float64Array(nw);
      const inv = 1 / nw;
      const [r0, g0, b0] = c0;
      const dr = c1[0] - r0;
      const dg = c1[1] - g0;
      const db = c1[2] - b0;
      for (let y = 0; y < size; y++) {
        for (let k = 0; k < nw; k++) {
          rs[k] = Math.sin(waves[k]!.ky * y + waves[k]!.ph);
          rc[k] = Math.cos(waves[k]!.ky * y + waves[k]!.ph);
        }
        for (let x = 0, p = y * size; x < size; x++, p++) {
          if (hidden[p] !== 0) continue;
          let v = 0;
          for (let k = 0; k < nw; k++) v += sx[k * size + x]! * rc[k]! + cx[k * size + x]! * rs[k]!;
          v *= inv;
          let t = hard ? (v > 0 ? 1 : 0) : 0.5 + 0.5 * v;
          t = 0.8 * t + 0.2 * noise[p]!;
          // lerpInto, inlined: this loop is most of a texture's cost.
          out[3 * p] = r0 + dr * t;
          out[3 * p + 1] = g0 + dg * t;
          out[3 * p + 2] = b0 + db * t;
        }
      }
      return 'texture';
    }
    case 'folder': {
      if (!set || set.images.length === 0) throw new Error('drawBackground: folder background without images');
      const k = rng.int(set.images.length);
      const img = set.images[k]!;
      const flip = rng.uniform() < 0.5;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (hidden[y * size + x] !== 0) continue;
          const sx = flip ? size - 1 - x : x;
          const s = 3 * (y * size + sx);
          const d = 3 * (y * size + x);
          out[d] = img[s]! / 255;
          out[d + 1] = img[s + 1]! / 255;
          out[d + 2] = img[s + 2]! / 255;
        }
      }
      return `folder:${set.names[k]!}`;
    }
    default:
      throw new Error(`drawBackground: unknown background '${name}'`);
  }
}

function randomColor(rng: Rng): [number, number, number] {
  return [0.05 + 0.9 * rng.uniform(), 0.05 + 0.9 * rng.uniform(), 0.05 + 0.9 * rng.uniform()];
}

function lerpInto(out: Float32Array, i: number, a: readonly number[], b: readonly number[], t: number): void {
  out[i] = a[0]! + (b[0]! - a[0]!) * t;
  out[i + 1] = a[1]! + (b[1]! - a[1]!) * t;
  out[i + 2] = a[2]! + (b[2]! - a[2]!) * t;
}

const noiseFields = new Map<number, Float32Array>();

/**
 * Fractal value noise in [0, 1]: `octaves` layers of bilinear lattices, the first `cells` wide.
 * Pixels where `hidden` is non-zero are not computed (left 0); the lattices are drawn in full.
 */
function valueNoise(size: number, rng: Rng, cells: number, octaves: number, hidden: Uint8Array): Float32Array {
  // One field per size and thread, reused (and zeroed) per image: a fresh 50 KB array per image
  // costs more in allocation and GC than the fill. The caller reads it before the next call.
  let out = noiseFields.get(size);
  if (out) out.fill(0);
  else noiseFields.set(size, (out = new Float32Array(size * size)));
  let amp = 1;
  let total = 0;
  const ix = new Int32Array(size);
  const fx = new Float64Array(size);
  for (let o = 0; o < octaves; o++) {
    const n = cells << o;
    const lattice = new Float32Array((n + 1) * (n + 1));
    for (let i = 0; i < lattice.length; i++) lattice[i] = rng.uniform();
    // Lattice cell and fraction depend on the column alone: computed once per octave.
    for (let x = 0; x < size; x++) {
      const gx = ((x + 0.5) / size) * n;
      ix[x] = Math.min(Math.floor(gx), n - 1);
      fx[x] = gx - ix[x]!;
    }
    for (let y = 0; y < size; y++) {
      const gy = ((y + 0.5) / size) * n;
      const iy = Math.min(Math.floor(gy), n - 1);
      const fy = gy - iy;
      const r0 = iy * (n + 1);
      const r1 = r0 + n + 1;
      for (let x = 0; x < size; x++) {
        if (hidden[y * size + x] !== 0) continue;
        const i = ix[x]!;
        const f = fx[x]!;
        const a = lattice[r0 + i]!;
        const b = lattice[r0 + i + 1]!;
        const c = lattice[r1 + i]!;
        const d = lattice[r1 + i + 1]!;
        const v = (a + (b - a) * f) * (1 - fy) + (c + (d - c) * f) * fy;
        out[y * size + x] = out[y * size + x]! + amp * v;
      }
    }
    total += amp;
    amp *= 0.5;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

/** Loads a folder of PNG/JPEG backgrounds; a NodeFailure names the folder if none is readable. */
export function loadBackgroundFolder(folder: string, size: number): BackgroundSet {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (e) {
    throw new NodeFailure(`background folder ${folder}: cannot be read (${fsErrorReason(e)})`, 'point `background ~ folder "path"` at a folder of PNG or JPEG images');
  }
  const images: Uint8Array[] = [];
  const kept: string[] = [];
  for (const n of names) {
    if (!/\.(png|jpe?g)$/i.test(n)) continue;
    const img = readImage(path.join(folder, n));
    if (!img) continue;
    images.push(cropResizeSquare(img, size));
    kept.push(n);
  }
  if (images.length === 0) {
    throw new NodeFailure(`background folder ${folder}: no readable images (PNG or JPEG)`, 'add .png or .jpg images to the folder, or choose a procedural background');
  }
  return { folder, size, images, names: kept };
}

/** A background file decoded, or null when it cannot be read or decoded: such files are skipped. */
function readImage(file: string): RgbImage | null {
  try {
    return decodeImage(readFileSync(file), LENIENT_DECODE);
  } catch {
    return null;
  }
}
