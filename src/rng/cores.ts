/**
 * The raw generators: each gives a stream of uniform 32-bit unsigned integers and nothing else;
 * floats, integers, normals and shuffles are made from those words in one place (`Rng`).
 *
 * Two cores stay side by side because synx's outputs were made with both and must keep their
 * bytes: mulberry32 drew the data subsets, batches, eval pairs, initial weights and the shipped
 * ICT model; sfc32 drew every render. Moving either onto the other would change those outputs (and
 * every cached result keyed by them) for no gain: both are fast, portable (32-bit integer
 * arithmetic only, so the same words on every machine and in every thread) and pass PractRand's
 * or gjrand's tests at the sizes synx draws.
 */

/** A source of uniform 32-bit unsigned integers. */
export interface Core {
  /** The next word, in [0, 2^32). */
  next(): number;
}

/**
 * mulberry32 (Tommy Ettinger, 2017): one word of state, a Weyl step and a murmur-style output
 * mix. The state starts at the seed as given (mod 2^32), as in the reference code, so published
 * vectors apply directly.
 */
export class Mulberry32 implements Core {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/**
 * sfc32, Chris Doty-Humphrey's Small Fast Counting generator (PractRand): three words of chaotic
 * state and a counter, so no seed falls into a short cycle. Seeded like the reference: the counter
 * starts at 1 and the first 12 outputs are thrown away to mix the seed words.
 */
export class Sfc32 implements Core {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(a: number, b: number, c: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
}

/**
 * Folds a seed and stream numbers into one mulberry32 state, so that (seed, stream…) pairs give
 * unrelated sequences. Numbers are taken mod 2^32.
 */
export function mixSeed(seed: number, stream: readonly number[]): number {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  for (const x of stream) s = Math.imul(s ^ (x >>> 0), 0x85ebca6b) ^ (s >>> 13);
  return s >>> 0;
}

/** murmur3's 32-bit finaliser. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function combine(h: number, v: number): number {
  // Seeds and ids may exceed 32 bits; fold the high part in so they still give distinct keys.
  const lo = v | 0;
  const hi = Math.floor(v / 4294967296) | 0;
  h = mix32((h ^ lo) + 0x9e3779b9);
  return mix32((h ^ hi) + 0x7f4a7c15);
}

/**
 * The three sfc32 seed words of a key (any count of integers, each up to 2^53): a murmur3-style
 * hash, so that neighbouring keys (sample 4 and sample 5) give unrelated streams.
 */
export function keyWords(key: readonly number[]): [number, number, number] {
  let h = 0x243f6a88;
  for (const k of key) h = combine(h, k);
  return [mix32(h ^ 0x1), mix32(h ^ 0x2), mix32(h ^ 0x3)];
}
