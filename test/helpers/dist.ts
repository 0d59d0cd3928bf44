// Distributions for render tests that want one fixed value.
import type { Dist } from '../../src/plan/index.js';

/** The constant distribution at `value`. */
export const constDist = (value: number): Dist => ({ type: 'const', value });
