// Which node of a run starts next: pure bookkeeping over node indices, no I/O and no clock, so
// the order a run starts its nodes in can be tested on small hand-drawn DAGs.
import type { Resources } from '../node/index.js';

/** Room for running nodes: how many at once, and the CPU, GPU and memory they may hold together. */
export interface Slots {
  readonly jobs: number;
  readonly cpu: number;
  readonly gpu: number;
  readonly memoryMb: number;
}

/**
 * Critical-path ranks: a node's rank is its own estimated seconds plus the largest rank among its
 * dependents, so ready nodes at the head of the longest chain of work start first. `seconds[i]`
 * is node i's estimate; `undefined` marks a node with nothing to do (cached): its rank is 0 and
 * it adds nothing to the chains through it. An estimate that is not a finite number ≥ 0 counts
 * as 1. Nodes are in topological order (dependents after their dependencies).
 */
export function criticalPathRanks(
  dependents: readonly (readonly number[])[],
  seconds: readonly (number | undefined)[],
): Float64Array {
  const rank = new Float64Array(dependents.length);
  for (let i = dependents.length - 1; i >= 0; i--) {
    const s = seconds[i];
    if (s === undefined) continue;
    const own = Number.isFinite(s) && s >= 0 ? s : 1;
    let after = 0;
    for (const j of dependents[i]!) after = Math.max(after, rank[j]!);
    rank[i] = own + after;
  }
  return rank;
}

/** A node taken from the queue: what it asked for, and the slots booked for it until `done`. */
export interface Taken {
  readonly node: number;
  readonly need: Resources;
  readonly booked: Slots;
}

interface Waiting {
  readonly node: number;
  readonly need: Resources;
}

/**
 * Ready nodes in start order (highest rank first; equal ranks in plan order, so runs repeat),
 * and the slots that running nodes hold. `next` hands out the first waiting node that fits the
 * free slots; a node asking for more than `limits` still runs, alone (its demand is cut to the
 * limits and it is let in when nothing else runs).
 */
export class ReadyQueue {
  private readonly waiting: Waiting[] = [];
  private used = { jobs: 0, cpu: 0, gpu: 0, memoryMb: 0 };

  constructor(
    private readonly rank: ArrayLike<number>,
    private readonly limits: Slots,
  ) {}

  /** Nodes waiting for a slot. */
  get size(): number {
    return this.waiting.length;
  }

  /** Nodes taken and not yet `done`. */
  get running(): number {
    return this.used.jobs;
  }

  /** Node i is ready; `need` is what its kind asks for. */
  add(node: number, need: Resources): void {
    const r = this.rank[node]!;
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.waiting[mid]!.node;
      if (this.rank[m]! > r || (this.rank[m] === r && m < node)) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, { node, need });
  }

  /** The first waiting node that fits what is free, with its slots booked; undefined if none fits. */
  next(): Taken | undefined {
    if (this.used.jobs >= this.limits.jobs) return undefined;
    for (let k = 0; k < this.waiting.length; k++) {
      const { node, need } = this.waiting[k]!;
      const want: Slots = {
        jobs: 1,
        cpu: Math.min(Math.max(0, need.cpu), this.limits.cpu),
        gpu: Math.min(Math.max(0, need.gpu), this.limits.gpu),
        memoryMb: Math.min(Math.max(0, need.memoryMb), this.limits.memoryMb),
      };
      const u = this.used;
      const fits =
        u.jobs === 0 ||
        (u.cpu + want.cpu <= this.limits.cpu && u.gpu + want.gpu <= this.limits.gpu && u.memoryMb + want.memoryMb <= this.limits.memoryMb);
      if (!fits) continue;
      this.waiting.splice(k, 1);
      this.used = { jobs: u.jobs + 1, cpu: u.cpu + want.cpu, gpu: u.gpu + want.gpu, memoryMb: u.memoryMb + want.memoryMb };
      return { node, need, booked: want };
    }
    return undefined;
  }

  /** A taken node has ended: its slots are free again. */
  done(taken: Taken): void {
    const u = this.used;
    const b = taken.booked;
    this.used = { jobs: u.jobs - b.jobs, cpu: u.cpu - b.cpu, gpu: u.gpu - b.gpu, memoryMb: u.memoryMb - b.memoryMb };
  }

  /** Removes and returns every waiting node, in start order. */
  drain(): number[] {
    return this.waiting.splice(0).map((w) => w.node);
  }
}

/**
 * Which nodes wait on which. A node is ready when every dependency is released (it finished, or
 * was handed to an eager runner that orders it after them); the dependents of a failed node are
 * skipped, and theirs in turn. Indices are plan positions, dependencies before dependents.
 */
export class Dependencies {
  /** For each node, the nodes that depend on it. */
  readonly dependents: readonly (readonly number[])[];
  private readonly waitingOn: number[];
  private readonly released: boolean[];
  private readonly ended: boolean[];

  constructor(deps: readonly (readonly number[])[]) {
    const dependents: number[][] = deps.map(() => []);
    deps.forEach((ds, i) => ds.forEach((d) => dependents[d]!.push(i)));
    this.dependents = dependents;
    this.waitingOn = deps.map((ds) => ds.length);
    this.released = deps.map(() => false);
    this.ended = deps.map(() => false);
  }

  /** Node i has an outcome; a node ends once. */
  end(i: number): void {
    if (this.ended[i]) throw new Error(`node ${i} ended twice`);
    this.ended[i] = true;
  }

  /** Whether node i has an outcome. */
  hasEnded(i: number): boolean {
    return this.ended[i]!;
  }

  /** Node i no longer holds its dependents back: returns those that now wait on nothing and have not ended. */
  release(i: number): number[] {
    if (this.released[i]) return [];
    this.released[i] = true;
    const ready: number[] = [];
    for (const j of this.dependents[i]!) if (--this.waitingOn[j]! === 0 && !this.ended[j]) ready.push(j);
    return ready;
  }

  /**
   * Node i failed (or was skipped): the nodes to skip because of it, those that depend on it and
   * have not ended, and theirs, depth first in plan order of dependents. Each is marked ended.
   */
  skipAfter(i: number): number[] {
    const skipped: number[] = [];
    const visit = (k: number): void => {
      for (const j of this.dependents[k]!) {
        if (this.ended[j]) continue;
        this.ended[j] = true;
        skipped.push(j);
        visit(j);
      }
    };
    visit(i);
    return skipped;
  }
}
