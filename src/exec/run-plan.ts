import { setMaxListeners } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import type { ProjectConfig } from '../config/index.js';
import type { Diagnostic } from '../diag/index.js';
import type { EventNode, EventSink, NodeError, NodeOutcome, RunEvent, RunSummary } from '../events/index.js';
import type { Plan, PlanNode } from '../plan/index.js';
import { KIND_VERSIONS } from '../plan/index.js';
import type { JsonValue } from '../util/index.js';
import { Cache, openCache } from './cache.js';
import { currentEnvironment, type Environment } from './environment.js';
import { NodeFailure, type NodeContext, type NodeInput, type NodeKind, type Progress, type Resources } from '../node/index.js';
import { newRunId, writeRunRecord, type NodeResult, type RunRecord } from './runs.js';

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

/** One node handed to a `NodeRunner`, with callbacks for what it reports while it runs. */
export interface RunnerTask extends NodeHooks {
  readonly node: PlanNode;
  readonly kind: AnyNodeKind;
  /** What the kind says it needs (a Slurm runner asks the cluster for it). */
  readonly resources: Resources;
  /** Dependencies handed to this runner and not finished yet: an eager runner orders the node after them. */
  readonly waitingOn: readonly string[];
  /** Aborted when the run is cancelled: stop the node, cache nothing partial. */
  readonly signal: AbortSignal;
}

/** What a runner learns when the run starts. */
export interface RunnerSetup {
  readonly plan: Plan;
  readonly runId: string;
  readonly config: ProjectConfig;
  readonly cache: Cache;
  /** A problem worth telling the user that fails nothing (shown like a cache warning). */
  warn(message: string): void;
}

/**
 * Computes nodes for `runPlan` outside this process (see src/exec/slurm). The runner publishes
 * each entry into the shared cache itself (with `computeNode`, in a worker) and says how it ended.
 */
export interface NodeRunner {
  /** `slurm`: named in messages. */
  readonly name: string;
  /**
   * True: a node is handed over as soon as its dependencies are handed over (not finished), and
   * the runner makes it wait for them (Slurm's `--dependency=afterok`).
   */
  readonly eager: boolean;
  /** Called once, after the cache is checked and before the first `run`. */
  open(setup: RunnerSetup): Promise<void>;
  /** Computes one node; resolves when it has ended. Should not reject (a rejection fails the node). */
  run(task: RunnerTask): Promise<ComputeOutcome>;
  /**
   * A node handed over is no longer wanted (a dependency failed, so it is skipped): stop it. What
   * its `run` later resolves with is ignored.
   */
  withdraw(nodeId: string): void;
  /** Called once when every node has ended. */
  close(): Promise<void>;
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

/** A node kind of any params type. */
export type AnyNodeKind = NodeKind<never>;

interface Slots {
  jobs: number;
  cpu: number;
  gpu: number;
  memoryMb: number;
}

function eventNode(n: PlanNode): EventNode {
  return { id: n.id, kind: n.kind, label: n.label };
}

/** File-system errors a user can fix (a full disk, a missing or unreadable file), by errno code. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);
const FILE_PROBLEM = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EMFILE', 'EIO']);

function errorOf(e: unknown, kindName: string, log: string): NodeError {
  if (e instanceof NodeFailure) {
    return { message: e.message, code: e.code, bug: false, log, ...(e.hint !== undefined ? { hint: e.hint } : {}) };
  }
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && DISK_FULL.has(errno)) {
    return {
      message: (e as Error).message,
      code: 'SX5004',
      hint: 'free disk space (`synx cache gc` removes entries no experiment needs) or move the cache with `cache:` in synx.yaml or SYNX_CACHE',
      bug: false,
      log,
    };
  }
  if (typeof errno === 'string' && FILE_PROBLEM.has(errno)) {
    return { message: (e as Error).message, code: 'SX5005', hint: 'check that the path exists and is readable (and writable, for outputs)', bug: false, log };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    message: `internal error in the ${kindName} node kind (a bug in synx, please report it): ${err.message}`,
    bug: true,
    log,
  };
}

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
  const depIdx = deps as number[][];
  const dependents: number[][] = plan.nodes.map(() => []);
  depIdx.forEach((ds, i) => ds.forEach((d) => dependents[d]!.push(i)));

  // 1. What is cached: a stat-only check of every node, then a full re-hash of the cached entries
  // that a node about to run will read (in reverse order, so a corrupt input found there makes its
  // own inputs needed in turn). Eval and report entries are re-hashed too, even with no node to
  // read them: they are what people read (`runs show`, `report`, the published report), they are
  // small, and a tampered one would otherwise stay cached for good. A corrupt entry is reported,
  // removed and recomputed.
  const readByPeople = (i: number): boolean => plan.nodes[i]!.kind === 'eval' || plan.nodes[i]!.kind === 'report';
  const cached: boolean[] = new Array<boolean>(n).fill(false);
  const verified = new Set<string>();
  const corrupt = (i: number, problem: string): void => {
    const node = plan.nodes[i]!;
    emit({
      type: 'cache-warning',
      time: Date.now(),
      node: eventNode(node),
      message: `cache entry ${store.entryDir(node.fingerprint)} of ${node.label} is corrupt (${problem}); removed, it will be recomputed`,
    });
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
  const used: Slots = { jobs: 0, cpu: 0, gpu: 0, memoryMb: 0 };
  const environment = currentEnvironment(config.backend);
  const results: (NodeResult | undefined)[] = new Array<NodeResult | undefined>(n).fill(undefined);
  const cachedAtStart = cached.filter(Boolean).length;
  const runsDir = options.runsDir === undefined ? config.runs : options.runsDir;
  let recordWarned = false;
  const record = (status: RunRecord['status'], summary?: RunSummary): string | undefined => {
    if (runsDir === false) return undefined;
    try {
      return writeRecord(runsDir, status, summary);
    } catch (e) {
      // The record is a log: a run is not failed for want of one, but the user hears of it.
      if (!recordWarned) {
        recordWarned = true;
        emit({ type: 'cache-warning', time: Date.now(), message: `cannot write the run record in ${runsDir}: ${(e as Error).message}` });
      }
      return undefined;
    }
  };
  const writeRecord = (dir: string, status: RunRecord['status'], summary?: RunSummary): string =>
    writeRunRecord(dir, {
      format: 1,
      id: runId,
      file: plan.file,
      status,
      pid: process.pid,
      host: os.hostname(),
      started: new Date(startedAt).toISOString(),
      ...(summary ? { finished: new Date().toISOString(), summary } : {}),
      environment,
      experiments: plan.experiments.map((e) => ({ name: e.name, evals: e.evals })),
      nodes: results.map(
        (r, i) =>
          r ?? {
            id: plan.nodes[i]!.id,
            kind: plan.nodes[i]!.kind,
            label: plan.nodes[i]!.label,
            fingerprint: plan.nodes[i]!.fingerprint,
            outcome: 'cancelled' as const,
          },
      ),
    });
  record('running');
  let lastRecord = Date.now();

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

  // Critical-path priority: a node's rank is its own estimated time plus the longest chain of
  // uncached work after it. Ready nodes start in rank order (ties in plan order, so runs are
  // repeatable), which keeps the longest chain busy from the start instead of last.
  const rank = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (cached[i]) continue;
    const node = plan.nodes[i]!;
    let own = 1;
    try {
      const est = kinds.get(node.kind)?.estimateSeconds?.(node.params as never, config);
      if (est !== undefined && Number.isFinite(est) && est >= 0) own = est;
    } catch {
      // An estimate is a hint; a kind that cannot make one counts as 1.
    }
    let after = 0;
    for (const j of dependents[i]!) after = Math.max(after, rank[j]!);
    rank[i] = own + after;
  }
  const remaining = depIdx.map((ds) => ds.length);
  const ready: number[] = [];
  // The lowest position an insertion landed at while `pump` scans `ready` (it rescans from there).
  let insertedAt = Infinity;
  const enqueue = (i: number): void => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = ready[mid]!;
      if (rank[m]! > rank[i]! || (rank[m] === rank[i] && m < i)) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, i);
    insertedAt = Math.min(insertedAt, lo);
  };
  // A node is released to its dependents when it is finished (ran or cached) or, for an eager
  // runner, as soon as it is handed over; a dependent whose deps are all released is ready.
  const released: boolean[] = new Array<boolean>(n).fill(false);
  const handedOver: boolean[] = new Array<boolean>(n).fill(false);
  const release = (i: number): void => {
    if (released[i]) return;
    released[i] = true;
    for (const j of dependents[i]!) {
      // A dependent found cached at the start is finished by the start-up loop, not run.
      if (--remaining[j]! === 0 && results[j] === undefined && !cached[j]) enqueue(j);
    }
  };
  const finish = (i: number, r: Omit<NodeResult, 'id' | 'kind' | 'label' | 'fingerprint'>): void => {
    const node = plan.nodes[i]!;
    if (results[i] !== undefined) throw new Error(`runPlan: ${node.id} finished twice`);
    results[i] = { id: node.id, kind: node.kind, label: node.label, fingerprint: node.fingerprint, ...r };
    // Keep the record current (at most once a second), so a run killed with -9 still shows
    // which nodes it finished.
    if ((r.outcome === 'ran' || r.outcome === 'failed') && Date.now() - lastRecord > 1000) {
      lastRecord = Date.now();
      record('running');
    }
    if (r.outcome === 'ran' || r.outcome === 'cached') {
      release(i);
    } else if (r.outcome === 'failed' || r.outcome === 'skipped') {
      const because = r.outcome === 'failed' ? node.id : r.because ?? node.id;
      for (const j of dependents[i]!) {
        if (results[j] !== undefined) continue;
        if (handedOver[j]) runner?.withdraw(plan.nodes[j]!.id);
        emit({ type: 'node-skipped', time: Date.now(), node: eventNode(plan.nodes[j]!), because });
        finish(j, { outcome: 'skipped', because });
      }
    }
    // A cancelled node's dependents stay without a result and end as cancelled below.
  };
  for (let i = 0; i < n; i++) {
    if (cached[i]) {
      emit({ type: 'node-cached', time: Date.now(), node: eventNode(plan.nodes[i]!), source: 'entry' });
      finish(i, { outcome: 'cached' });
    } else if (depIdx[i]!.length === 0) enqueue(i);
    // Nodes with dependencies become ready when the last of them finishes (in `finish`).
  }

  const progressInterval = options.progressIntervalMs ?? 100;

  // How a node ended, whoever computed it, turned into events and a result. A node that already
  // has a result (withdrawn by a runner because a dependency failed) is not reported twice.
  const report = (i: number, out: ComputeOutcome): void => {
    const node = plan.nodes[i]!;
    if (results[i] !== undefined) return;
    const ev = eventNode(node);
    if (out.outcome === 'cached') {
      emit({ type: 'node-cached', time: Date.now(), node: ev, source: 'concurrent' });
      finish(i, { outcome: 'cached' });
    } else if (out.outcome === 'ran') {
      verified.add(node.fingerprint);
      emit({ type: 'node-finish', time: Date.now(), node: ev, status: 'ran', seconds: out.seconds });
      finish(i, { outcome: 'ran', seconds: out.seconds });
    } else if (out.outcome === 'failed') {
      emit({ type: 'node-finish', time: Date.now(), node: ev, status: 'failed', seconds: out.seconds, error: out.error });
      finish(i, { outcome: 'failed', seconds: out.seconds, error: out.error });
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
      report(i, { outcome: 'failed', seconds: 0, error: unknownKindError(node) });
      return;
    }
    const hooks = {
      onStart: (time: number) => emit({ type: 'node-start', time, node: ev }),
      onProgress: (progress: Progress, time: number) => emit({ type: 'node-progress', time, node: ev, progress }),
      onLog: (message: string, time: number) => {
        emit({ type: 'node-log', time, node: ev, message });
        // A kind's `warning: ` line is for the user (a dataset that lost files), not only the log.
        if (message.startsWith('warning: ')) emit({ type: 'cache-warning', time, node: ev, message: message.slice('warning: '.length) });
      },
    };
    let out: ComputeOutcome;
    if (runner) {
      const waitingOn = node.deps.filter((d) => results[index.get(d)!] === undefined);
      try {
        out = await runner.run({ node, kind, resources: need, waitingOn, signal, ...hooks });
      } catch (e) {
        out = { outcome: 'failed', seconds: 0, error: errorOf(e, `${runner.name} executor`, store.logFile(node.fingerprint)) };
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
    let running = 0;
    const pump = (): void => {
      if (!signal.aborted) {
        for (let r = 0; r < ready.length && used.jobs < limits.jobs; ) {
          const i = ready[r]!;
          const node = plan.nodes[i]!;
          const kind = kinds.get(node.kind);
          let need: Resources;
          try {
            need = kind ? kind.resources(node.params as never, config) : { cpu: 1, gpu: 0, memoryMb: 0 };
          } catch {
            need = { cpu: 1, gpu: 0, memoryMb: 0 };
          }
          // A node asking for more than the machine has still runs, alone.
          const want: Slots = {
            jobs: 1,
            cpu: Math.min(Math.max(0, need.cpu), limits.cpu),
            gpu: Math.min(Math.max(0, need.gpu), limits.gpu),
            memoryMb: Math.min(Math.max(0, need.memoryMb), limits.memoryMb),
          };
          const fits =
            used.jobs === 0 ||
            (used.cpu + want.cpu <= limits.cpu &&
              used.gpu + want.gpu <= limits.gpu &&
              used.memoryMb + want.memoryMb <= limits.memoryMb);
          if (!fits) {
            r++;
            continue;
          }
          ready.splice(r, 1);
          for (const k of ['jobs', 'cpu', 'gpu', 'memoryMb'] as const) used[k] += want[k];
          running++;
          handedOver[i] = true;
          void execute(i, kind, need).then(
            () => settle(want),
            () => settle(want),
          );
          // Dependents of a node handed to an eager runner can be handed over now (they wait in
          // the runner's queue); the scan goes back to where the first of them was inserted.
          if (runner?.eager && kind) {
            insertedAt = Infinity;
            release(i);
            if (insertedAt < r) r = insertedAt;
          }
        }
      }
      if (running === 0) resolveAll();
    };
    const settle = (want: Slots): void => {
      for (const k of ['jobs', 'cpu', 'gpu', 'memoryMb'] as const) used[k] -= want[k];
      running--;
      pump();
    };
    signal.addEventListener('abort', () => pump(), { once: true });
    if (runner) {
      runner.open({ plan, runId, config, cache: store, warn: (message) => emit({ type: 'cache-warning', time: Date.now(), message }) }).then(pump, (e: unknown) => {
        // A runner that cannot start fails every node it would have run.
        const error = errorOf(e, `${runner.name} executor`, store.logFile(plan.nodes[0]?.fingerprint ?? 'run'));
        for (const i of [...ready]) report(i, { outcome: 'failed', seconds: 0, error });
        ready.length = 0;
        pump();
      });
    } else pump();
  });
  if (runner) await runner.close().catch(() => undefined);

  clearInterval(keepAlive);
  external?.removeEventListener('abort', onExternalAbort);
  for (let i = 0; i < n; i++) if (results[i] === undefined) finish(i, { outcome: 'cancelled' });
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
  const file = record(summary.status, summary);
  emit({ type: 'run-finish', time: Date.now(), runId, summary });
  return { runId, file: plan.file, summary, nodes: final, ...(file ? { record: file } : {}), diagnostics: [] };
}

function unknownKindError(node: PlanNode): NodeError {
  return {
    message: `no node kind '${node.kind}' is registered, so ${node.label} cannot run`,
    hint: 'this synx build lacks that stage; reinstall synx or use a plan made by the same version',
    bug: false,
  };
}

/** How one node's computation ended (see `computeNode` and `NodeRunner`). */
export type ComputeOutcome =
  | { readonly outcome: 'ran'; readonly seconds: number }
  /** Another process computed it while this one waited for the lock. */
  | { readonly outcome: 'cached' }
  | { readonly outcome: 'failed'; readonly seconds: number; readonly error: NodeError }
  /** `seconds` is absent when it was cancelled before it started. */
  | { readonly outcome: 'cancelled'; readonly seconds?: number };

/** Callbacks through which a node's start, progress and log lines are reported as they happen. */
export interface NodeHooks {
  readonly onStart?: (time: number) => void;
  readonly onProgress?: (progress: Progress, time: number) => void;
  readonly onLog?: (message: string, time: number) => void;
}

/** Who computed an entry, as recorded in its manifest. */
export interface ManifestExecutor {
  /** `local` or `slurm`. */
  readonly name: string;
  /** The Slurm job id. */
  readonly job?: string;
}

/** What `computeNode` needs: one node of a plan, its kind, and the cache to publish into. */
export interface ComputeNodeOptions extends NodeHooks {
  readonly plan: Plan;
  readonly node: PlanNode;
  readonly kind: AnyNodeKind;
  readonly cache: Cache;
  readonly config: ProjectConfig;
  readonly signal: AbortSignal;
  readonly environment: Environment;
  /** Fingerprints whose entries were re-hashed already (inputs are verified once); updated. */
  readonly verified: Set<string>;
  /** Least interval between two progress reports (ms); default 100. */
  readonly progressIntervalMs?: number;
  /** Recorded in the manifest; default `{ name: 'local' }`. */
  readonly executor?: ManifestExecutor;
}

/**
 * Computes one node and publishes it: takes the fingerprint's lock, reuses an entry another
 * process made meanwhile, verifies the inputs' entries, runs the kind in a temporary folder and
 * renames it into the cache with its manifest. Both `runPlan` (in-process) and the Slurm worker
 * (`synx exec-node`) compute nodes with it, so a node computed anywhere gives the same entry.
 * Never throws for the node's failure; the outcome says what happened.
 */
export async function computeNode(o: ComputeNodeOptions): Promise<ComputeOutcome> {
  const { plan, node, kind, cache: store, config, signal, verified } = o;
  const log = store.logFile(node.fingerprint);
  const lock = await store.lock(node.fingerprint, signal);
  if (!lock) return { outcome: 'cancelled' };
  const byId = new Map(plan.nodes.map((x) => [x.id, x]));
  const progressInterval = o.progressIntervalMs ?? 100;
  let pending: Awaited<ReturnType<Cache['begin']>> | undefined;
  const t0 = Date.now();
  try {
    // Another run may have computed it while this one waited for the lock.
    if (store.check(node.fingerprint).state === 'ok') return { outcome: 'cached' };
    const inputs: NodeInput[] = [];
    for (const input of node.inputs) {
      const dep = byId.get(input.id);
      if (dep === undefined) throw new Error(`runPlan: ${node.id} reads unknown node ${input.id}`);
      if (!verified.has(dep.fingerprint)) {
        const check = await store.verify(dep.fingerprint);
        if (check.state !== 'ok') {
          if (check.state === 'corrupt') store.remove(dep.fingerprint);
          throw new NodeFailure(
            `input ${dep.label} (${dep.id}) has no sound cache entry (${check.state === 'corrupt' ? check.problem : 'it was removed'})`,
            'run again: the input will be recomputed',
            'SX5004',
          );
        }
        verified.add(dep.fingerprint);
      }
      inputs.push({
        role: input.role,
        id: dep.id,
        kind: dep.kind,
        fingerprint: dep.fingerprint,
        params: dep.params,
        dir: store.outDir(dep.fingerprint),
      });
    }
    o.onStart?.(t0);
    pending = await store.begin(node.fingerprint);
    const scratchDir = store.scratchDir(node.fingerprint);
    mkdirSync(scratchDir, { recursive: true });
    let lastProgress = 0;
    const ctx: NodeContext<JsonValue> = {
      node,
      params: node.params,
      inputs,
      outDir: pending.outDir,
      scratchDir,
      config,
      signal,
      progress(p: Progress) {
        const now = Date.now();
        if (now - lastProgress < progressInterval && p.done < p.total) return;
        lastProgress = now;
        o.onProgress?.(p, now);
      },
      log(message: string) {
        try {
          appendFileSync(log, `${new Date().toISOString()} ${message}\n`);
        } catch {
          // A log line that cannot be written is not worth failing the node for.
        }
        o.onLog?.(message, Date.now());
      },
    };
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    await kind.run(ctx as unknown as NodeContext<never>);
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const t1 = Date.now();
    await store.commit(pending, {
      fingerprint: node.fingerprint,
      kind: node.kind,
      version: (KIND_VERSIONS as Record<string, string>)[node.kind] ?? kind.version,
      label: node.label,
      params: node.params,
      inputs: inputs.map((x) => ({ role: x.role, id: x.id, label: byId.get(x.id)!.label, fingerprint: x.fingerprint })),
      timings: { started: new Date(t0).toISOString(), finished: new Date(t1).toISOString(), seconds: (t1 - t0) / 1000 },
      environment: o.environment,
      executor: o.executor ?? { name: 'local' },
    });
    pending = undefined;
    verified.add(node.fingerprint);
    await rm(scratchDir, { recursive: true, force: true });
    return { outcome: 'ran', seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    if (pending) await store.discard(pending).catch(() => undefined);
    const seconds = (Date.now() - t0) / 1000;
    if (signal.aborted) return { outcome: 'cancelled', seconds };
    const error = errorOf(e, node.kind, log);
    if (error.bug) {
      try {
        appendFileSync(log, `${new Date().toISOString()} ${(e as Error)?.stack ?? String(e)}\n`);
      } catch {
        // ignore: the message is in the event anyway
      }
    }
    return { outcome: 'failed', seconds, error };
  } finally {
    lock.release();
  }
}
