/**
 * A counter-based random stream: every (seed, identity, sample, stream) key gives its own
 * independent sequence, so any image can be re-rendered alone and shards never share state.
 * sfc32 seeded through a murmur3-style mix; only 32-bit integer arithmetic, so the bytes are the
 * same on every machine and in every thread.
 */

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
} as const;

/** The sample index used for per-identity streams (shape, colour). */
export const IDENTITY_SAMPLE = -1;

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

/** A seeded random stream (sfc32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(...key: readonly number[]) {
    let h = 0x243f6a88;
    for (const k of key) h = combine(h, k);
    this.a = mix32(h ^ 0x1);
    this.b = mix32(h ^ 0x2);
    this.c = mix32(h ^ 0x3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    const hi = this.u32() >>> 5;
    const lo = this.u32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
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
}

/** The stream of one part of one image (or of one identity, with sample = IDENTITY_SAMPLE). */
export function streamRng(seed: number, id: number, sample: number, stream: number): Rng {
  return new Rng(seed, id, sample, stream);
}
