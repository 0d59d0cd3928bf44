import type { NodeKindName, Plan, PlanNode } from '../plan/index.js';
import { ContentDigester, KIND_VERSIONS, locationFree } from '../plan/index.js';
import { canonicalJson, type JsonValue } from '../util/index.js';
import type { Cache } from './cache.js';
import type { Manifest } from './manifest.js';

/** Whether a node's output is in the cache, as `synx plan` shows it. */
export interface NodeCacheStatus {
  /** `cached`: a sound entry; `missing`: none; `corrupt`: one that will be removed and recomputed. */
  readonly state: 'cached' | 'missing' | 'corrupt';
  /** What is wrong with a corrupt entry. */
  readonly problem?: string;
  /** Another run holds the node's lock: it is being computed now. */
  readonly computing: boolean;
}

/**
 * The cache status of every node of a plan, by node id. Synchronous and stat-only (manifest plus
 * file sizes; content hashes are checked when an entry is read by a run or `synx cache verify`):
 * a 1,000-node plan takes milliseconds.
 */
export function planStatus(plan: Plan, cache: Cache): Map<string, NodeCacheStatus> {
  const out = new Map<string, NodeCacheStatus>();
  for (const node of plan.nodes) {
    const check = cache.check(node.fingerprint);
    const computing = check.state !== 'ok' && cache.isLocked(node.fingerprint);
    if (check.state === 'ok') out.set(node.id, { state: 'cached', computing: false });
    else if (check.state === 'missing') out.set(node.id, { state: 'missing', computing });
    else out.set(node.id, { state: 'corrupt', problem: check.problem, computing });
  }
  return out;
}

/** One reason a node differs from the closest cached entry. `cached` is the entry's, `now` the plan's. */
export type Difference =
  | { readonly what: 'version'; readonly cached: string; readonly now: string }
  | {
      readonly what: 'param';
      /** Dotted path of the param: `pose.yaw.hi`, `dims.shape`, `parts[1].weight`. */
      readonly path: string;
      readonly cached: JsonValue | undefined;
      readonly now: JsonValue | undefined;
    }
  | {
      /** A file or folder the node reads holds other bytes (its content digest differs). */
      readonly what: 'content';
      /** Dotted path of the digest among the params: `model.sha256`, `content.folder`. */
      readonly path: string;
      /** What the input is, in words: `model file`, `dataset folder`, `pairs file`. */
      readonly input: string;
      /** Where the plan reads it now, when the params say. */
      readonly location?: string;
      /** For a folder whose two listings this cache has seen: relative paths by what happened. */
      readonly files?: { readonly changed: readonly string[]; readonly added: readonly string[]; readonly removed: readonly string[] };
      readonly cached: string;
      readonly now: string;
    }
  | {
      readonly what: 'input';
      readonly role: string;
      /** Position among the node's inputs (0-based). */
      readonly position: number;
      readonly cached?: { readonly id: string; readonly label: string; readonly fingerprint: string };
      readonly now?: { readonly id: string; readonly label: string; readonly fingerprint: string };
      /** Whether the plan's input is itself cached (if not, `synx why` on it explains further). */
      readonly nowCached: boolean;
    };

/** Why a node will run, or that it will not: for `synx why NODE` and `synx plan --explain`. */
export interface Explanation {
  readonly node: { readonly id: string; readonly kind: string; readonly label: string; readonly fingerprint: string };
  readonly status: NodeCacheStatus;
  /** The cached entry of the same kind that differs least, when the node is not cached. */
  readonly closest?: { readonly fingerprint: string; readonly label: string; readonly finished: string };
  readonly differences: readonly Difference[];
  /** The explanation in plain words, one line each. */
  readonly lines: readonly string[];
}

/** Leaf values of a JSON value by dotted path, so two param sets compare field by field. */
function leaves(value: JsonValue | undefined, prefix: string, out: Map<string, JsonValue>): Map<string, JsonValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, JsonValue>);
    if (entries.length === 0 && prefix !== '') out.set(prefix, value);
    for (const [k, v] of entries) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, value);
    (value as JsonValue[]).forEach((v, i) => leaves(v, `${prefix}[${i}]`, out));
  } else if (value !== undefined) {
    out.set(prefix === '' ? '(value)' : prefix, value);
  }
  return out;
}

/** A content digest's param path → what the input is and the param holding its location. */
function contentInput(p: string): { input: string; location?: string } | undefined {
  if (p === 'content.folder') return { input: 'dataset folder', location: 'path' };
  if (p === 'content.pairs') return { input: 'pairs file' };
  if (p === 'content.metadata') return { input: 'metadata file' };
  const m = /^(.*)\.sha256$/.exec(p);
  if (!m) return undefined;
  const head = m[1]!.split(/[.[]/)[0]!;
  if (head === 'model') return { input: 'model file', location: `${m[1]}.path` };
  return { input: `${head} folder`, location: `${m[1]}.arg` };
}

/** Which files differ between two folder listings, when this cache keeps both (see ContentDigester). */
function listingChanges(digests: ContentDigester, cached: string, now: string): { changed: string[]; added: string[]; removed: string[] } | undefined {
  const a = digests.readListing(cached);
  const b = digests.readListing(now);
  if (!a || !b) return undefined;
  const was = new Map(a);
  const is = new Map(b);
  return {
    changed: b.filter(([f, d]) => was.has(f) && was.get(f) !== d).map(([f]) => f),
    added: b.filter(([f]) => !was.has(f)).map(([f]) => f),
    removed: a.filter(([f]) => !is.has(f)).map(([f]) => f),
  };
}

/**
 * Param differences, compared without file locations (a moved project is not a difference: see
 * `locationFree`); a differing content digest is named as the file or folder it keys.
 */
function paramDifferences(kind: NodeKindName, cachedParams: JsonValue, nowParams: JsonValue, digests: ContentDigester): Difference[] {
  const a = leaves(locationFree(kind, cachedParams), '', new Map());
  const b = leaves(locationFree(kind, nowParams), '', new Map());
  const where = leaves(nowParams, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: Difference[] = [];
  for (const p of paths) {
    const x = a.get(p);
    const y = b.get(p);
    if (x !== undefined && y !== undefined && canonicalJson(x) === canonicalJson(y)) continue;
    const content = typeof x === 'string' && typeof y === 'string' ? contentInput(p) : undefined;
    if (content && typeof x === 'string' && typeof y === 'string') {
      const location = content.location !== undefined ? where.get(content.location) : undefined;
      const files = listingChanges(digests, x, y);
      out.push({
        what: 'content',
        path: p,
        input: content.input,
        ...(typeof location === 'string' ? { location } : {}),
        ...(files ? { files } : {}),
        cached: x,
        now: y,
      });
      continue;
    }
    out.push({ what: 'param', path: p, cached: x, now: y });
  }
  return out;
}

function differences(plan: Plan, node: PlanNode, m: Manifest, cache: Cache, byId: Map<string, PlanNode>): Difference[] {
  const out: Difference[] = [];
  const version = (KIND_VERSIONS as Record<string, string>)[node.kind];
  if (version !== undefined && m.version !== version) out.push({ what: 'version', cached: m.version, now: version });
  out.push(...paramDifferences(node.kind, m.params, node.params, ContentDigester.forCache(cache.root)));
  const count = Math.max(m.inputs.length, node.inputs.length);
  for (let k = 0; k < count; k++) {
    const was = m.inputs[k];
    const input = node.inputs[k];
    const dep = input ? byId.get(input.id) : undefined;
    if (was && dep && input && was.fingerprint === dep.fingerprint && was.role === input.role) continue;
    out.push({
      what: 'input',
      role: input?.role ?? was?.role ?? '?',
      position: k,
      ...(was ? { cached: { id: was.id, label: was.label, fingerprint: was.fingerprint } } : {}),
      ...(dep ? { now: { id: dep.id, label: dep.label, fingerprint: dep.fingerprint } } : {}),
      nowCached: dep ? cache.check(dep.fingerprint).state === 'ok' : false,
    });
  }
  void plan;
  return out;
}

function show(v: JsonValue | undefined): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** One difference in plain words. */
export function describeDifference(d: Difference): string {
  switch (d.what) {
    case 'version':
      return `the node kind's code changed: version ${d.cached} → ${d.now}`;
    case 'param':
      return `param ${d.path}: ${show(d.cached)} → ${show(d.now)}`;
    case 'content': {
      const head = `content of ${d.input}${d.location !== undefined ? ` ${d.location}` : ''}`;
      if (!d.files) return `${head} changed (sha256 ${d.cached.slice(0, 12)} → ${d.now.slice(0, 12)})`;
      const names = (xs: readonly string[]): string => (xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more`);
      const parts = (['changed', 'added', 'removed'] as const).filter((k) => d.files![k].length > 0).map((k) => `${k}: ${names(d.files![k])}`);
      return `${head}: ${parts.length > 0 ? parts.join('; ') : 'changed'}`;
    }
    case 'input': {
      const head = `input ${d.position + 1} (${d.role})`;
      if (!d.now) return `${head}: no longer read (was ${d.cached?.label ?? '?'})`;
      if (!d.cached) return `${head}: new, ${d.now.label} (${d.now.id})`;
      const tail = d.nowCached ? '' : `, which is not cached either (see \`synx why ${d.now.id}\`)`;
      return `${head}: was ${d.cached.label} (${d.cached.fingerprint.slice(0, 10)}), now ${d.now.label} (${d.now.id})${tail}`;
    }
  }
}

/** An index of cached manifests by kind, built once for many explanations. */
export type CacheIndex = ReadonlyMap<string, readonly Manifest[]>;

/** Reads every manifest of the cache once, grouped by kind. */
export function indexCache(cache: Cache): CacheIndex {
  const byKind = new Map<string, Manifest[]>();
  for (const m of cache.list()) {
    let list = byKind.get(m.kind);
    if (!list) byKind.set(m.kind, (list = []));
    list.push(m);
  }
  return byKind;
}

/**
 * Explains in plain words whether a node will run and why: for a node not in the cache, the cached
 * entry of the same kind that differs least (preferring the same label, then the newest), and each
 * param, input or version that differs. Pass an `index` (from `indexCache`) when explaining many
 * nodes. Returns undefined for an id not in the plan.
 */
export function explainNode(plan: Plan, nodeId: string, cache: Cache, index?: CacheIndex): Explanation | undefined {
  const node = plan.nodes.find((x) => x.id === nodeId);
  if (!node) return undefined;
  const byId = new Map(plan.nodes.map((x) => [x.id, x]));
  const status = planStatus({ ...plan, nodes: [node] }, cache).get(node.id)!;
  const head = { id: node.id, kind: node.kind, label: node.label, fingerprint: node.fingerprint };
  const title = `${node.label} (${node.id})`;
  if (status.state === 'cached') {
    const m = cache.readManifest(node.fingerprint);
    const when = m ? `, computed ${m.timings.finished} in ${m.timings.seconds.toFixed(1)} s` : '';
    return {
      node: head,
      status,
      differences: [],
      lines: [`${title} will not run: it is cached (entry ${node.fingerprint.slice(0, 12)}${when})`],
    };
  }
  const lines: string[] = [];
  if (status.state === 'corrupt') {
    lines.push(`${title} will run: its cache entry is corrupt (${status.problem}), so it will be removed and recomputed`);
  }
  if (status.computing) lines.push(`${title} is being computed now by another synx run`);
  const candidates = (index ?? indexCache(cache)).get(node.kind) ?? [];
  let best: { m: Manifest; diffs: Difference[] } | undefined;
  for (const m of candidates) {
    if (m.fingerprint === node.fingerprint) continue;
    const diffs = differences(plan, node, m, cache, byId);
    if (
      !best ||
      diffs.length < best.diffs.length ||
      (diffs.length === best.diffs.length &&
        ((m.label === node.label && best.m.label !== node.label) ||
          ((m.label === node.label) === (best.m.label === node.label) && m.timings.finished > best.m.timings.finished)))
    ) {
      best = { m, diffs };
    }
  }
  if (!best) {
    if (status.state === 'missing') {
      lines.push(`${title} will run: no ${node.kind} node has been cached yet, so there is nothing to reuse`);
    }
    return { node: head, status, differences: [], lines };
  }
  const { m, diffs } = best;
  if (status.state === 'missing') {
    lines.push(
      `${title} will run: it is not in the cache. The closest cached ${node.kind} entry is ` +
        `${m.fingerprint.slice(0, 12)} (${m.label}, computed ${m.timings.finished}); it differs in:`,
    );
  } else {
    lines.push(`the closest other cached ${node.kind} entry is ${m.fingerprint.slice(0, 12)} (${m.label}); it differs in:`);
  }
  for (const d of diffs) lines.push(`  - ${describeDifference(d)}`);
  if (diffs.length === 0) lines.push('  - nothing synx records (the fingerprint formula itself changed)');
  return {
    node: head,
    status,
    closest: { fingerprint: m.fingerprint, label: m.label, finished: m.timings.finished },
    differences: diffs,
    lines,
  };
}

/**
 * Finds a node by id, then by unique id or fingerprint prefix, then by exact label. Returns the
 * node, or the candidates when the query is ambiguous or matches nothing.
 */
export function findNode(plan: Plan, query: string): { node?: PlanNode; candidates: readonly PlanNode[] } {
  const exact = plan.nodes.find((x) => x.id === query);
  if (exact) return { node: exact, candidates: [exact] };
  const byLabel = plan.nodes.filter((x) => x.label === query);
  if (byLabel.length === 1) return { node: byLabel[0]!, candidates: byLabel };
  const byPrefix = plan.nodes.filter((x) => x.id.startsWith(query) || x.fingerprint.startsWith(query));
  if (byPrefix.length === 1) return { node: byPrefix[0]!, candidates: byPrefix };
  return { candidates: byLabel.length > 0 ? byLabel : byPrefix };
}
