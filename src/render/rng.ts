/**
 * The render's random streams: every (seed, identity, sample, stream) key gives its own
 * independent sequence (a keyed sfc32 stream from src/rng), so any image can be re-rendered alone
 * and shards never share state.
 */
import { keyedRng, type Rng } from '../rng/index.js';

/** Named streams, so that changing how many numbers one part draws never shifts another part. */
export const STREAM = {
  shape: 1,
  color: 2,
  expression: 3,
  pose: 4,
  illumination: 5,
  background: 6,
  post: 7,
  noise: 8,
  specular: 9,
} as const;

/** The sample index used for per-identity streams (shape, colour). */
export const IDENTITY_SAMPLE = -1;

/** The stream of one part of one image (or of one identity, with sample = IDENTITY_SAMPLE). */
export function streamRng(seed: number, id: number, sample: number, stream: number): Rng {
  return keyedRng(seed, id, sample, stream);
}
