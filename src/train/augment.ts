// Training-time augmentation (`pretrain with augment flip`): changes to a batch's images made
// after they are loaded at the network's input size and before the gradients are computed.
import { seededRng } from '../rng/index.js';

/**
 * Which of a batch's `n` images are mirrored, each with probability ½: one draw per image, in
 * batch order, from a stream of the run's seed, the epoch and the step. The same seed gives the
 * same choices, and a run resumed after epoch e draws what an uninterrupted one would have.
 */
export function flipChoices(seed: number, epoch: number, step: number, n: number): boolean[] {
  const rng = seededRng(seed, 0xf11b, epoch, step);
  return Array.from({ length: n }, () => rng.uniform() < 0.5);
}

/**
 * Mirrors the chosen images of a u8 NHWC batch of size × size RGB images left to right, in place:
 * pixel (row, col) takes the value of (row, size − 1 − col), as `tf.reverse(x, 2)` does at eval.
 */
export function mirrorImages(x: Uint8Array, size: number, which: readonly boolean[]): void {
  const row = size * 3;
  const per = size * row;
  for (const [i, flip] of which.entries()) {
    if (!flip) continue;
    for (let r = 0; r < size; r++) {
      const start = i * per + r * row;
      for (let a = 0, b = size - 1; a < b; a++, b--) {
        const pa = start + a * 3;
        const pb = start + b * 3;
        for (let c = 0; c < 3; c++) {
          const t = x[pa + c]!;
          x[pa + c] = x[pb + c]!;
          x[pb + c] = t;
        }
      }
    }
  }
}
