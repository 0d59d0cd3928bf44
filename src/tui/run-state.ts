import { describeWarning, type Failure, type RunEvent, type RunSummary } from '../events/index.js';
import type { Progress } from '../node/index.js';

/** Where a node is, as the UI shows it. */
export type NodeStatus = 'queued' | 'running' | 'ran' | 'cached' | 'failed' | 'skipped' | 'cancelled';

/** One node, as the loggers track it. */
export interface NodeView {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  status: NodeStatus;
  started?: number;
  seconds?: number;
  progress?: Progress;
  /** The first progress sample (done, time) after start: rates are measured from it. */
  firstSample?: { done: number; time: number };
  lastSample?: { done: number; time: number };
  /** Why it failed; drawn with `describeFailure`. */
  failure?: Failure;
  /** For skipped nodes: the failed node they depend on. */
  because?: string;
  /** For cached nodes: computed meanwhile by another run. */
  concurrent?: boolean;
}

/** Counts of one stage (node kind). */
export interface StageCounts {
  readonly kind: string;
  done: number;
  running: number;
  queued: number;
  cached: number;
  failed: number;
  skipped: number;
}

/**
 * What loggers know about a run, built by `applyEvent` from the event stream. Mutable on purpose:
 * a 1,000-node run sends thousands of events, and the Ink UI re-renders on a timer, not per event.
 */
export interface RunState {
  runId: string;
  file: string;
  jobs: number;
  startTime: number;
  total: number;
  toRun: number;
  readonly nodes: Map<string, NodeView>;
  /** Nodes that finished during the run (not those cached at the start), in finishing order. */
  readonly finished: string[];
  readonly warnings: string[];
  summary?: RunSummary;
  /** Bumped on every change, so views know when to redraw. */
  version: number;
}

/** An empty state, before run-start. */
export function emptyRunState(): RunState {
  return { runId: '', file: '', jobs: 0, startTime: 0, total: 0, toRun: 0, nodes: new Map(), finished: [], warnings: [], version: 0 };
}

/** Folds one event into the state. */
export function applyEvent(state: RunState, e: RunEvent): RunState {
  state.version++;
  switch (e.type) {
    case 'run-start':
      state.runId = e.runId;
      state.file = e.file;
      state.jobs = e.jobs;
      state.startTime = e.time;
      state.total = e.nodes.length;
      state.toRun = e.toRun;
      state.nodes.clear();
      for (const n of e.nodes) state.nodes.set(n.id, { id: n.id, kind: n.kind, label: n.label, status: 'queued' });
      break;
    case 'node-start': {
      const v = nodeOf(state, e.node);
      v.status = 'running';
      v.started = e.time;
      break;
    }
    case 'node-progress': {
      const v = nodeOf(state, e.node);
      v.progress = e.progress;
      const sample = { done: e.progress.done, time: e.time };
      if (!v.firstSample || e.progress.done < v.firstSample.done) v.firstSample = sample;
      v.lastSample = sample;
      break;
    }
    case 'node-log':
      break;
    case 'node-finish': {
      const v = nodeOf(state, e.node);
      v.status = e.status;
      v.seconds = e.seconds;
      if (e.failure) v.failure = e.failure;
      state.finished.push(v.id);
      break;
    }
    case 'node-cached': {
      const v = nodeOf(state, e.node);
      v.status = 'cached';
      if (e.source === 'concurrent') {
        v.concurrent = true;
        state.finished.push(v.id);
      }
      break;
    }
    case 'node-skipped': {
      const v = nodeOf(state, e.node);
      v.status = 'skipped';
      v.because = e.because;
      state.finished.push(v.id);
      break;
    }
    case 'cache-warning':
      state.warnings.push(describeWarning(e.warning));
      break;
    case 'run-finish':
      state.summary = e.summary;
      for (const v of state.nodes.values()) if (v.status === 'queued' || v.status === 'running') v.status = 'cancelled';
      break;
  }
  return state;
}

function nodeOf(state: RunState, n: { id: string; kind: string; label: string }): NodeView {
  let v = state.nodes.get(n.id);
  if (!v) state.nodes.set(n.id, (v = { id: n.id, kind: n.kind, label: n.label, status: 'queued' }));
  return v;
}

const STAGE_ORDER = ['render', 'data', 'train', 'eval', 'report'];

/** Counts per stage, stages in pipeline order (unknown kinds after, alphabetically). */
export function stageCounts(state: RunState): StageCounts[] {
  const by = new Map<string, StageCounts>();
  for (const v of state.nodes.values()) {
    let c = by.get(v.kind);
    if (!c) by.set(v.kind, (c = { kind: v.kind, done: 0, running: 0, queued: 0, cached: 0, failed: 0, skipped: 0 }));
    if (v.status === 'ran') c.done++;
    else if (v.status === 'running') c.running++;
    else if (v.status === 'queued') c.queued++;
    else if (v.status === 'cached') c.cached++;
    else if (v.status === 'failed') c.failed++;
    else c.skipped++;
  }
  const rank = (k: string) => {
    const i = STAGE_ORDER.indexOf(k);
    return i < 0 ? STAGE_ORDER.length : i;
  };
  return [...by.values()].sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind));
}

/** Nodes running now, in the order they started. */
export function runningNodes(state: RunState): NodeView[] {
  return [...state.nodes.values()].filter((v) => v.status === 'running').sort((a, b) => (a.started ?? 0) - (b.started ?? 0));
}

/** Units per second, measured between the first and the latest progress sample. */
export function rateOf(v: NodeView): number | undefined {
  if (!v.firstSample || !v.lastSample) return undefined;
  const dt = (v.lastSample.time - v.firstSample.time) / 1000;
  const dn = v.lastSample.done - v.firstSample.done;
  if (dt <= 0 || dn <= 0) return undefined;
  return dn / dt;
}

/** Seconds left at the measured rate, counted from `now`. */
export function etaOf(v: NodeView, now: number): number | undefined {
  const rate = rateOf(v);
  if (rate === undefined || !v.progress || !v.lastSample) return undefined;
  const left = (v.progress.total - v.progress.done) / rate - (now - v.lastSample.time) / 1000;
  return Math.max(0, left);
}

/** `4.2s`, `3m07s`, `2h05m`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `41.0`, `1.23k`: a rate short enough for a status line. */
export function formatRate(r: number): string {
  if (r >= 1000) return `${(r / 1000).toFixed(2)}k`;
  if (r >= 100) return r.toFixed(0);
  if (r >= 1) return r.toFixed(1);
  return r.toPrecision(2);
}

/** A text bar of `width` cells: `█████░░░░░`. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** `42 ran, 8 cached, 1 failed, 2 skipped in 1m02s`, leaving out zero counts except ran and cached. */
export function summaryLine(s: RunSummary): string {
  const parts = [`${s.ran} ran`, `${s.cached} cached`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.cancelled) parts.push(`${s.cancelled} cancelled`);
  return `${parts.join(', ')} in ${formatDuration(s.seconds)}`;
}
