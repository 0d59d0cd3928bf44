import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { boxShrink, cropResizeSquare, decodeImage, fitImage, LENIENT_DECODE, sniffFormat, STRICT_DECODE } from '../../src/image/index.js';
import { rgb, tmpDir, writeJpeg, writePng } from '../data/fixtures.js';

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
    expect(() => decodeImage(bytes, LENIENT_DECODE)).toThrow();
    // A JPEG signature is three bytes, FF D8 FF: SOI and the first marker's FF.
    expect(sniffFormat(new Uint8Array([0xff, 0xd8, 0x00, 0xe0]))).toBe(null);
  });

  it('drops alpha: an RGBA PNG decodes to its RGB', () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data = Buffer.from([10, 20, 30, 0, 40, 50, 60, 128]);
    const d = decodeImage(PNG.sync.write(png));
    expect([...d.data]).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('passes its memory limit to the JPEG decoder', () => {
    const flat = rgb(64, 64, () => [1, 2, 3]);
    writeJpeg(path.join(dir, 'd.jpg'), 64, 64, flat);
    const bytes = readFileSync(path.join(dir, 'd.jpg'));
    expect(decodeImage(bytes, STRICT_DECODE).width).toBe(64);
    expect(() => decodeImage(bytes, { tolerant: false, maxMemoryMB: 0.01 })).toThrow('maxMemoryUsageInMB');
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

describe('cropResizeSquare (backgrounds)', () => {
  it('with an even margin, an exact half-size crop is the middle square', () => {
    // 4 × 2 to 2 × 2: the square starts at column 1; taps land on pixel centres 1 and 2.
    const data = rgb(4, 2, (x, y) => [x * 10 + y, 0, 0]);
    const out = cropResizeSquare({ width: 4, height: 2, data }, 2);
    expect([out[0], out[3], out[6], out[9]]).toEqual([10, 20, 11, 21]);
  });

  it('with an odd margin, the crop starts on a half pixel (unlike fitImage center)', () => {
    // 3 × 2 to 1 × 1: the square spans columns 0.5–2.5, its centre is column 1.5 − 0.5 = 1 (a pixel
    // centre) and row 0.5: the mean of column 1's two pixels. fitImage's square starts at column 0:
    // centre (0.5, 0.5), the mean of the top-left 2 × 2 block.
    const data = rgb(3, 2, (x, y) => [[10, 50, 200][x]! + 20 * y, 0, 0]);
    expect(cropResizeSquare({ width: 3, height: 2, data }, 1)[0]).toBe(60); // (50 + 70) / 2
    expect(fitImage({ width: 3, height: 2, data }, 1, 'center')[0]).toBe(40); // (10 + 50 + 30 + 70) / 4
  });

  it('enlarges bilinearly on pixel centres, clamped at the border', () => {
    // 2 × 2 to 4 × 4: taps at x/2 − 0.25 → −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    const data = rgb(2, 2, (x) => [x * 100, 0, 255]);
    const out = cropResizeSquare({ width: 2, height: 2, data }, 4);
    expect([0, 1, 2, 3].map((x) => out[3 * x])).toEqual([0, 25, 75, 100]);
    expect([0, 1, 2, 3].map((x) => out[3 * x + 2])).toEqual([255, 255, 255, 255]);
  });
});

describe('boxShrink', () => {
  it('averages f x f blocks from an origin, rounding half up (hand-computed)', () => {
    // A 4 x 2 image, grey levels 0..7 on every channel; 2 x 2 blocks from (0, 0): (0+1+4+5)/4 = 2.5 -> 3, (2+3+6+7)/4 = 4.5 -> 5.
    const src = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7].flatMap((v) => [v, v, v]));
    expect([...boxShrink(src, 4, 0, 0, 2, 1, 2)]).toEqual([3, 3, 3, 5, 5, 5]);
    // One 2 x 2 block from (1, 0): (1+2+5+6)/4 = 3.5 -> 4.
    expect([...boxShrink(src, 4, 1, 0, 1, 1, 2)]).toEqual([4, 4, 4]);
  });
});
