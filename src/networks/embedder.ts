import * as tf from '@tensorflow/tfjs';
import type { PretrainedNetwork } from '../params/index.js';
import { NetworkError } from './errors.js';

export { NetworkError };

/** A loaded pretrained network: u8 RGB images in, L2-normalised embeddings out. */
export interface PretrainedEmbedder {
  readonly network: PretrainedNetwork;
  /** Width of an embedding. */
  readonly dim: number;
  /**
   * Embeddings ([n × dim], row after row) of n RGB u8 images of `size` × `size` (NHWC). With
   * `flip`, each is the normalised sum of the embeddings of the image and of its mirror image.
   */
  embed(x: Uint8Array, n: number, size: number, flip?: boolean): Promise<Float32Array>;
  dispose(): void;
}

/**
 * The network's input tensor from u8 NHWC images: resized to its input with bilinear
 * interpolation (no corner alignment, no half-pixel centres: face-api's toBatchTensor), channels
 * reordered, normalised, and transposed to NCHW when the network reads that layout.
 */
export function preprocess(net: PretrainedNetwork, x: tf.Tensor4D, layout: 'nhwc' | 'nchw'): tf.Tensor4D {
  return tf.tidy(() => {
    let t = x.toFloat();
    const s = net.input;
    if (t.shape[1] !== s || t.shape[2] !== s) t = tf.image.resizeBilinear(t, [s, s], false, false);
    if (net.channels === 'bgr') t = tf.reverse(t, 3);
    const mean = net.channels === 'bgr' ? [...net.mean].reverse() : [...net.mean];
    const std = net.channels === 'bgr' ? [...net.std].reverse() : [...net.std];
    t = tf.div(tf.sub(t, tf.tensor1d(mean)), tf.tensor1d(std));
    return layout === 'nchw' ? tf.transpose(t, [0, 3, 1, 2]) : t;
  });
}

/** Rows scaled to unit length (a zero row stays zero). */
export function normalizeRows(e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(e, tf.sqrt(tf.add(tf.sum(tf.square(e), 1, true), 1e-12))) as tf.Tensor2D);
}

/**
 * An embedder from a function that maps a preprocessed batch to raw embeddings [n × d] (tf tensor
 * or a promise of rows): resizing, flipping, normalising rows and reading back are shared here.
 */
export function makeEmbedder(
  network: PretrainedNetwork,
  dim: number,
  layout: 'nhwc' | 'nchw',
  forward: (input: tf.Tensor4D) => Promise<tf.Tensor2D>,
  dispose: () => void,
): PretrainedEmbedder {
  return {
    network,
    dim,
    async embed(x, n, size, flip = false) {
      const images = tf.tensor4d(x, [n, size, size, 3], 'int32');
      const views = flip ? [images, tf.reverse(images, 2) as tf.Tensor4D] : [images];
      const outs: tf.Tensor2D[] = [];
      try {
        for (const v of views) {
          const input = preprocess(network, v, layout);
          try {
            const raw = await forwardChecked(network, dim, forward, input);
            outs.push(normalizeRows(raw));
            raw.dispose();
          } finally {
            input.dispose();
          }
        }
        const e = outs.length === 1 ? outs[0]! : tf.tidy(() => normalizeRows(tf.add(outs[0]!, outs[1]!) as tf.Tensor2D));
        try {
          return ((await e.data()) as Float32Array).slice();
        } finally {
          if (outs.length > 1) e.dispose();
        }
      } finally {
        for (const t of [...views, ...outs]) t.dispose();
      }
    },
    dispose,
  };
}

async function forwardChecked(net: PretrainedNetwork, dim: number, forward: (input: tf.Tensor4D) => Promise<tf.Tensor2D>, input: tf.Tensor4D): Promise<tf.Tensor2D> {
  const raw = await forward(input);
  if (raw.shape[1] !== dim) {
    raw.dispose();
    throw new NetworkError(`${net.file}: the network's output changed width (${raw.shape[1]} instead of ${dim})`, 'give a network whose output is one embedding per image');
  }
  return raw;
}

/** Flattens a network output [n, ...] to [n × d]; null when it is not one row per image. */
export function asRows(t: tf.Tensor, n: number): tf.Tensor2D | null {
  if (t.rank < 1 || t.shape[0] !== n) return null;
  const d = t.size / n;
  return t.rank === 2 ? (t as tf.Tensor2D) : tf.reshape(t, [n, d]);
}
