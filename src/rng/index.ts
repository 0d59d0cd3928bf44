// Seeded random numbers for every stage: one `Rng` holding every derived draw (floats, integers,
// normals, shuffles, choices) over the raw generator cores synx's outputs were made with. A leaf:
// it imports nothing from synx, so data, render, train, eval and the scripts can all use it.
export { keyedRng, mulberry32Rng, Rng, seededRng } from './rng.js';
export type { Recipe } from './rng.js';
export { keyWords, mixSeed, Mulberry32, Sfc32 } from './cores.js';
export type { Core } from './cores.js';
