import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainNode, findNode, indexCache, openCache, planStatus, runPlan, type Cache } from '../../src/exec/index.js';
import { buildPlan, diamond, fakeKinds, testConfig } from './fixtures/fake-kinds.js';

let root: string;
let cache: Cache;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-why-'));
  const o = openCache(path.join(root, 'cache'));
  if (!o.ok) throw new Error(o.diagnostic.message);
  cache = o.cache;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const runIt = (specs = diamond()) =>
  runPlan(buildPlan(specs), fakeKinds(path.join(root, 'calls')), { config: testConfig(root), cache, runsDir: false });

describe('planStatus', () => {
  it('says which nodes are cached, missing or corrupt', async () => {
    await runIt();
    const plan = buildPlan(diamond({ t: { seed: 9 } }));
    const r3 = plan.nodes[2]!;
    writeFileSync(path.join(cache.outDir(r3.fingerprint), 'out.txt'), 'x');
    const st = planStatus(plan, cache);
    expect([...st.values()].map((s) => s.state)).toEqual(['cached', 'cached', 'corrupt', 'missing', 'missing']);
    expect(st.get(r3.id)?.problem).toMatch(/out.txt has 1 bytes, the manifest says \d+/);
  });
});

describe('explainNode', () => {
  it('names the param that differs from the closest cached entry', async () => {
    await runIt();
    const plan = buildPlan(diamond({ r1: { seed: 7 } }));
    const r1 = plan.nodes[0]!;
    const e = explainNode(plan, r1.id, cache)!;
    expect(e.status.state).toBe('missing');
    expect(e.closest?.label).toBe('render r1');
    expect(e.differences).toEqual([{ what: 'param', path: 'seed', cached: 1, now: 7 }]);
    expect(e.lines[0]).toMatch(/^render r1 \(render-[0-9a-f]{10}\) will run: it is not in the cache\. The closest cached render entry is [0-9a-f]{12} \(render r1, computed /);
    expect(e.lines[1]).toBe('  - param seed: 1 → 7');
  });

  it('traces a dependent to its changed input, and says when the input is not cached either', async () => {
    await runIt();
    const plan = buildPlan(diamond({ r1: { seed: 7 } }));
    const t = plan.nodes[3]!;
    const e = explainNode(plan, t.id, cache, indexCache(cache))!;
    expect(e.differences).toHaveLength(1);
    expect(e.differences[0]).toMatchObject({ what: 'input', role: 'data', position: 0, nowCached: false });
    expect(e.lines[1]).toBe(
      `  - input 1 (data): was render r1 (${buildPlan(diamond()).nodes[0]!.fingerprint.slice(0, 10)}), now render r1 (${plan.nodes[0]!.id}), which is not cached either (see \`synx why ${plan.nodes[0]!.id}\`)`,
    );
  });

  it('prefers the entry with the fewest differences and reports added params and cached nodes', async () => {
    await runIt([{ kind: 'render', params: { name: 'a', seed: 1 } }, { kind: 'render', params: { name: 'b', seed: 1 } }]);
    const plan = buildPlan([{ kind: 'render', params: { name: 'b', seed: 1, cpu: 2 } }]);
    const e = explainNode(plan, plan.nodes[0]!.id, cache)!;
    expect(e.closest?.label).toBe('render b');
    expect(e.lines[1]).toBe('  - param cpu: (absent) → 2');
    const same = buildPlan([{ kind: 'render', params: { name: 'a', seed: 1 } }]);
    expect(explainNode(same, same.nodes[0]!.id, cache)!.lines[0]).toMatch(/will not run: it is cached/);
    const fresh = buildPlan([{ kind: 'eval', params: { name: 'z' } }]);
    expect(explainNode(fresh, fresh.nodes[0]!.id, cache)!.lines).toEqual([
      `eval z (${fresh.nodes[0]!.id}) will run: no eval node has been cached yet, so there is nothing to reuse`,
    ]);
    expect(explainNode(fresh, 'nope', cache)).toBeUndefined();
  });

  it('finds nodes by id, label or prefix', () => {
    const plan = buildPlan(diamond());
    const t = plan.nodes[3]!;
    expect(findNode(plan, t.id).node).toBe(t);
    expect(findNode(plan, 'train t').node).toBe(t);
    expect(findNode(plan, t.fingerprint.slice(0, 8)).node).toBe(t);
    expect(findNode(plan, 'render').node).toBeUndefined();
    expect(findNode(plan, 'render').candidates).toHaveLength(3);
  });
});
