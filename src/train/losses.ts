import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../plan/index.js';

/** The logit scale s of ArcFace/CosFace (the papers use 64 for 85k classes; 30 suits small sets). */
export const MARGIN_SOFTMAX_SCALE = 30;

/** Squared L2 distances between the rows of unit-norm embeddings: 2 − 2·cos, clipped at 0. */
export function pairwiseSq(e: tf.Tensor2D): tf.Tensor2D {
  return tf.relu(tf.sub(2, tf.mul(2, tf.matMul(e, e, false, true)))) as tf.Tensor2D;
}

/**
 * Online semi-hard triplets (FaceNet; TensorFlow's triplet_semihard_loss): for every
 * anchor–positive pair (a, p) in the batch, the negative n with the smallest d(a, n) still
 * greater than d(a, p); when there is none, the farthest negative. Returns (a·B + p, a·B + n)
 * index pairs into the flattened distance matrix.
 */
export function mineSemiHard(d: ArrayLike<number>, labels: ArrayLike<number>): { ap: number[]; an: number[] } {
  const b = labels.length;
  const ap: number[] = [];
  const an: number[] = [];
  for (let a = 0; a < b; a++) {
    for (let p = 0; p < b; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = d[a * b + p]!;
      let semi = -1;
      let semiD = Infinity;
      let far = -1;
      let farD = -Infinity;
      for (let n = 0; n < b; n++) {
        if (labels[n] === labels[a]) continue;
        const dan = d[a * b + n]!;
        if (dan > dap && dan < semiD) [semi, semiD] = [n, dan];
        if (dan > farD) [far, farD] = [n, dan];
      }
      const n = semi >= 0 ? semi : far;
      if (n < 0) continue;
      ap.push(a * b + p);
      an.push(a * b + n);
    }
  }
  return { ap, an };
}

/** Selects entries of a flat vector by index with a one-hot matMul (gather has no wasm gradient). */
function pick(flat: tf.Tensor2D, idx: readonly number[], size: number): tf.Tensor1D {
  const sel = tf.buffer([idx.length, size]);
  idx.forEach((j, i) => sel.set(1, i, j));
  return tf.matMul(sel.toTensor() as tf.Tensor2D, flat).reshape([idx.length]) as tf.Tensor1D;
}

/**
 * FaceNet triplet loss over squared distances, mean over the mined triplets. `mined` are
 * triplets mined beforehand (on backends that cannot read the distances synchronously, webgpu).
 */
export function tripletLoss(e: tf.Tensor2D, labels: Int32Array, margin: number, mined?: { ap: number[]; an: number[] }): tf.Scalar {
  const d = pairwiseSq(e);
  const b = labels.length;
  const { ap, an } = mined ?? mineSemiHard(d.dataSync(), labels);
  if (ap.length === 0) return tf.mul(tf.sum(e), 0) as tf.Scalar;
  const flat = d.reshape([b * b, 1]) as tf.Tensor2D;
  return tf.mean(tf.relu(tf.add(tf.sub(pick(flat, ap, b * b), pick(flat, an, b * b)), margin))) as tf.Scalar;
}

/**
 * ArcFace (cos(θ + m), with InsightFace's fallback cos θ − m·sin m past θ = π − m) or CosFace
 * (cos θ − m) on the target class, logits scaled by s, softmax cross-entropy. `w` is the
 * [embedding, classes] class-centre matrix, normalised by column here.
 */
export function marginSoftmaxLoss(
  e: tf.Tensor2D,
  w: tf.Tensor2D,
  labels: Int32Array,
  kind: 'arcface' | 'cosface',
  margin: number,
  scale = MARGIN_SOFTMAX_SCALE,
): tf.Scalar {
  const classes = w.shape[1];
  const wn = tf.div(w, tf.sqrt(tf.add(tf.sum(tf.square(w), 0, true), 1e-10)));
  const cos = tf.clipByValue(tf.matMul(e, wn), -1 + 1e-7, 1 - 1e-7) as tf.Tensor2D;
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
  let target: tf.Tensor;
  if (kind === 'cosface') {
    target = tf.sub(cos, margin);
  } else {
    const sin = tf.sqrt(tf.sub(1, tf.square(cos)));
    const phi = tf.sub(tf.mul(cos, Math.cos(margin)), tf.mul(sin, Math.sin(margin)));
    // Past θ = π − m, cos(θ + m) stops decreasing; InsightFace switches to cos θ − m·sin m there.
    // The switch is a mask with no gradient (step's is zero); computed on the device, as webgpu
    // cannot read cos back synchronously.
    const th = Math.cos(Math.PI - margin);
    const mask = tf.step(tf.sub(cos, th));
    target = tf.add(tf.mul(mask, phi), tf.mul(tf.sub(1, mask), tf.sub(cos, margin * Math.sin(Math.PI - margin))));
  }
  const logits = tf.mul(scale, tf.add(tf.mul(oneHot, target), tf.mul(tf.sub(1, oneHot), cos)));
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/**
 * The loss of a batch's embeddings, by name. `head` is the class-centre matrix of margin losses,
 * `scale` their logit scale.
 */
export function batchLoss(loss: Loss, e: tf.Tensor2D, labels: Int32Array, margin: number, head?: tf.Tensor2D, scale = MARGIN_SOFTMAX_SCALE): tf.Scalar {
  if (loss === 'triplet') return tripletLoss(e, labels, margin);
  if (!head) throw new Error(`${loss} needs a class-centre head`);
  return marginSoftmaxLoss(e, head, labels, loss, margin, scale);
}
