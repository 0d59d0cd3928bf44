/** One measured number of a benchmark. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** A target from the issue, if there is one, and whether it was met. */
  readonly target?: string;
  readonly note?: string;
}

/** A benchmark file exports one of these as default. */
export interface Bench {
  readonly name: string;
  run(): Promise<BenchResult[]>;
}

/** Wall-clock seconds of `fn`, best of `repeat` runs (the least disturbed by other load). */
export async function timeBest(fn: () => Promise<unknown> | unknown, repeat = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}
