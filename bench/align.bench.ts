import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { decodeImage, fitImage } from '../dist/image/index.js';
import os from 'node:os';
import path from 'node:path';
import { alignDatasetImages, faceApiModelDir } from '../dist/faceapi/index.js';
import { timeBest, type Bench } from './harness.js';

// Face alignment (issue 13, `align: face-api`): aligned images per second through the data node's
// aligner (JPEG decode, face-api SSD detection on the photo padded to 3x, 68 landmarks, Umeyama fit
// to the ArcFace template, 112 px bilinear warp, PNG write), on face-api's six demo photos
// (group shots of 3-5 people, about 1 megapixel; one face aligned per photo).
const bench: Bench = {
  name: 'face alignment',
  async run() {
    const demo = path.join(path.dirname(faceApiModelDir()), 'demo');
    const files = [1, 2, 3, 4, 5, 6].map((i) => path.join(demo, `sample${i}.jpg`));
    const out = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-align-'));
    try {
      const job = { files, outFiles: files.map((_, i) => path.join(out, `${i}.png`)), size: 112, signal: new AbortController().signal, progress: () => {} };
      await alignDatasetImages({ ...job, files: files.slice(0, 1), outFiles: job.outFiles.slice(0, 1) }); // loads the weights
      const seconds = await timeBest(() => alignDatasetImages(job), 2);
      // LFW-sized: each photo's centre square shrunk to 250x250 (LFW's size), as JPEG.
      const small = files.map((f, i) => {
        const img = decodeImage(readFileSync(f));
        const rgb = fitImage(img, 250, 'center');
        const rgba = Buffer.alloc(250 * 250 * 4, 255);
        for (let p = 0; p < 250 * 250; p++) rgb.subarray(p * 3, p * 3 + 3).forEach((v, c) => (rgba[p * 4 + c] = v));
        const file = path.join(out, `small${i}.jpg`);
        writeFileSync(file, jpeg.encode({ width: 250, height: 250, data: rgba }, 90).data);
        return file;
      });
      let aligned = 0;
      const smallSeconds = await timeBest(async () => {
        aligned = (await alignDatasetImages({ ...job, files: small })).filter((r) => r.ok).length;
      }, 2);
      return [
        { name: `align: face-api, ${files.length} demo photos of ~1 MP (wasm, SSD + 68 landmarks + 112 px warp)`, value: files.length / seconds, unit: 'aligned images/s' },
        { name: `align: face-api, the same at 250x250 like LFW (${aligned} of ${small.length} with a face found)`, value: small.length / smallSeconds, unit: 'images/s' },
      ];
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};

export default bench;
