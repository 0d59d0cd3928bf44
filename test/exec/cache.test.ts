import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache, runPlan, type Cache } from '../../src/exec/index.js';
import { buildPlan, diamond, fakeKinds, testConfig } from './fixtures/fake-kinds.js';

let root: string;
let cache: Cache;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-cache-'));
  const o = openCache(path.join(root, 'cache'));
  if (!o.ok) throw new Error(o.diagnostic.message);
  cache = o.cache;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = { synx: '0', node: 'v20', backend: 'cpu', platform: 'linux', arch: 'x64', host: 'h' };
const draft = (fp: string) => ({
  fingerprint: fp,
  kind: 'render',
  version: '1',
  label: 'render x',
  params: { a: 1 },
  inputs: [],
  timings: { started: '2026-01-01T00:00:00.000Z', finished: '2026-01-01T00:00:01.000Z', seconds: 1 },
  environment: env,
});

describe('cache entries', () => {
  it('publishes an entry only at commit, with sizes and sha256 of every file', async () => {
    const p = await cache.begin('f1');
    mkdirSync(path.join(p.outDir, 'sub'));
    writeFileSync(path.join(p.outDir, 'sub', 'b.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(path.join(p.outDir, 'a.txt'), 'abc');
    expect(cache.check('f1').state).toBe('missing');
    const m = await cache.commit(p, draft('f1'));
    // sha256("abc") and sha256 of bytes 01 02 03, from the standard test vectors / sha256sum.
    expect(m.files).toEqual([
      { path: 'a.txt', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
      { path: 'sub/b.bin', size: 3, sha256: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81' },
    ]);
    expect(m.bytes).toBe(6);
    expect(cache.check('f1').state).toBe('ok');
    expect((await cache.verify('f1')).state).toBe('ok');
  });

  it('tells corrupt entries apart: bad manifest, missing file, changed bytes, extra file', async () => {
    const make = async (fp: string) => {
      const p = await cache.begin(fp);
      writeFileSync(path.join(p.outDir, 'a.txt'), 'abc');
      await cache.commit(p, draft(fp));
    };
    await make('f1');
    writeFileSync(path.join(cache.entryDir('f1'), 'manifest.json'), '{"format":1');
    expect(cache.check('f1')).toEqual({ state: 'corrupt', problem: 'manifest.json is not valid JSON' });
    await make('f2');
    rmSync(path.join(cache.outDir('f2'), 'a.txt'));
    expect(cache.check('f2')).toEqual({ state: 'corrupt', problem: 'output a.txt is missing' });
    await make('f3');
    writeFileSync(path.join(cache.outDir('f3'), 'a.txt'), 'abd');
    expect(cache.check('f3').state).toBe('ok');
    expect(await cache.verify('f3')).toEqual({ state: 'corrupt', problem: 'output a.txt has changed (sha256 differs)' });
    await make('f4');
    writeFileSync(path.join(cache.outDir('f4'), 'x'), '');
    expect(await cache.verify('f4')).toEqual({ state: 'corrupt', problem: 'output x is not in the manifest' });
    await make('f5');
    const m = JSON.parse(readFileSync(path.join(cache.entryDir('f5'), 'manifest.json'), 'utf8'));
    writeFileSync(path.join(cache.entryDir('f1'), 'manifest.json'), JSON.stringify(m));
    expect(cache.check('f1').state === 'corrupt' && cache.check('f1')).toMatchObject({ problem: expect.stringMatching(/another fingerprint/) });
  });

  it('gc keeps what it is told to keep, du counts by kind', async () => {
    const plan = buildPlan(diamond());
    await runPlan(plan, fakeKinds(path.join(root, 'calls')), { config: testConfig(root), cache, runsDir: false });
    const usage = cache.usage();
    expect(usage.entries).toBe(5);
    expect(usage.byKind.render?.entries).toBe(3);
    expect(usage.bytes).toBe(cache.list().reduce((s, m) => s + m.files.reduce((t, f) => t + f.size, 0), 0));
    const keep = new Set(plan.nodes.filter((n) => n.kind !== 'render').map((n) => n.fingerprint));
    const dry = cache.gc(keep, { dryRun: true });
    expect(dry.removed).toHaveLength(3);
    expect(cache.fingerprints()).toHaveLength(5);
    cache.gc(keep);
    expect(cache.fingerprints().sort()).toEqual([...keep].sort());
  });

  it('cleans temporary folders of dead processes but not of live ones', async () => {
    const live = await cache.begin('f1');
    const deadDir = path.join(cache.root, 'tmp', `f2-${os.hostname()}-999999999-abcd`);
    mkdirSync(deadDir, { recursive: true });
    expect(cache.leftovers()).toBe(2);
    expect(cache.cleanLeftovers()).toBe(1);
    expect(cache.leftovers()).toBe(1);
    await cache.discard(live);
    expect(cache.leftovers()).toBe(0);
  });
});
