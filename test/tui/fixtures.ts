// A fixed event stream for logger tests: times are pinned so rates, ETAs and snapshots never move.
import type { RunEvent } from '../../src/events/index.js';

export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const n = (id: string, kind: string, label: string) => ({ id, kind, label });
export const R1 = n('render-aaaaaaaaaa', 'render', 'render syn ids 0-99');
export const R2 = n('render-bbbbbbbbbb', 'render', 'render syn ids 100-199');
export const R3 = n('render-cccccccccc', 'render', 'render syn ids 200-299');
export const D1 = n('data-dddddddddd', 'data', 'data casia 10%');
export const TR = n('train-eeeeeeeeee', 'train', 'pretrain syn-1m nn4-small');
export const EV = n('eval-ffffffffff', 'eval', 'eval lfw');

/** A run: r1 cached, r2 runs, r3 fails (skipping train and eval), d1 runs with progress. */
export function eventStream(): RunEvent[] {
  return [
    { type: 'run-start', time: T0, runId: '20260102-030405-abcd', file: 'exp.synexp', nodes: [R1, R2, R3, D1, TR, EV], cached: 1, toRun: 5, jobs: 2 },
    { type: 'node-cached', time: T0, node: R1, source: 'entry' },
    { type: 'node-start', time: T0 + 10, node: R2 },
    { type: 'node-start', time: T0 + 10, node: R3 },
    { type: 'node-progress', time: T0 + 1_000, node: R2, progress: { done: 100, total: 1000, unit: 'images' } },
    { type: 'node-progress', time: T0 + 11_000, node: R2, progress: { done: 500, total: 1000, unit: 'images', metrics: { 'img/s': 40 } } },
    { type: 'node-progress', time: T0 + 12_000, node: R2, progress: { done: 540, total: 1000, unit: 'images' } },
    { type: 'node-log', time: T0 + 12_500, node: R2, message: 'shard 3 written' },
    { type: 'node-finish', time: T0 + 13_000, node: R3, status: 'failed', seconds: 12.99, failure: { reason: 'node-failed', message: 'dataset path /data/casia does not exist', hint: 'fix datasets.casia.path in synx.yaml', code: 'SX5002', log: '/p/.synx/cache/logs/ccc.log' } },
    { type: 'node-skipped', time: T0 + 13_000, node: TR, because: R3.id },
    { type: 'node-skipped', time: T0 + 13_000, node: EV, because: R3.id },
    { type: 'node-start', time: T0 + 13_010, node: D1 },
    { type: 'node-progress', time: T0 + 14_000, node: D1, progress: { done: 2, total: 10, unit: 'folders', message: 'reading' } },
    { type: 'node-progress', time: T0 + 24_000, node: D1, progress: { done: 6, total: 10, unit: 'folders' } },
    { type: 'node-finish', time: T0 + 25_000, node: R2, status: 'ran', seconds: 24.99 },
    { type: 'cache-warning', time: T0 + 25_000, warning: { reason: 'corrupt-entry', entry: '/c/entries/x', label: 'render syn', problem: 'output a has changed' } },
    { type: 'node-finish', time: T0 + 30_000, node: D1, status: 'ran', seconds: 16.99 },
    { type: 'run-finish', time: T0 + 30_000, runId: '20260102-030405-abcd', summary: { total: 6, ran: 2, cached: 1, failed: 1, skipped: 2, cancelled: 0, seconds: 30, status: 'failed' } },
  ];
}
