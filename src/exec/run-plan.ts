import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { ProjectConfig } from '../config/index.js';
import type { Diagnostic } from '../diag/index.js';
import type { EventNode, EventSink, NodeOutcome, RunEvent, RunSummary } from '../events/index.js';
import type { Plan, PlanNode } from '../plan/index.js';
import type { Progress, Resources } from '../node/index.js';
import { Cache, openCache } from './cache.js';
import { computeNode, failureOf } from './compute-node.js';
import { currentEnvironment } from './environment.js';
import { criticalPathRanks, Dependencies, ReadyQueue, type Slots, type Taken } from './ready-queue.js';
import { RunRecorder } from './run-record.js';
import type { AnyNodeKind, ComputeOutcome, NodeRunner } from './runner.js';
import { newRunId, type NodeResult } from './runs.js';

/** Options of `runPlan`. Only `config` is required. */
export interface RunOptions {
  readonly config: ProjectConfig;
  /** The cache to use; default: `openCache(config.cache)`. */
  readonly cache?: Cache;
  /** Nodes at once; default `config.jobs`. CPU and GPU slots come from `config.cpus`/`config.gpus`. */
  readonly jobs?: number;
  /** Abort to stop: running nodes are cancelled, nothing partial is cached. */
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
  /** Where to write the run record; default `config.runs`; `false` writes none. */
  readonly runsDir?: string | false;
  readonly runId?: string;
  /** Least interval between two progress events of one node (ms); default 100. */
  readonly progressIntervalMs?: number;
  /**
   * Computes the nodes somewhere else (Slurm) instead of in this process. The run still decides
   * what is cached and what runs, and reports it the same way. Without `jobs`, a runner gets every
   * runnable node at once (the cluster queues them); CPU/GPU slots are the cluster's business.
   */
  readonly runner?: NodeRunner;
}

/** What `runPlan` returns: an outcome per node (plan order) and the summary. */
export interface RunResult {
  readonly runId: string;
  readonly file: string;
  readonly summary: RunSummary;
  readonly nodes: readonly NodeResult[];
  /** The run record written, if any. */
  readonly record?: string;
  /** Problems that stopped the run before any node (an unusable cache). */
  readonly diagnostics: readonly Diagnostic[];
}

function eventNode(n: PlanNode): EventNode {
  return { id: n.id, kind: n.kind, label: n.label };
}

/** What an unknown kind's node (or one whose `resources` throws) is given: one CPU. */
const ONE_CPU: Resources = { cpu: 1, gpu: 0, memoryMb: 0 };

/**
 * Runs a plan: every node not in the cache is computed (dependencies first, in parallel within
 * `jobs` and the CPU/GPU/memory slots of the config) and published into the cache. A failed node
 * skips its dependents while independent nodes go on. Never throws for a node's failure; the
 * result and the events say what happened.
 */
export async function runPlan(
  plan: Plan,
  kinds: ReadonlyMap<string, AnyNodeKind>,
  options: RunOptions,
): Promise<RunResult> {
  const { config } = options;
  const startedAt = Date.now();
  const runId = options.runId ?? newRunId(new Date(startedAt));
  const emit = (e: RunEvent): void => options.onEvent?.(e);
  // One internal signal for the run, linked to the caller's: every running node and lock wait
  // listens to it, so it may have many listeners (setMaxListeners silences Node's leak warning).
  const runAbort = new AbortController();
  setMaxListeners(0, runAbort.signal);
  const external = options.signal;
  if (external?.aborted) runAbort.abort(external.reason);
  const onExternalAbort = (): void => runAbort.abort(external?.reason);
  external?.addEventListener('abort', onExternalAbort, { once: true });
  const signal = runAbort.signal;
  const n = plan.nodes.length;

  let cache = options.cache;
  if (!cache) {
    const opened = openCache(config.cache);
    if (!opened.ok) {
      const summary: RunSummary = {
        total: n, ran: 0, cached: 0, failed: 0, skipped: 0, cancelled: n, seconds: 0, status: 'failed',
      };
      external?.removeEventListener('abort', onExternalAbort);
      return { runId, file: plan.file, summary, nodes: [], diagnostics: [opened.diagnostic] };
    }
    cache = opened.cache;
  }
  const store = cache;
  store.cleanLeftovers();

  const index = new Map(plan.nodes.map((node, i) => [node.id, i]));
  const deps = plan.nodes.map((node) => node.deps.map((d) => index.get(d)));
  if (deps.some((ds, i) => ds.some((d) => d === undefined || d >= i))) {
    throw new Error('runPlan: plan nodes are not in topological order or name unknown deps');
  }
  const graph = new Dependencies(deps as number[][]);
  const { dependents } = graph;

  const { cached, verified } = await findCached(plan, store, dependents, (node, problem) =>
    emit({
      type: 'cache-warning',
      time: Date.now(),
      node: eventNode(node),
      warning: { reason: 'corrupt-entry', entry: store.entryDir(node.fingerprint), label: node.label, problem },
    }),
  );

  const runner = options.runner;
  const jobs = Math.max(1, Math.floor(options.jobs ?? (runner ? Math.max(1, n) : config.jobs)));
  // A runner's nodes use the cluster's machines, not this one's: only `jobs` limits them.
  const limits: Slots = runner
    ? { jobs, cpu: Infinity, gpu: Infinity, memoryMb: Infinity }
    : {
        jobs,
        cpu: Math.max(1, config.cpus),
        gpu: Math.max(0, config.gpus),
        memoryMb: Math.max(1, Math.floor(os.totalmem() / 2 ** 20)),
      };
  const environment = currentEnvironment(config.backend);
  const results: (NodeResult | undefined)[] = new Array<NodeResult | undefined>(n).fill(undefined);
  const cachedAtStart = cached.filter(Boolean).length;
  const recorder = new RunRecorder({
    dir: options.runsDir === undefined ? config.runs : options.runsDir,
    runId,
    plan,
    startedAt,
    environment,
    results,
    warn: (warning) => emit({ type: 'cache-warning', time: Date.now(), warning }),
  });
  recorder.write('running');

  emit({
    type: 'run-start',
    time: Date.now(),
    runId,
    file: plan.file,
    nodes: plan.nodes.map(eventNode),
    cached: cachedAtStart,
    toRun: n - cachedAtStart,
    jobs,
  });

  // Ready nodes start on the longest chain of uncached work first (see ready-queue.ts).
  const rank = criticalPathRanks(
    dependents,
    plan.nodes.map((node, i) => (cached[i] ? undefined : estimate(kinds.get(node.kind), node, config))),
  );
  const queue = new ReadyQueue(rank, limits);
  const enqueue = (i: number): void => {
    const node = plan.nodes[i]!;
    queue.add(i, resourcesOf(kinds.get(node.kind), node, config));
  };
  // A node is released to its dependents when it is finished (ran or cached) or, for an eager
  // runner, as soon as it is handed over; a dependent whose deps are all released is ready.
  const handedOver: boolean[] = new Array<boolean>(n).fill(false);
  const release = (i: number): void => {
    // A dependent found cached at the start is finished by the start-up loop, not run.
    for (const j of graph.release(i)) if (!cached[j]) enqueue(j);
  };
  const record = (i: number, r: Omit<NodeResult, 'id' | 'kind' | 'label' | 'fingerprint'>): void => {
    const node = plan.nodes[i]!;
    results[i] = { id: node.id, kind: node.kind, label: node.label, fingerprint: node.fingerprint, ...r };
  };
  const finish = (i: number, r: Omit<NodeResult, 'id' | 'kind' | 'label' | 'fingerprint'>): void => {
    graph.end(i);
    record(i, r);
    if (r.outcome === 'ran' || r.outcome === 'failed') recorder.checkpoint();
    if (r.outcome === 'ran' || r.outcome === 'cached') release(i);
    else if (r.outcome === 'failed') {
      const because = plan.nodes[i]!.id;
      for (const j of graph.skipAfter(i)) {
        if (handedOver[j]) runner?.withdraw(plan.nodes[j]!.id);
        emit({ type: 'node-skipped', time: Date.now(), node: eventNode(plan.nodes[j]!), because });
        record(j, { outcome: 'skipped', because });
      }
    }
    // A cancelled node's dependents stay without a result and end as cancelled below.
  };
  for (let i = 0; i < n; i++) {
    if (cached[i]) {
      emit({ type: 'node-cached', time: Date.now(), node: eventNode(plan.nodes[i]!), source: 'entry' });
      finish(i, { outcome: 'cached' });
    } else if (deps[i]!.length === 0) enqueue(i);
    // Nodes with dependencies become ready when the last of them finishes (in `finish`).
  }

  const progressInterval = options.progressIntervalMs ?? 100;

  // How a node ended, whoever computed it, turned into events and a result. A node that already
  // has a result (withdrawn by a runner because a dependency failed) is not reported twice.
  const report = (i: number, out: ComputeOutcome): void => {
    const node = plan.nodes[i]!;
    if (graph.hasEnded(i)) return;
    const ev = eventNode(node);
    if (out.outcome === 'cached') {
      emit({ type: 'node-cached', time: Date.now(), node: ev, source: 'concurrent' });
      finish(i, { outcome: 'cached' });
    } else if (out.outcome === 'ran') {
      verified.add(node.fingerprint);
      emit({ type: 'node-finish', time: Date.now(), node: ev, status: 'ran', seconds: out.seconds });
      finish(i, { outcome: 'ran', seconds: out.seconds });
    } else if (out.outcome === 'failed') {
      emit({ type: 'node-finish', time: Date.now(), node: ev, status: 'failed', seconds: out.seconds, failure: out.failure });
      finish(i, { outcome: 'failed', seconds: out.seconds, failure: out.failure });
    } else if (out.seconds !== undefined) {
      emit({ type: 'node-finish', time: Date.now(), node: ev, status: 'cancelled', seconds: out.seconds });
      finish(i, { outcome: 'cancelled', seconds: out.seconds });
    } else {
      // Cancelled before it started (while waiting for its lock or its turn): no finish event.
      finish(i, { outcome: 'cancelled' });
    }
  };

  const execute = async (i: number, kind: AnyNodeKind | undefined, need: Resources): Promise<void> => {
    const node = plan.nodes[i]!;
    const ev = eventNode(node);
    if (!kind) {
      report(i, { outcome: 'failed', seconds: 0, failure: { reason: 'unknown-kind', kind: node.kind, label: node.label } });
      return;
    }
    const hooks = {
      onStart: (time: number) => emit({ type: 'node-start', time, node: ev }),
      onProgress: (progress: Progress, time: number) => emit({ type: 'node-progress', time, node: ev, progress }),
      onLog: (message: string, time: number) => {
        emit({ type: 'node-log', time, node: ev, message });
        // A kind's `warning: ` line is for the user (a dataset that lost files), not only the log.
        if (message.startsWith('warning: ')) {
          emit({ type: 'cache-warning', time, node: ev, warning: { reason: 'node', message: message.slice('warning: '.length) } });
        }
      },
    };
    let out: ComputeOutcome;
    if (runner) {
      const waitingOn = node.deps.filter((d) => !graph.hasEnded(index.get(d)!));
      try {
        out = await runner.run({ node, kind, resources: need, waitingOn, signal, ...hooks });
      } catch (e) {
        out = { outcome: 'failed', seconds: 0, failure: failureOf(e, `${runner.name} executor`, store.logFile(node.fingerprint)) };
      }
    } else {
      out = await computeNode({
        plan,
        node,
        kind,
        cache: store,
        config,
        signal,
        environment,
        verified,
        progressIntervalMs: progressInterval,
        ...hooks,
      });
    }
    report(i, out);
  };

  // A run in progress keeps the process alive, even while every node waits on something that
  // holds no handle of its own (a worker's message, a cancel).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolveAll) => {
    const pump = (): void => {
      for (let taken = signal.aborted ? undefined : queue.next(); taken; taken = signal.aborted ? undefined : queue.next()) {
        const t: Taken = taken;
        const node = plan.nodes[t.node]!;
        const kind = kinds.get(node.kind);
        handedOver[t.node] = true;
        void execute(t.node, kind, t.need).then(
          () => settle(t),
          () => settle(t),
        );
        // Dependents of a node handed to an eager runner can be handed over now (they wait in
        // the runner's queue, ordered after it).
        if (runner?.eager && kind) release(t.node);
      }
      if (queue.running === 0) resolveAll();
    };
    const settle = (t: Taken): void => {
      queue.done(t);
      pump();
    };
    signal.addEventListener('abort', () => pump(), { once: true });
    if (runner) {
      runner.open({ plan, runId, config, cache: store, warn: (message) => emit({ type: 'cache-warning', time: Date.now(), warning: { reason: 'runner', message } }) }).then(pump, (e: unknown) => {
        // A runner that cannot start fails every node it would have run.
        const failure = failureOf(e, `${runner.name} executor`, store.logFile(plan.nodes[0]?.fingerprint ?? 'run'));
        for (const i of queue.drain()) report(i, { outcome: 'failed', seconds: 0, failure });
        pump();
      });
    } else pump();
  });
  if (runner) await runner.close().catch(() => undefined);

  clearInterval(keepAlive);
  external?.removeEventListener('abort', onExternalAbort);
  for (let i = 0; i < n; i++) if (!graph.hasEnded(i)) finish(i, { outcome: 'cancelled' });
  const final = results as NodeResult[];
  const count = (o: NodeOutcome) => final.filter((r) => r.outcome === o).length;
  const summary: RunSummary = {
    total: n,
    ran: count('ran'),
    cached: count('cached'),
    failed: count('failed'),
    skipped: count('skipped'),
    cancelled: count('cancelled'),
    seconds: (Date.now() - startedAt) / 1000,
    status: count('failed') > 0 ? 'failed' : count('cancelled') > 0 ? 'cancelled' : 'ok',
  };
  const file = recorder.write(summary.status, summary);
  emit({ type: 'run-finish', time: Date.now(), runId, summary });
  return { runId, file: plan.file, summary, nodes: final, ...(file ? { record: file } : {}), diagnostics: [] };
}

/**
 * What is cached at the start: a stat-only check of every node, then a full re-hash of the cached
 * entries that a node about to run will read (in reverse order, so a corrupt input found there
 * makes its own inputs needed in turn). Eval and report entries are re-hashed too, even with no
 * node to read them: they are what people read (`runs show`, `report`, the published report), they
 * are small, and a tampered one would otherwise stay cached for good. A corrupt entry is reported,
 * removed and recomputed. `verified` holds the fingerprints re-hashed here.
 */
async function findCached(
  plan: Plan,
  store: Cache,
  dependents: readonly (readonly number[])[],
  onCorrupt: (node: PlanNode, problem: string) => void,
): Promise<{ cached: boolean[]; verified: Set<string> }> {
  const n = plan.nodes.length;
  const readByPeople = (i: number): boolean => plan.nodes[i]!.kind === 'eval' || plan.nodes[i]!.kind === 'report';
  const cached: boolean[] = new Array<boolean>(n).fill(false);
  const verified = new Set<string>();
  const corrupt = (i: number, problem: string): void => {
    const node = plan.nodes[i]!;
    onCorrupt(node, problem);
    store.remove(node.fingerprint);
  };
  for (let i = 0; i < n; i++) {
    const check = store.check(plan.nodes[i]!.fingerprint);
    if (check.state === 'ok') cached[i] = true;
    else if (check.state === 'corrupt') corrupt(i, check.problem);
  }
  for (let i = n - 1; i >= 0; i--) {
    if (!cached[i] || !(readByPeople(i) || dependents[i]!.some((j) => !cached[j]))) continue;
    const fp = plan.nodes[i]!.fingerprint;
    const check = await store.verify(fp);
    if (check.state === 'ok') verified.add(fp);
    else {
      cached[i] = false;
      corrupt(i, check.state === 'corrupt' ? check.problem : 'it disappeared');
    }
  }
  return { cached, verified };
}

/** A kind's estimate of a node's seconds; 1 when it makes none (an estimate is a hint, so a throw counts as none). */
function estimate(kind: AnyNodeKind | undefined, node: PlanNode, config: ProjectConfig): number {
  try {
    return kind?.estimateSeconds?.(node.params, config) ?? 1;
  } catch {
    return 1;
  }
}

/** What a node's kind asks for; one CPU for an unknown kind or one whose `resources` throws. */
function resourcesOf(kind: AnyNodeKind | undefined, node: PlanNode, config: ProjectConfig): Resources {
  if (!kind) return ONE_CPU;
  try {
    return kind.resources(node.params, config);
  } catch {
    return ONE_CPU;
  }
}
