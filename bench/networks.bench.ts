import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { digestFiles, faceApiRecogniserManifest, FACE_API_INPUT, FACE_API_NORMALIZATION, loadPretrained, modelFiles, weightFiles } from '../dist/networks/index.js';
import { useBackend } from '../dist/train/index.js';
import { writeOnnxModel } from '../test/networks/fixtures.js';
import { timeBest, type Bench } from './harness.js';

// Pretrained networks (issue 13): descriptors per second of face-api's recogniser (re-implemented
// on synx's tfjs, wasm backend) and of an ONNX model through onnxruntime-node, from 112 px u8
// crops as an eval reads them (resize, normalisation and row normalisation included). The ONNX
// model is a linear map of a 112 px crop to 128-d (hand-encoded, 19 MB of weights): it measures
// the ONNX path's overhead, not a real recogniser's compute.
const BATCH = 32;
const SIDE = 112;

const bench: Bench = {
  name: 'pretrained networks',
  async run() {
    await useBackend('wasm');
    const images = new Uint8Array(BATCH * SIDE * SIDE * 3);
    for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
    const manifest = faceApiRecogniserManifest();
    const faceApi = await loadPretrained({
      kind: 'face-api',
      file: 'face-api',
      path: manifest,
      sha256: digestFiles((weightFiles(manifest) as { files: string[] }).files),
      input: FACE_API_INPUT,
      mean: FACE_API_NORMALIZATION.mean,
      std: FACE_API_NORMALIZATION.std,
      channels: 'rgb',
    });
    const faceApiSeconds = await timeBest(() => faceApi.embed(images, BATCH, SIDE), 2);
    faceApi.dispose();

    const root = mkdtempSync(path.join(os.tmpdir(), 'synx-bench-networks-'));
    try {
      const w = new Float32Array(SIDE * SIDE * 3 * 128);
      for (let i = 0; i < w.length; i++) w[i] = Math.sin(i) * 0.01;
      const file = writeOnnxModel(path.join(root, 'linear.onnx'), w, SIDE, 128);
      const onnx = await loadPretrained({
        kind: 'onnx',
        file: 'linear.onnx',
        path: file,
        sha256: digestFiles((modelFiles(file) as { files: string[] }).files),
        input: SIDE,
        mean: [127.5, 127.5, 127.5],
        std: [128, 128, 128],
        channels: 'rgb',
      });
      const onnxSeconds = await timeBest(() => onnx.embed(images, BATCH, SIDE), 3);
      onnx.dispose();
      return [
        { name: `face-api recogniser, batch ${BATCH} (wasm, 112 → 150 px)`, value: BATCH / faceApiSeconds, unit: 'descriptors/s' },
        { name: `ONNX linear 112 px → 128-d, batch ${BATCH} (onnxruntime-node, 1 thread)`, value: BATCH / onnxSeconds, unit: 'descriptors/s' },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
