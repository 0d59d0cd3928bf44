import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  computeNode,
  currentEnvironment,
  runPlan,
  type Cache,
  type ComputeOutcome,
  type NodeRunner,
  type RunnerSetup,
} from '../../src/exec/index.js';
import { cacheAt } from '../helpers/cache.js';
import { buildPlan, diamond, fakeKinds, testConfig } from './fixtures/fake-kinds.js';

let root: string;
let cache: Cache;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-runner-'));
  cache = cacheAt(path.join(root, 'cache'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * A runner that computes in this process like a cluster would: a node handed over waits for the
 * nodes it was told to wait on, and does not run if one of them did not end well.
 */
function fakeRunner(eager: boolean) {
  const handed: { label: string; waitingOn: string[] }[] = [];
  const withdrawn: string[] = [];
  const ends = new Map<string, Promise<ComputeOutcome>>();
  let setup: RunnerSetup | undefined;
  const runner: NodeRunner = {
    name: 'fake',
    eager,
    async open(s) {
      setup = s;
    },
    run(task) {
      handed.push({ label: task.node.label, waitingOn: [...task.waitingOn] });
      const end = (async (): Promise<ComputeOutcome> => {
        const before = await Promise.all(task.waitingOn.map((id) => ends.get(id)!));
        if (before.some((o) => o.outcome !== 'ran' && o.outcome !== 'cached')) return { outcome: 'cancelled' };
        const s = setup!;
        return computeNode({
          plan: s.plan,
          node: task.node,
          kind: task.kind,
          cache: s.cache,
          config: s.config,
          signal: task.signal,
          environment: currentEnvironment(s.config.backend),
          verified: new Set(),
          executor: { name: 'fake' },
        });
      })();
      ends.set(task.node.id, end);
      return end;
    },
    withdraw(id) {
      withdrawn.push(id);
    },
    async close() {},
  };
  return { runner, handed, withdrawn };
}

const callsOf = () => path.join(root, 'calls.txt');

describe('runPlan with a NodeRunner', () => {
  it('hands an eager runner every node at once, in rank order, each told what to wait on', async () => {
    const plan = buildPlan(diamond());
    const f = fakeRunner(true);
    const r = await runPlan(plan, fakeKinds(callsOf()), { config: testConfig(root), cache, runner: f.runner, runsDir: false });
    expect(r.summary).toMatchObject({ ran: 5, status: 'ok' });
    // Ranks (no estimates, so 1 each): r1 = r2 = 3 (r → t → e), r3 = t = 2, e = 1; ties in plan order.
    const id = (label: string) => plan.nodes.find((x) => x.label === label)!.id;
    expect(f.handed).toEqual([
      { label: 'render r1', waitingOn: [] },
      { label: 'render r2', waitingOn: [] },
      { label: 'render r3', waitingOn: [] },
      { label: 'train t', waitingOn: [id('render r1'), id('render r2')] },
      { label: 'eval e', waitingOn: [id('train t'), id('render r3')] },
    ]);
    const e = r.nodes.find((x) => x.label === 'eval e')!;
    expect(readFileSync(path.join(cache.outDir(e.fingerprint), 'out.txt'), 'utf8')).toBe(
      'eval(e,5)[model:train(t,4)[data:render(r1,1)[];data:render(r2,2)[]];test:render(r3,3)[]]',
    );
    expect(cache.readManifest(e.fingerprint)?.executor).toEqual({ name: 'fake' });
  });

  it('hands a lazy runner a node only once its dependencies have finished', async () => {
    const f = fakeRunner(false);
    const r = await runPlan(buildPlan(diamond()), fakeKinds(callsOf()), { config: testConfig(root), cache, runner: f.runner, runsDir: false });
    expect(r.summary).toMatchObject({ ran: 5, status: 'ok' });
    expect(f.handed.map((h) => h.label).slice(3)).toEqual(['train t', 'eval e']);
    expect(f.handed.every((h) => h.waitingOn.length === 0)).toBe(true);
  });

  it('withdraws the nodes handed over after a dependency that failed, and reports them skipped', async () => {
    const plan = buildPlan(diamond({ r2: { mode: 'failure' } }));
    const f = fakeRunner(true);
    const r = await runPlan(plan, fakeKinds(callsOf()), { config: testConfig(root), cache, runner: f.runner, runsDir: false });
    const ids = (...labels: string[]) => labels.map((l) => plan.nodes.find((x) => x.label === l)!.id);
    expect(f.withdrawn).toEqual(ids('train t', 'eval e'));
    expect(Object.fromEntries(r.nodes.map((x) => [x.label, x.outcome]))).toEqual({
      'render r1': 'ran',
      'render r2': 'failed',
      'render r3': 'ran',
      'train t': 'skipped',
      'eval e': 'skipped',
    });
    expect(r.nodes.find((x) => x.label === 'eval e')!.because).toBe(ids('render r2')[0]);
  });
});
