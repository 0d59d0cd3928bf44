import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** face-api's recogniser weights by name (`conv32_1/conv1/conv/filters`, ..., `fc`). */
export type FaceApiWeights = Record<string, tf.Tensor>;

/** Reads (and de-quantises) the recogniser's weights from its manifest and the shards beside it. */
export function readFaceApiWeights(manifest: string): FaceApiWeights {
  const groups = JSON.parse(readFileSync(manifest, 'utf8')) as tf.io.WeightsManifestConfig;
  const out: FaceApiWeights = {};
  for (const g of groups) {
    const bytes = Buffer.concat(g.paths.map((p) => readFileSync(path.join(path.dirname(manifest), p))));
    Object.assign(out, tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), g.weights));
  }
  return out;
}

/**
 * face-api's FaceRecognitionNet.forwardInput after its normalisation, written again with synx's
 * tfjs (so it runs on synx's backend and its weights can become variables): a ResNet-34-like
 * stack of conv + bias + per-channel scale layers, residual blocks whose downsampling shortcut
 * is a 2 × 2 average pool zero-padded in channels, global average pooling and a 128-d linear
 * layer. `x` is the normalised [n, 150, 150, 3] batch. Returns raw (unnormalised) descriptors.
 */
export function faceApiForward(w: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor4D): tf.Tensor2D {
  const get = (name: string): tf.Tensor => {
    const t = w[name];
    if (!t) throw new Error(`face-api recogniser weight ${name} is missing`);
    return t;
  };
  const layer = (input: tf.Tensor4D, name: string, stride: 1 | 2, relu: boolean): tf.Tensor4D => {
    let out = tf.conv2d(input, get(`${name}/conv/filters`) as tf.Tensor4D, stride, stride === 2 ? 'valid' : 'same');
    out = tf.add(out, get(`${name}/conv/bias`)) as tf.Tensor4D;
    out = tf.add(tf.mul(out, get(`${name}/scale/weights`)), get(`${name}/scale/biases`)) as tf.Tensor4D;
    return relu ? tf.relu(out) : out;
  };
  const residual = (input: tf.Tensor4D, name: string): tf.Tensor4D => {
    const out = layer(layer(input, `${name}/conv1`, 1, true), `${name}/conv2`, 1, false);
    return tf.relu(tf.add(out, input)) as tf.Tensor4D;
  };
  const residualDown = (input: tf.Tensor4D, name: string): tf.Tensor4D => {
    let out = layer(layer(input, `${name}/conv1`, 2, true), `${name}/conv2`, 1, false);
    let pooled = tf.avgPool(input, 2, 2, 'valid') as tf.Tensor4D;
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
      // A 'valid' stride-2 conv of an odd size is one row and column short of the pool: face-api pads zeros.
      out = tf.pad(out, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    }
    if (pooled.shape[3] !== out.shape[3]) pooled = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, out.shape[3] - pooled.shape[3]]]);
    return tf.relu(tf.add(pooled, out)) as tf.Tensor4D;
  };
  return tf.tidy(() => {
    let out = layer(x, 'conv32_down', 2, true);
    out = tf.maxPool(out, 3, 2, 'valid');
    for (const n of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, n);
    out = residualDown(out, 'conv64_down');
    for (const n of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, n);
    out = residualDown(out, 'conv128_down');
    for (const n of ['conv128_1', 'conv128_2']) out = residual(out, n);
    out = residualDown(out, 'conv256_down');
    for (const n of ['conv256_1', 'conv256_2']) out = residual(out, n);
    out = residualDown(out, 'conv256_down_out');
    const pooled = tf.mean(out, [1, 2]) as tf.Tensor2D;
    return tf.matMul(pooled, get('fc') as tf.Tensor2D);
  });
}
