import type { TrainParams } from '../plan/index.js';

/** The factor a `step` schedule multiplies the rate by after each of its epochs (FaceNet, ArcFace). */
export const STEP_DECAY = 0.1;

/** The parts of a run's params that fix its learning rate at each step. */
export type LrParams = Pick<TrainParams, 'lr' | 'epochs' | 'schedule' | 'warmup'>;

/**
 * The learning rate of the optimizer step `step` (0-based, counted over the whole run) of a run
 * with `stepsPerEpoch` steps per epoch. A function of the step count alone, which checkpoints
 * keep, so a resumed run applies the same rates as one that was never stopped.
 *
 * - warmup W epochs: the first round(W · stepsPerEpoch) steps ramp linearly, step i at
 *   lr · (i + 1) / steps, so the first step is small but never 0 (Goyal et al. 2017);
 * - cosine: after the warmup, lr · ½ (1 + cos(π t / T)) with t the steps since the warmup and T
 *   the steps left after it (Loshchilov & Hutter's SGDR, one cycle);
 * - step(e₁, e₂, …): lr · 0.1^k in epoch e (1-based), k the number of eᵢ below e, so
 *   `step(8)` trains epochs 1–8 at lr and epoch 9 on at lr/10; the warmup ramp multiplies it.
 */
export function learningRate(p: LrParams, stepsPerEpoch: number, step: number): number {
  const total = p.epochs * stepsPerEpoch;
  const warm = Math.min(total, Math.round((p.warmup ?? 0) * stepsPerEpoch));
  const ramp = step < warm ? (step + 1) / warm : 1;
  const s = p.schedule;
  if (!s) return p.lr * ramp;
  if (s.type === 'step') {
    const epoch = Math.floor(step / stepsPerEpoch) + 1;
    const k = s.epochs.filter((e) => epoch > e).length;
    return p.lr * STEP_DECAY ** k * ramp;
  }
  if (step < warm) return p.lr * ramp;
  const t = step - warm;
  const T = total - warm;
  return p.lr * 0.5 * (1 + Math.cos((Math.PI * t) / T));
}
