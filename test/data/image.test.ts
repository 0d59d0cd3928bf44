import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, fitImage, sniffFormat } from '../../src/data/index.js';
import { rgb, tmpDir, writeJpeg, writePng } from './fixtures.js';

describe('decodeImage', () => {
  const dir = tmpDir();
  const img = rgb(8, 6, (x, y) => [x * 30, y * 40, 100]);

  it('decodes PNG exactly', () => {
    writePng(path.join(dir, 'a.png'), 8, 6, img);
    const d = decodeImage(readFileSync(path.join(dir, 'a.png')));
    expect([d.width, d.height]).toEqual([8, 6]);
    expect([...d.data]).toEqual([...img]);
  });

  it('decodes JPEG by content, whatever the extension, within JPEG error', () => {
    const flat = rgb(16, 16, () => [200, 50, 90]);
    writeJpeg(path.join(dir, 'b.png'), 16, 16, flat, 100);
    const bytes = readFileSync(path.join(dir, 'b.png'));
    expect(sniffFormat(bytes)).toBe('jpeg');
    const d = decodeImage(bytes);
    expect([d.width, d.height]).toEqual([16, 16]);
    for (let i = 0; i < d.data.length; i++) expect(Math.abs(d.data[i]! - flat[i]!)).toBeLessThanOrEqual(3);
  });

  it('rejects other and corrupt files with a reason', () => {
    expect(() => decodeImage(new Uint8Array([1, 2, 3, 4]))).toThrow('not a JPEG or PNG');
    writePng(path.join(dir, 'c.png'), 8, 6, img);
    const bytes = readFileSync(path.join(dir, 'c.png')).subarray(0, 40);
    expect(() => decodeImage(bytes)).toThrow();
  });
});

describe('fitImage', () => {
  it('keeps a constant image constant at any size', () => {
    const img = { width: 50, height: 37, data: rgb(50, 37, () => [10, 20, 30]) };
    const out = fitImage(img, 16);
    expect(out.length).toBe(16 * 16 * 3);
    for (let i = 0; i < out.length; i += 3) expect([out[i], out[i + 1], out[i + 2]]).toEqual([10, 20, 30]);
  });

  it('center takes the middle square: a 4×2 image to 2×2 is its middle two columns', () => {
    const data = rgb(4, 2, (x, y) => [x * 10 + y, 0, 0]);
    const out = fitImage({ width: 4, height: 2, data }, 2, 'center');
    expect([out[0], out[3], out[6], out[9]]).toEqual([10, 20, 11, 21]);
  });

  it('halving averages each 2×2 block (bilinear at pixel centres)', () => {
    // Pixel centres of a 2× reduction fall between four source pixels: their mean.
    const data = rgb(4, 4, (x, y) => [x * 10 + y * 40, 0, 0]);
    const out = fitImage({ width: 4, height: 4, data }, 2);
    // block (0,0): 0, 10, 40, 50 → 25; block (1,0): 20, 30, 60, 70 → 45; rows +80.
    expect([out[0], out[3], out[6], out[9]]).toEqual([25, 45, 105, 125]);
  });
});
