import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A decoded RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * How forgiving a decode is. Training and evaluation images are decoded strictly (the default:
 * a damaged face image is reported and skipped, not learnt from half grey); backgrounds use
 * `LENIENT_DECODE`, as they always have, so that every background folder keeps the images (and
 * renders keep the bytes) it had.
 */
export interface DecodeLimits {
  /** Decode a JPEG with missing blocks (left grey) instead of failing. */
  readonly tolerant: boolean;
  /** jpeg-js's cap on the memory one decode may use, in MB (a 48-megapixel photo needs > 256). */
  readonly maxMemoryMB: number;
}

/** Training, evaluation and audit images. */
export const STRICT_DECODE: DecodeLimits = { tolerant: false, maxMemoryMB: 256 };

/** Background images: partly damaged JPEGs and very large photos are still used. */
export const LENIENT_DECODE: DecodeLimits = { tolerant: true, maxMemoryMB: 512 };

/** The image format a file's first bytes say, or null when neither JPEG nor PNG. */
export function sniffFormat(head: Uint8Array): 'jpeg' | 'png' | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  return null;
}

/**
 * Decodes a JPEG or PNG (by content, not extension) to RGB; alpha is dropped and 16-bit PNGs are
 * scaled to 8 bits. Throws an Error saying why for anything else or a corrupt file; callers turn
 * it into a skip or a NodeFailure with the path.
 */
export function decodeImage(bytes: Uint8Array, limits: DecodeLimits = STRICT_DECODE): RgbImage {
  const format = sniffFormat(bytes);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  if (format === 'jpeg') {
    const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: limits.tolerant, maxMemoryUsageInMB: limits.maxMemoryMB });
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
