/**
 * Seeded random numbers for everything data, train and eval draw (subsets, batches, pairs,
 * initial weights): mulberry32, so one seed gives the same stream on every machine.
 */
export class Rng {
  private state: number;

  constructor(seed: number, ...stream: number[]) {
    let s = (seed >>> 0) ^ 0x9e3779b9;
    for (const x of stream) s = Math.imul(s ^ (x >>> 0), 0x85ebca6b) ^ (s >>> 13);
    this.state = s >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher–Yates shuffle, in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}
