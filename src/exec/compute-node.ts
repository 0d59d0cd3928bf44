// Computing one node: lock, reuse or verify inputs, run the kind in a temporary folder, publish
// the entry. Used in this process by `runPlan` and on a cluster by the Slurm worker.
import { appendFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ProjectConfig } from '../config/index.js';
import type { Failure } from '../events/index.js';
import { NodeFailure, type NodeContext, type NodeInput, type Progress } from '../node/index.js';
import type { Plan, PlanNode } from '../plan/index.js';
import { KIND_VERSIONS, kindAndParams } from '../plan/index.js';
import type { Cache } from './cache.js';
import type { Environment } from './environment.js';
import type { AnyNodeKind, ComputeOutcome, NodeHooks } from './runner.js';

/** File-system errors a user can fix (a full disk, a missing or unreadable file), by errno code. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);
const FILE_PROBLEM = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EMFILE', 'EIO']);

/**
 * What a thrown value means for the user: a NodeFailure as the kind worded it, a file-system
 * problem they can fix, or else a bug in synx (`where`: the kind or executor it happened in).
 */
export function failureOf(e: unknown, where: string, log: string): Failure {
  if (e instanceof NodeFailure) {
    return { reason: 'node-failed', message: e.message, ...(e.hint !== undefined ? { hint: e.hint } : {}), code: e.code, log };
  }
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && DISK_FULL.has(errno)) return { reason: 'disk-full', message: (e as Error).message, log };
  if (typeof errno === 'string' && FILE_PROBLEM.has(errno)) return { reason: 'file-problem', message: (e as Error).message, log };
  const err = e instanceof Error ? e : new Error(String(e));
  return { reason: 'bug', where, message: err.message, log };
}

/** Thrown inside `computeNode` for a failure it has already typed (an unsound input). */
class TypedFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
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
          throw new TypedFailure({
            reason: 'input-unsound',
            input: { id: dep.id, label: dep.label },
            ...(check.state === 'corrupt' ? { problem: check.problem } : {}),
            log,
          });
        }
        verified.add(dep.fingerprint);
      }
      inputs.push({
        role: input.role,
        id: dep.id,
        ...kindAndParams(dep),
        fingerprint: dep.fingerprint,
        dir: store.outDir(dep.fingerprint),
      });
    }
    o.onStart?.(t0);
    pending = await store.begin(node.fingerprint);
    const scratchDir = store.scratchDir(node.fingerprint);
    mkdirSync(scratchDir, { recursive: true });
    let lastProgress = 0;
    const ctx: NodeContext = {
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
    await kind.run(ctx);
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
    const failure = e instanceof TypedFailure ? e.failure : failureOf(e, node.kind, log);
    if (failure.reason === 'bug') {
      try {
        appendFileSync(log, `${new Date().toISOString()} ${(e as Error)?.stack ?? String(e)}\n`);
      } catch {
        // ignore: the message is in the event anyway
      }
    }
    return { outcome: 'failed', seconds, failure };
  } finally {
    lock.release();
  }
}
