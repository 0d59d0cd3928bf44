import { describe, expect, it } from 'vitest';
import { streamRng, STREAM } from '../../src/render/rng.js';
import { keyedRng } from '../../src/rng/index.js';
import { isConst, sampleChoice, sampleDist } from '../../src/render/dist.js';

describe('streamRng', () => {
  it('gives the same sequence for the same key and different ones for different keys', () => {
    const a = streamRng(1988, 3, 4, STREAM.pose);
    const b = streamRng(1988, 3, 4, STREAM.pose);
    const seqA = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(seqA);
    for (const other of [streamRng(1989, 3, 4, STREAM.pose), streamRng(1988, 4, 3, STREAM.pose), streamRng(1988, 3, 4, STREAM.post), streamRng(1988, 3, -1, STREAM.pose)]) {
      expect(Array.from({ length: 8 }, () => other.u32())).not.toEqual(seqA);
    }
  });
});

describe('sampleDist', () => {
  it('draws constants, ranges and normals as specified', () => {
    const r = keyedRng(1);
    expect(sampleDist({ type: 'const', value: 3 }, r)).toBe(3);
    for (let i = 0; i < 100; i++) {
      const u = sampleDist({ type: 'uniform', lo: -90, hi: 90 }, r);
      expect(u).toBeGreaterThanOrEqual(-90);
      expect(u).toBeLessThan(90);
    }
    expect(sampleDist({ type: 'normal', mean: 5, sd: 0 }, r)).toBe(5);
  });

  it('picks mixture parts in proportion to their weights', () => {
    const r = keyedRng(2);
    const d = { type: 'mix' as const, parts: [{ weight: 0.6, dist: { type: 'const' as const, value: 1 } }, { weight: 0.2, dist: { type: 'const' as const, value: 2 } }, { weight: 0.2, dist: { type: 'const' as const, value: 3 } }] };
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleDist(d, r)]!++;
    expect(counts[1]! / n).toBeCloseTo(0.6, 1);
    expect(counts[2]! / n).toBeCloseTo(0.2, 1);
    expect(counts[3]! / n).toBeCloseTo(0.2, 1);
  });

  it('picks named choices from a mixture and knows constant distributions', () => {
    const r = keyedRng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      seen.add(sampleChoice({ type: 'mix', parts: [{ weight: 1, dist: { type: 'choice', name: 'noise' } }, { weight: 1, dist: { type: 'choice', name: 'plain' } }] }, r).name);
    }
    expect([...seen].sort()).toEqual(['noise', 'plain']);
    expect(isConst({ type: 'const', value: 0 }, 0)).toBe(true);
    expect(isConst({ type: 'normal', mean: 0, sd: 1 }, 0)).toBe(false);
    expect(isConst({ type: 'mix', parts: [{ weight: 1, dist: { type: 'uniform', lo: 0, hi: 0 } }] }, 0)).toBe(true);
  });
});
