import * as tf from '@tensorflow/tfjs';
import type { NetworkDef, Weights } from './networks.js';

/** A trained network ready to embed images on the active backend. */
export class Embedder {
  private readonly params: Record<string, tf.Tensor> = {};

  constructor(
    readonly def: NetworkDef,
    weights: Weights,
  ) {
    for (const p of [...def.params, ...def.stats]) this.params[p.name] = tf.tensor(weights.get(p.name)!, [...p.shape]);
  }

  /**
   * L2-normalised embeddings ([n × embedding], row after row) of n RGB images (u8 NHWC at the
   * network's input size). With `flip`, each is the normalised sum of the embeddings of the image
   * and of its mirror image, as the LFW protocol allows. Read asynchronously, the only way webgpu
   * can return them under Node.
   */
  async embed(x: Uint8Array, n: number, flip = false): Promise<Float32Array> {
    return this.read(x, n, (xt) => {
      const one = this.def.forward(this.params, xt, 'infer');
      if (!flip) return one;
      const mirrored = tf.reverse(xt, 2) as tf.Tensor4D;
      const sum = tf.add(one, this.def.forward(this.params, mirrored, 'infer'));
      return tf.div(sum, tf.sqrt(tf.add(tf.sum(tf.square(sum), 1, true), 1e-10))) as tf.Tensor2D;
    });
  }

  /** The embedding layer's outputs before the neck ([n × embedding]): what the neck's moments are measured on. */
  async features(x: Uint8Array, n: number): Promise<Float32Array> {
    return this.read(x, n, (xt) => this.def.features(this.params, xt));
  }

  /** Runs `f` on n u8 images as a float tensor and reads its result back asynchronously. */
  private async read(x: Uint8Array, n: number, f: (xt: tf.Tensor4D) => tf.Tensor2D): Promise<Float32Array> {
    const s = this.def.input;
    const e = tf.tidy(() => f(tf.tensor4d(x, [n, s, s, 3], 'int32').toFloat() as tf.Tensor4D));
    try {
      return ((await e.data()) as Float32Array).slice();
    } finally {
      e.dispose();
    }
  }

  dispose(): void {
    for (const t of Object.values(this.params)) t.dispose();
  }
}

/** Cosine similarity of rows i and j of two row-major embedding matrices of width d. */
export function cosineRows(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < d; k++) {
    const x = a[i * d + k]!;
    const y = b[j * d + k]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
