import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectResults, findRun, listRuns, newRunId, openCache, resultsToCsv, runPlan, runState, type Cache } from '../../src/exec/index.js';
import { buildPlan, diamond, fakeKinds, testConfig } from './fixtures/fake-kinds.js';

let root: string;
let cache: Cache;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-runs-'));
  const o = openCache(path.join(root, 'cache'));
  if (!o.ok) throw new Error(o.diagnostic.message);
  cache = o.cache;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('run records', () => {
  it('ids sort by time', () => {
    expect(newRunId(new Date('2026-11-28T05:52:15.123Z'))).toMatch(/^20261128-055215-[0-9a-f]{4}$/);
  });

  it('records each run with outcomes and reads eval results as JSON and CSV', async () => {
    const config = testConfig(root);
    const a = await runPlan(buildPlan(diamond()), fakeKinds(path.join(root, 'c')), { config, cache, runId: '20260101-000000-aaaa' });
    const b = await runPlan(buildPlan(diamond({ e: { seed: 25 } })), fakeKinds(path.join(root, 'c')), { config, cache, runId: '20260101-000001-bbbb' });
    expect(a.record).toBe(path.join(root, 'runs', '20260101-000000-aaaa.json'));
    const runs = listRuns(config.runs);
    expect(runs.map((r) => r.id)).toEqual([b.runId, a.runId]);
    expect(runs.map(runState)).toEqual(['ok', 'ok']);
    expect(findRun(config.runs, 'latest')?.id).toBe(b.runId);
    expect(findRun(config.runs, '20260101-000000')?.id).toBe(a.runId);
    expect(findRun(config.runs, '2026')).toBeUndefined();
    const rec = JSON.parse(readFileSync(b.record!, 'utf8'));
    expect(rec.summary).toMatchObject({ ran: 1, cached: 4, status: 'ok' });
    expect(rec.nodes.map((n: { outcome: string }) => n.outcome)).toEqual(['cached', 'cached', 'cached', 'cached', 'ran']);

    const results = await collectResults(runs[0]!, cache);
    expect(results).toEqual([
      { experiment: 'exp', node: b.nodes[4]!.id, label: 'eval e', results: { accuracy: 0.75, far: { '0.01': 0.25 } } },
    ]);
    expect(resultsToCsv(results)).toBe(
      `experiment,node,label,metric,value\nexp,${b.nodes[4]!.id},eval e,accuracy,0.75\nexp,${b.nodes[4]!.id},eval e,far.0.01,0.25\n`,
    );
  });
});
