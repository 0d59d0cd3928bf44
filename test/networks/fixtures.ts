import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Tiny networks made by the tests: a flatten of a 4 × 4 RGB image times a 48 × 8 matrix. */
export const SIDE = 4;
export const FLAT = SIDE * SIDE * 3;
export const DIM = 8;

/** A fixed matrix W [48 × 8], row-major, from a simple seeded formula (no RNG shared with src). */
export function matrix(seed = 1): Float32Array {
  const w = new Float32Array(FLAT * DIM);
  for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * 12.9898 * seed + 78.233) * 0.5;
  return w;
}

/**
 * The reference: each image normalised ((x - mean) / std), flattened in the network's layout
 * order (NHWC: h, w, c; NCHW: c, h, w), times W, L2-normalised. Plain loops, no tfjs.
 */
export function directEmbeddings(images: Uint8Array, n: number, w: Float32Array, layout: 'nhwc' | 'nchw', mean: number, std: number, bgr = false): Float32Array {
  const out = new Float32Array(n * DIM);
  for (let k = 0; k < n; k++) {
    const flat = new Float64Array(FLAT);
    for (let h = 0; h < SIDE; h++)
      for (let x = 0; x < SIDE; x++)
        for (let c = 0; c < 3; c++) {
          const src = bgr ? 2 - c : c;
          const v = (images[k * FLAT + (h * SIDE + x) * 3 + src]! - mean) / std;
          flat[layout === 'nhwc' ? (h * SIDE + x) * 3 + c : c * SIDE * SIDE + h * SIDE + x] = v;
        }
    let norm = 0;
    const row = new Float64Array(DIM);
    for (let j = 0; j < DIM; j++) {
      for (let i = 0; i < FLAT; i++) row[j]! += flat[i]! * w[i * DIM + j]!;
      norm += row[j]! ** 2;
    }
    for (let j = 0; j < DIM; j++) out[k * DIM + j] = row[j]! / Math.sqrt(norm);
  }
  return out;
}

/** A hand-written TensorFlow.js graph model (Placeholder → Reshape → MatMul) in `dir`/model.json. */
export function writeGraphModel(dir: string, w: Float32Array, side = SIDE): string {
  mkdirSync(dir, { recursive: true });
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const json = {
    format: 'graph-model',
    generatedBy: 'synx tests',
    convertedBy: 'hand',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(-1, side, side, 3) } } },
        { name: 'shape', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(2) } } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(FLAT, DIM) } } } },
        { name: 'flat', op: 'Reshape', input: ['x', 'shape'], attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } } },
        { name: 'embedding', op: 'MatMul', input: ['flat', 'w'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'shape', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [FLAT, DIM], dtype: 'float32' },
        ],
      },
    ],
  };
  const shape = new Int32Array([-1, FLAT]);
  const bin = Buffer.concat([Buffer.from(shape.buffer), Buffer.from(w.buffer, w.byteOffset, w.byteLength)]);
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bin);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
}

/** A tfjs layers model (Flatten → Dense without bias, kernel W) saved by tfjs itself to `dir`/model.json. */
export async function writeLayersModel(dir: string, w: Float32Array): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [SIDE, SIDE, 3] }), tf.layers.dense({ units: DIM, useBias: false })] });
  model.layers[1]!.setWeights([tf.tensor2d(w, [FLAT, DIM])]);
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(data));
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return path.join(dir, 'model.json');
}

// --- a few protobuf fields, enough for an ONNX ModelProto ---------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const field = (no: number, wire: 0 | 2, body: number[] | Uint8Array): number[] => (wire === 0 ? [...varint((no << 3) | 0), ...body] : [...varint((no << 3) | 2), ...varint(body.length), ...body]);
const int = (no: number, n: number) => field(no, 0, varint(n));
const str = (no: number, s: string) => field(no, 2, [...Buffer.from(s, 'utf8')]);
const msg = (no: number, ...parts: number[][]) => field(no, 2, parts.flat());

/** A value info: a float tensor named `name` with dims (a string is a symbolic dim). */
function valueInfo(no: number, name: string, dims: (number | string)[]): number[] {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return msg(no, str(1, name), msg(2, msg(1, int(1, 1), msg(2, ...shape))));
}

/**
 * A hand-encoded ONNX model (opset 13): x [N, 3, side, side] → Flatten → MatMul W [3·side², dim] → y.
 */
export function writeOnnxModel(file: string, w: Float32Array, side = SIDE, dim = DIM): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const raw = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  const weight = msg(5, int(1, side * side * 3), int(1, dim), int(2, 1), str(8, 'W'), field(9, 2, raw));
  const graph = msg(
    7,
    msg(1, str(1, 'x'), str(2, 'flat'), str(3, 'flatten'), str(4, 'Flatten')),
    msg(1, str(1, 'flat'), str(1, 'W'), str(2, 'y'), str(3, 'matmul'), str(4, 'MatMul')),
    str(2, 'tiny'),
    weight,
    valueInfo(11, 'x', ['N', 3, side, side]),
    valueInfo(12, 'y', ['N', dim]),
  );
  const model = [...int(1, 8), ...msg(8, str(1, ''), int(2, 13)), ...str(2, 'synx tests'), ...graph];
  writeFileSync(file, Uint8Array.from(model));
  return file;
}
