import { keyWords, mixSeed, Mulberry32, Sfc32, type Core } from './cores.js';

/**
 * How a stream makes floats and normals from its words. Each stream keeps the recipe its outputs
 * were made with (changing it would change their bytes):
 * - `word` (data, train, eval, the ICT model generator): a float is one word / 2^32 (32 bits); a
 *   normal is Box–Muller from two floats, u = 1 − float (so never 0) and its cosine half only.
 * - `double` (renders): a float is 53 bits from two words; a normal is a Box–Muller pair (u redrawn
 *   while 0), the sine half kept for the next call.
 */
export type Recipe = 'word' | 'double';

/** A seeded random stream: every draw synx makes, derived from one core's 32-bit words. */
export class Rng {
  private readonly double: boolean;
  /** The second normal of a `double` Box–Muller pair, not yet handed out. */
  private spare: number | null = null;

  constructor(
    private readonly core: Core,
    readonly recipe: Recipe,
  ) {
    this.double = recipe === 'double';
  }

  /** A uniform 32-bit unsigned integer: the core's next word. */
  u32(): number {
    return this.core.next();
  }

  /** Uniform in [0, 1): 32 bits (`word`) or 53 bits (`double`). */
  uniform(): number {
    if (!this.double) return this.core.next() / 4294967296;
    const hi = this.core.next() >>> 5;
    const lo = this.core.next() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal draw (Box–Muller, as the recipe says). */
  normal(): number {
    if (!this.double) {
      const u = 1 - this.uniform();
      const v = this.uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.uniform();
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle (from the last element down), in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }

  /** One element, each equally likely (one `int` draw). Throws on an empty array: a bug. */
  choice<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.choice: empty array');
    return xs[this.int(xs.length)]!;
  }
}

/**
 * The stream of a key (any count of integers, e.g. seed, identity, sample, part): sfc32 with the
 * `double` recipe. Every key has its own independent sequence, so any image can be re-rendered
 * alone and shards never share state.
 */
export function keyedRng(...key: readonly number[]): Rng {
  const [a, b, c] = keyWords(key);
  return new Rng(new Sfc32(a, b, c), 'double');
}

/**
 * The stream of a seed and stream numbers (e.g. a training seed and a constant naming what is
 * drawn: subset, batches, weights): mulberry32 with the `word` recipe.
 */
export function seededRng(seed: number, ...stream: readonly number[]): Rng {
  return new Rng(new Mulberry32(mixSeed(seed, stream)), 'word');
}

/** Plain mulberry32 from a 32-bit seed, `word` recipe (the ICT model generator's stream). */
export function mulberry32Rng(seed: number): Rng {
  return new Rng(new Mulberry32(seed), 'word');
}
