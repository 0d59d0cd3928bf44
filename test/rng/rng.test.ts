import { describe, expect, it } from 'vitest';
import { keyedRng, keyWords, mixSeed, Mulberry32, mulberry32Rng, Rng, seededRng, Sfc32, type Core, type Recipe } from '../../src/rng/index.js';

/** A core that hands out the given words, in order. */
function scripted(...words: number[]): Core {
  let i = 0;
  return {
    next: () => {
      if (i >= words.length) throw new Error('scripted core: out of words');
      return words[i++]!;
    },
  };
}

const rngOf = (recipe: Recipe, ...words: number[]) => new Rng(scripted(...words), recipe);
const take = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('the cores, against published vectors', () => {
  it('mulberry32 gives the reference outputs for seeds 0, 1 and 42', () => {
    // The first outputs of Tommy Ettinger's reference mulberry32, as pinned by independent ports
    // (e.g. the Go, Rust and JS ports in public game and PRNG libraries).
    const words = (seed: number) => {
      const c = new Mulberry32(seed);
      return take(5, () => c.next());
    };
    expect(words(0)).toEqual([1144304738, 1416247, 958946056, 627933444, 2007157716]);
    expect(words(1)).toEqual([2693262067, 11749833, 2265367787, 4213581821, 4159151403]);
    expect(words(42)).toEqual([2581720956, 1925393290, 3661312704, 2876485805, 750819978]);
    // Seeds are taken mod 2^32.
    expect(words(2 ** 32 + 1)).toEqual(words(1));
  });

  it('sfc32 gives the reference outputs for (0, 12345, 0), counter 1, 12 outputs discarded', () => {
    // The example of simblob.blogspot.com/2022/05/upgrading-prng.html, as pinned by
    // github.com/maloquacious/prng's sfc32_test.go.
    const c = new Sfc32(0, 12345, 0);
    expect(take(10, () => c.next())).toEqual([235160590, 2967261163, 116171463, 2882324903, 362604721, 4227106926, 1933307004, 1608300071, 2256615412, 2701957640]);
  });
});

describe('seeding, against an independent Python implementation', () => {
  // Values from a Python rewrite of the seeding and both cores with explicit mod-2^32
  // arithmetic (no shared code): they pin the seeds every existing output was drawn from.
  it('folds a seed and stream numbers into one mulberry32 state', () => {
    expect(mixSeed(5, [7])).toBe(3437403794);
    expect(mixSeed(2 ** 32 + 5, [0x1a6e, 3])).toBe(1936306702);
    const r = seededRng(2024, 0x5ab5e7);
    expect(take(4, () => r.u32())).toEqual([883938786, 3415294506, 4178445952, 788676159]);
  });

  it('hashes a key (negative and above 2^32 included) into three sfc32 words', () => {
    expect(keyWords([1988, 3, 4, 4])).toEqual([577705052, 3157559203, 535335498]);
    expect(keyWords([-1])).toEqual([3522403934, 274464448, 2793579564]);
    expect(keyWords([2 ** 40 + 3, -1])).toEqual([2009266960, 2685420784, 1993171340]);
    const r = keyedRng(1988, 3, 4, 4);
    expect(take(4, () => r.u32())).toEqual([1078878651, 2291070501, 541530180, 811532320]);
  });

  it('plain mulberry32 starts from the seed itself', () => {
    const r = mulberry32Rng(42);
    expect(r.u32()).toBe(2581720956);
    expect(mulberry32Rng(0).uniform()).toBe(1144304738 / 2 ** 32);
  });
});

describe('derived draws, by hand', () => {
  it('word floats are one word / 2^32; double floats take 53 bits from two words', () => {
    const w = rngOf('word', 0, 2 ** 31, 2 ** 32 - 1);
    expect(take(3, () => w.uniform())).toEqual([0, 0.5, 1 - 2 ** -32]);
    // 27 high bits of the first word, 26 of the second.
    const d = rngOf('double', 2 ** 31, 0, 2 ** 32 - 1, 2 ** 32 - 1, 0, 2 ** 6);
    expect(take(3, () => d.uniform())).toEqual([0.5, 1 - 2 ** -53, 2 ** -53]);
  });

  it('int(n) floors float × n', () => {
    expect(rngOf('word', 2 ** 31).int(3)).toBe(1);
    expect(rngOf('word', 2 ** 32 - 1).int(10)).toBe(9);
    expect(rngOf('double', 3 * 2 ** 30, 0).int(8)).toBe(6);
  });

  it('word normals: Box–Muller with u = 1 − float and the cosine half, two words each', () => {
    // u = 1 − 1/2, v = 0: √(−2 ln ½) · cos 0 = √(2 ln 2).
    const r = rngOf('word', 2 ** 31, 0, 0, 2 ** 30);
    expect(r.normal()).toBeCloseTo(Math.sqrt(2 * Math.LN2), 15);
    // A zero word gives u = 1, not 0: a finite (negative) zero, never −∞ or NaN.
    expect(r.normal()).toBe(-0);
  });

  it('double normals: a Box–Muller pair, u = 0 redrawn, the sine half handed out next', () => {
    // u: 0 (redrawn), then 1/2; v = 1/4: r = √(2 ln 2), r·cos(π/2) ≈ 0 first, then r·sin(π/2) = r.
    const r = rngOf('double', 0, 0, 2 ** 31, 0, 2 ** 30, 0);
    expect(r.normal()).toBeCloseTo(0, 15);
    expect(r.normal()).toBeCloseTo(Math.sqrt(2 * Math.LN2), 15);
    expect(() => r.normal()).toThrow('out of words');
  });

  it('shuffle is Fisher–Yates from the last element down', () => {
    // All-zero words: j = 0 each time, swapping positions 3↔0, 2↔0, 1↔0.
    expect(rngOf('word', 0, 0, 0).shuffle(['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd', 'a']);
    // Largest words: j = i each time, nothing moves.
    expect(rngOf('word', 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1).shuffle(['a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(rngOf('word').shuffle([])).toEqual([]);
  });

  it('choice picks index int(length) and refuses an empty array', () => {
    expect(rngOf('word', 3 * 2 ** 30).choice(['a', 'b', 'c', 'd'])).toBe('d');
    expect(() => rngOf('word', 0).choice([])).toThrow('empty');
  });
});

describe('distributions', () => {
  const streams: [string, () => Rng][] = [
    ['keyed (sfc32, double)', () => keyedRng(42)],
    ['seeded (mulberry32, word)', () => seededRng(42, 7)],
  ];
  for (const [name, make] of streams) {
    it(`${name}: uniform and normal moments match the standard values`, () => {
      const r = make();
      const n = 40000;
      let su = 0;
      let su2 = 0;
      let sn = 0;
      let sn2 = 0;
      let sn4 = 0;
      let lo = 1;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        const u = r.uniform();
        lo = Math.min(lo, u);
        hi = Math.max(hi, u);
        su += u;
        su2 += u * u;
        const z = r.normal();
        sn += z;
        sn2 += z * z;
        sn4 += z ** 4;
      }
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThan(1);
      // Uniform: mean 1/2 (se 0.0014), variance 1/12; normal: mean 0 (se 0.005), variance 1
      // (se 0.007), fourth moment 3 (se 0.05). Bounds are about 5 standard errors.
      expect(Math.abs(su / n - 0.5)).toBeLessThan(0.007);
      expect(Math.abs(su2 / n - (su / n) ** 2 - 1 / 12)).toBeLessThan(0.003);
      expect(Math.abs(sn / n)).toBeLessThan(0.025);
      expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.04);
      expect(Math.abs(sn4 / n - 3)).toBeLessThan(0.25);
    });

    it(`${name}: int and shuffle are uniform (chi-square)`, () => {
      const r = make();
      const n = 60000;
      const counts = new Array<number>(6).fill(0);
      for (let i = 0; i < n; i++) counts[r.int(6)]!++;
      const perms = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const p = r.shuffle([0, 1, 2]).join('');
        perms.set(p, (perms.get(p) ?? 0) + 1);
      }
      expect(perms.size).toBe(6);
      // 5 degrees of freedom: P(χ² > 20.5) ≈ 0.001.
      const chi2 = (xs: number[]) => xs.reduce((a, c) => a + (c - n / 6) ** 2 / (n / 6), 0);
      expect(chi2(counts)).toBeLessThan(20.5);
      expect(chi2([...perms.values()])).toBeLessThan(20.5);
    });
  }
});
