import { readFile, writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { decodeImage } from '../image/index.js';
import { NodeFailure } from '../node/index.js';
import type { FaceAligner, FaceAlignResult } from '../data/index.js';
import { alignFace, fivePointsOf68 } from './align.js';
import { detectFaces } from './detect.js';

/**
 * The data node's aligner for `align: face-api` (see FaceAligner): for each image, face-api's
 * SSD detector on the image padded to 3x (faces that fill a cropped photo are found too), its 68
 * landmarks, their five ArcFace points, and a similarity warp of the image to the ArcFace template
 * at `size` px. With several faces, the most confident one is aligned. One image at a time: the
 * wasm backend is single-threaded per process, and a batch would not make detection faster.
 */
export const alignDatasetImages: FaceAligner = async ({ files, outFiles, size, signal, progress }) => {
  const out: FaceAlignResult[] = [];
  for (let i = 0; i < files.length; i++) {
    if (signal.aborted) break;
    // The data node decoded every file just before; a read or decode error here means the file
    // changed in between, which is reported with its path rather than as a crash.
    let img: ReturnType<typeof decodeImage>;
    try {
      img = decodeImage(await readFile(files[i]!));
    } catch (e) {
      throw new NodeFailure(`cannot decode ${files[i]} (${(e as Error).message})`, 'the file changed while the data node ran; fix or remove it and rerun', 'SX5005');
    }
    const [face] = await detectFaces(img, { detector: 'ssd', descriptors: false });
    if (!face?.landmarks) {
      out.push({ ok: false, reason: 'no face found' });
    } else {
      const { crop } = alignFace(img, fivePointsOf68(face.landmarks), size);
      await writeFile(outFiles[i]!, pngOf(crop, size));
      out.push({ ok: true, score: face.score });
    }
    progress(i + 1);
  }
  return out;
};

/** An RGB crop as PNG bytes. */
function pngOf(rgb: Uint8Array, size: number): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
