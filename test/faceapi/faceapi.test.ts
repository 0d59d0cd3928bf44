import { beforeAll, describe, expect, it } from 'vitest';
import { REAL_PEOPLE_REFERENCE } from '../../src/audit/index.js';
import { alignFace, descriptorDistance, descriptorsOfAlignedCrops, detectFaces, fivePointsOf68, paddedTensor, SAME_PERSON_DISTANCE } from '../../src/faceapi/index.js';
import type { DetectedFace } from '../../src/faceapi/index.js';
import { cropRgb, DEMO_FACE_COUNTS, demoPhoto } from './demo-photos.js';

// face-api on its own demo photos: six group shots of 22 different women (counted by eye).
describe('face-api on its demo photos', () => {
  const found: DetectedFace[][] = [];
  beforeAll(async () => {
    // Whole scenes: faces are small in the frame, so no padding (pad 1).
    for (let i = 1; i <= 6; i++) found.push(await detectFaces(demoPhoto(i), { pad: 1 }));
  }, 240_000);

  it('finds every face in each photo, with 68 landmarks and a finite 128-d descriptor', () => {
    expect(found.map((f) => f.length)).toEqual([...DEMO_FACE_COUNTS]);
    for (const f of found.flat()) {
      expect(f.landmarks).toHaveLength(68);
      expect(f.descriptor).toHaveLength(128);
      // Not normalised by face-api (norms are about 1.2-1.6); distances are on the raw vectors.
      expect(f.descriptor!.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...f.descriptor!)).toBeGreaterThan(0.5);
      // Landmarks lie in their face's box (with the jaw a little outside it at most).
      const [nx, ny] = f.landmarks![30]!;
      expect(nx).toBeGreaterThan(f.box.x);
      expect(nx).toBeLessThan(f.box.x + f.box.width);
      expect(ny).toBeGreaterThan(f.box.y);
      expect(ny).toBeLessThan(f.box.y + f.box.height);
    }
  });

  it('puts as many pairs of different people under the same-person distance as the audit quotes for real people', () => {
    const all = found.flat();
    let under = 0;
    let pairs = 0;
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        pairs++;
        if (descriptorDistance(all[i]!.descriptor!, all[j]!.descriptor!) < SAME_PERSON_DISTANCE) under++;
      }
    }
    expect({ faces: all.length, pairs, under }).toEqual({ faces: REAL_PEOPLE_REFERENCE.faces, pairs: REAL_PEOPLE_REFERENCE.impostorPairs, under: REAL_PEOPLE_REFERENCE.impostorsUnder });
  });

  it('puts the same face re-cropped (and padded) closer than any two different people', async () => {
    const all = found.flat();
    let impostorMin = Infinity;
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) impostorMin = Math.min(impostorMin, descriptorDistance(all[i]!.descriptor!, all[j]!.descriptor!));
    }
    const photo = demoPhoto(1);
    let genuineMax = 0;
    for (const f of found[0]!) {
      // A crop 1.6x the face box: the face nearly fills it, which is where padding matters.
      const { x, y, width: w, height: h } = f.box;
      const x0 = Math.max(0, Math.round(x - 0.3 * w));
      const y0 = Math.max(0, Math.round(y - 0.3 * h));
      const crop = cropRgb(photo, x0, y0, 1.6 * w, 1.6 * h);
      const [again] = await detectFaces(crop);
      expect(again).toBeDefined();
      genuineMax = Math.max(genuineMax, descriptorDistance(again!.descriptor!, f.descriptor!));
      // Padding is undone: the nose tip maps back to where it was found in the whole photo.
      expect(Math.abs(again!.landmarks![30]![0] + x0 - f.landmarks![30]![0])).toBeLessThan(0.05 * w);
      expect(Math.abs(again!.landmarks![30]![1] + y0 - f.landmarks![30]![1])).toBeLessThan(0.05 * h);
    }
    expect(genuineMax).toBeLessThan(impostorMin);
    expect(genuineMax).toBeLessThan(0.3);
  }, 120_000);

  it('recognises ArcFace-aligned crops with the raw recogniser: same face re-found closer than two people', async () => {
    // Each face aligned from the whole photo, and again from a re-detection in a padded crop.
    const aligned = (img: { data: Uint8Array; width: number; height: number }, f: DetectedFace) => ({
      data: alignFace(img, fivePointsOf68(f.landmarks!), 150, { fill: [128, 128, 128] }).crop,
      width: 150,
      height: 150,
    });
    const photos = [1, 2, 3, 4, 5, 6].map(demoPhoto);
    const all = await descriptorsOfAlignedCrops(found.flatMap((faces, i) => faces.map((f) => aligned(photos[i]!, f))));
    expect(all).toHaveLength(22);
    let impostorMin = Infinity;
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) impostorMin = Math.min(impostorMin, descriptorDistance(all[i]!, all[j]!));
    let genuineMax = 0;
    for (const [k, f] of found[0]!.entries()) {
      const { x, y, width: w, height: h } = f.box;
      const crop = cropRgb(photos[0]!, x - 0.3 * w, y - 0.3 * h, 1.6 * w, 1.6 * h);
      const [again] = await detectFaces(crop, { descriptors: false });
      const [d] = await descriptorsOfAlignedCrops([aligned(crop, again!)]);
      genuineMax = Math.max(genuineMax, descriptorDistance(d!, all[k]!));
    }
    expect(genuineMax).toBeLessThan(impostorMin);
  }, 120_000);

  it('is deterministic: the same pixels give the same bytes', async () => {
    const photo = demoPhoto(1);
    const { x, y, width: w, height: h } = found[0]![0]!.box;
    const crop = cropRgb(photo, x - 0.3 * w, y - 0.3 * h, 1.6 * w, 1.6 * h);
    const a = await detectFaces(crop, { detector: 'tiny' });
    const b = await detectFaces(crop, { detector: 'tiny' });
    expect(a.length).toBeGreaterThan(0);
    expect(Buffer.from(b[0]!.descriptor!.buffer)).toEqual(Buffer.from(a[0]!.descriptor!.buffer));
    expect(b[0]!.landmarks).toEqual(a[0]!.landmarks);
  }, 60_000);
});

describe('paddedTensor', () => {
  it('centres an RGBA image on a grey canvas 3x its size', () => {
    const rgba = new Uint8Array([10, 20, 30, 255, 40, 50, 60, 255]);
    const { tensor, dx, dy } = paddedTensor({ data: rgba, width: 2, height: 1 }, 3);
    expect(tensor.shape).toEqual([3, 6, 3]);
    expect([dx, dy]).toEqual([2, 1]);
    const v = Array.from(tensor.dataSync());
    tensor.dispose();
    const px = (x: number, y: number) => v.slice((y * 6 + x) * 3, (y * 6 + x) * 3 + 3);
    expect(px(2, 1)).toEqual([10, 20, 30]);
    expect(px(3, 1)).toEqual([40, 50, 60]);
    expect(px(0, 0)).toEqual([128, 128, 128]);
    expect(px(5, 2)).toEqual([128, 128, 128]);
  });

  it('names the sizes of a buffer that is neither RGB nor RGBA', () => {
    expect(() => paddedTensor({ data: new Uint8Array(5), width: 2, height: 1 })).toThrow(/2x1 pixels has 5 bytes/);
  });
});
