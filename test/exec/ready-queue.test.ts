import { describe, expect, it } from 'vitest';
import { criticalPathRanks, Dependencies, ReadyQueue, type Slots } from '../../src/exec/index.js';

const cpu = (n: number) => ({ cpu: n, gpu: 0, memoryMb: 0 });
const ALL: Slots = { jobs: 8, cpu: 8, gpu: 2, memoryMb: 1000 };
/** Takes nodes until none fits; returns their indices. */
const takeAll = (q: ReadyQueue) => {
  const out: number[] = [];
  for (let t = q.next(); t; t = q.next()) out.push(t.node);
  return out;
};

describe('criticalPathRanks', () => {
  // a(0) → b(1) → d(3), a → c(2) → d, and e(4) on its own.
  const dependents = [[1, 2], [3], [3], [], []];

  it('adds a node\'s own seconds to the longest chain after it', () => {
    // d = 4; b = 3 + 4 = 7; c = 1 + 4 = 5; a = 2 + max(7, 5) = 9; e = 5.
    expect([...criticalPathRanks(dependents, [2, 3, 1, 4, 5])]).toEqual([9, 7, 5, 4, 5]);
  });

  it('gives a cached node rank 0, so the chain through it counts no work after it', () => {
    // b cached: b = 0; a = 2 + max(0, c = 5) = 7.
    expect([...criticalPathRanks(dependents, [2, undefined, 1, 4, 5])]).toEqual([7, 0, 5, 4, 5]);
  });

  it('counts an estimate that is not a finite number ≥ 0 as 1', () => {
    // d = 1 (NaN); b = 1 (-1) + 1 = 2; c = 1 (Infinity) + 1 = 2; a = 0 + 2 = 2; e = 1 (-Infinity).
    expect([...criticalPathRanks(dependents, [0, -1, Infinity, Number.NaN, -Infinity])]).toEqual([2, 2, 2, 1, 1]);
  });

  it('with every estimate 1, ranks by the number of nodes on the longest chain', () => {
    expect([...criticalPathRanks(dependents, [1, 1, 1, 1, 1])]).toEqual([3, 2, 2, 1, 1]);
  });
});

describe('ReadyQueue', () => {
  it('hands out the highest rank first and breaks ties in plan order, whatever the order added', () => {
    const q = new ReadyQueue([9, 7, 5, 4, 5], ALL);
    for (const i of [4, 3, 2, 1, 0]) q.add(i, cpu(0));
    expect(q.size).toBe(5);
    // c (2) and e (4) both rank 5: c first, as it comes first in the plan.
    expect(takeAll(q)).toEqual([0, 1, 2, 4, 3]);
    expect(q.size).toBe(0);
    expect(q.running).toBe(5);
  });

  it('puts a node that becomes ready later ahead of lower-ranked waiting nodes', () => {
    const q = new ReadyQueue([1, 1, 5, 1], { ...ALL, jobs: 1 });
    q.add(3, cpu(1));
    q.add(1, cpu(1));
    const first = q.next()!;
    expect(first.node).toBe(1);
    q.add(2, cpu(1));
    q.add(0, cpu(1));
    q.done(first);
    expect(takeAll(q)).toEqual([2]);
    expect(q.drain()).toEqual([0, 3]);
  });

  it('starts no more than `jobs` nodes at once', () => {
    const q = new ReadyQueue([3, 2, 1], { ...ALL, jobs: 2 });
    [0, 1, 2].forEach((i) => q.add(i, cpu(1)));
    const taken = [q.next()!, q.next()!];
    expect(taken.map((t) => t.node)).toEqual([0, 1]);
    expect(q.next()).toBeUndefined();
    q.done(taken[1]!);
    expect(q.next()?.node).toBe(2);
  });

  it('skips a node that does not fit the free CPUs for a lower-ranked one that does', () => {
    // 4 CPUs: node 0 takes 3; node 1 (2 CPUs) waits; node 2 (1 CPU) fills the last one.
    const q = new ReadyQueue([3, 2, 1], { ...ALL, cpu: 4 });
    q.add(0, cpu(3));
    q.add(1, cpu(2));
    q.add(2, cpu(1));
    const a = q.next()!;
    expect(a).toEqual({ node: 0, need: cpu(3), booked: { jobs: 1, cpu: 3, gpu: 0, memoryMb: 0 } });
    expect(q.next()?.node).toBe(2);
    expect(q.next()).toBeUndefined();
    q.done(a);
    expect(q.next()?.node).toBe(1);
  });

  it('keeps GPUs and memory within their limits too', () => {
    // 1 GPU, 100 MB: the two GPU nodes run one after the other; node 2's 80 MB waits for node 3's 30.
    const q = new ReadyQueue([4, 3, 2, 1], { ...ALL, gpu: 1, memoryMb: 100 });
    q.add(0, { cpu: 1, gpu: 1, memoryMb: 10 });
    q.add(1, { cpu: 1, gpu: 1, memoryMb: 10 });
    q.add(2, { cpu: 1, gpu: 0, memoryMb: 80 });
    q.add(3, { cpu: 1, gpu: 0, memoryMb: 30 });
    const a = q.next()!;
    // Used: 1 GPU, 10 MB. Node 1 lacks a GPU; node 2 fits (90 MB); node 3 does not (120 MB).
    const b = q.next()!;
    expect([a.node, b.node]).toEqual([0, 2]);
    expect(q.next()).toBeUndefined();
    q.done(b);
    // Node 1 still lacks a GPU; node 3 fits in the 90 MB now free.
    expect(q.next()?.node).toBe(3);
    q.done(a);
    expect(q.next()?.node).toBe(1);
  });

  it('runs a node that asks for more than the machine has, but only alone', () => {
    const q = new ReadyQueue([2, 1, 3], { ...ALL, cpu: 4 });
    q.add(0, cpu(16));
    q.add(1, cpu(1));
    q.add(2, cpu(1));
    // Node 2 (rank 3) starts; the 16-CPU node waits for an empty machine, node 1 may pass it.
    const small = q.next()!;
    expect(small.node).toBe(2);
    const other = q.next()!;
    expect(other.node).toBe(1);
    q.done(small);
    expect(q.next()).toBeUndefined();
    q.done(other);
    const big = q.next()!;
    // Its demand is cut to the machine's 4 CPUs, so it holds the machine and nothing else.
    expect(big).toEqual({ node: 0, need: cpu(16), booked: { jobs: 1, cpu: 4, gpu: 0, memoryMb: 0 } });
    expect(q.running).toBe(1);
  });

  it('books a negative demand as zero and frees exactly what it booked', () => {
    const q = new ReadyQueue([2, 1], { ...ALL, cpu: 1 });
    q.add(0, { cpu: -3, gpu: -1, memoryMb: -5 });
    q.add(1, cpu(1));
    const a = q.next()!;
    expect(a.booked).toEqual({ jobs: 1, cpu: 0, gpu: 0, memoryMb: 0 });
    const b = q.next()!;
    expect(b.node).toBe(1);
    q.done(a);
    q.done(b);
    expect(q.running).toBe(0);
    q.add(0, cpu(1));
    expect(q.next()?.node).toBe(0);
  });

  it('drains its waiting nodes in start order', () => {
    const q = new ReadyQueue([1, 3, 2], ALL);
    [0, 1, 2].forEach((i) => q.add(i, cpu(1)));
    expect(q.drain()).toEqual([1, 2, 0]);
    expect(q.next()).toBeUndefined();
  });
});

describe('Dependencies', () => {
  // a(0) → b(1) → d(3) ← c(2) ← a, d → f(5), and e(4) on its own.
  const deps = [[], [0], [0], [1, 2], [], [3]];

  it('makes a node ready once every dependency is released, and only once', () => {
    const g = new Dependencies(deps);
    expect(g.dependents).toEqual([[1, 2], [3], [3], [5], [], []]);
    expect(g.release(0)).toEqual([1, 2]);
    expect(g.release(0)).toEqual([]);
    expect(g.release(1)).toEqual([]);
    expect(g.release(2)).toEqual([3]);
    expect(g.release(3)).toEqual([5]);
  });

  it('does not make ready a node that has ended already', () => {
    const g = new Dependencies(deps);
    g.end(0);
    g.end(1);
    expect(g.release(0)).toEqual([2]);
    expect(g.hasEnded(1)).toBe(true);
    expect(() => g.end(1)).toThrow(/ended twice/);
  });

  it("skips a failed node's dependents and theirs, depth first, each once", () => {
    const g = new Dependencies(deps);
    g.end(0);
    // b, then b's dependent d and d's f, then c (d is skipped already); e is independent.
    expect(g.skipAfter(0)).toEqual([1, 3, 5, 2]);
    expect([0, 1, 2, 3, 4, 5].map((i) => g.hasEnded(i))).toEqual([true, true, true, true, false, true]);
    expect(g.skipAfter(2)).toEqual([]);
  });

  it('leaves alone dependents that ended before the failure', () => {
    const g = new Dependencies(deps);
    g.end(1);
    g.end(2);
    expect(g.skipAfter(2)).toEqual([3, 5]);
  });
});
