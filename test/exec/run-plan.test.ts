import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPlan, type Cache, type RunRecord } from '../../src/exec/index.js';
import type { RunEvent } from '../../src/events/index.js';
import { cacheAt } from '../helpers/cache.js';
import { buildPlan, calls, diamond, fakeKinds, testConfig, type Counter, type NodeSpec } from './fixtures/fake-kinds.js';

let root: string;
let callsFile: string;
let cache: Cache;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-exec-'));
  callsFile = path.join(root, 'calls.txt');
  cache = cacheAt(path.join(root, 'cache'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const run = (specs = diamond(), over: Parameters<typeof testConfig>[1] = {}, extra: { signal?: AbortSignal; onEvent?: (e: RunEvent) => void; counter?: Counter } = {}) =>
  runPlan(buildPlan(specs), fakeKinds(callsFile, extra.counter), {
    config: testConfig(root, over),
    cache,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
  });

const outcomes = (r: Awaited<ReturnType<typeof run>>) => Object.fromEntries(r.nodes.map((n) => [n.label, n.outcome]));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('runPlan', () => {
  it('computes every node once, in dependency order, then a second run makes zero calls', async () => {
    const first = await run();
    expect(first.summary).toMatchObject({ total: 5, ran: 5, cached: 0, failed: 0, status: 'ok' });
    const order = calls(callsFile);
    expect(order.sort()).toEqual(['e', 'r1', 'r2', 'r3', 't']);
    const seq = calls(callsFile);
    expect(seq.indexOf('t')).toBeGreaterThan(Math.max(seq.indexOf('r1'), seq.indexOf('r2')));
    expect(seq.indexOf('e')).toBe(4);

    const second = await run();
    expect(calls(callsFile)).toHaveLength(5);
    expect(second.summary).toMatchObject({ ran: 0, cached: 5, status: 'ok' });
  });

  it('passes inputs in order and writes a manifest whose hashes match the bytes', async () => {
    const r = await run();
    const e = r.nodes.find((n) => n.label === 'eval e')!;
    const out = readFileSync(path.join(cache.outDir(e.fingerprint), 'out.txt'), 'utf8');
    expect(out).toBe(
      'eval(e,5)[model:train(t,4)[data:render(r1,1)[];data:render(r2,2)[]];test:render(r3,3)[]]',
    );
    const m = cache.readManifest(e.fingerprint)!;
    expect(m.files.map((f) => f.path)).toEqual(['out.txt', 'results.json']);
    expect(m.files[0]).toEqual({ path: 'out.txt', size: Buffer.byteLength(out), sha256: sha(out) });
    expect(m.inputs.map((i) => `${i.role} ${i.label}`)).toEqual(['model train t', 'test render r3']);
    expect(m.environment.node).toBe(process.version);
    expect(m.version).toBe('1');
    expect((await cache.verify(e.fingerprint)).state).toBe('ok');
  });

  it('changing one param re-runs exactly that node and its dependents', async () => {
    await run();
    writeFileSync(callsFile, '');
    const r = await run(diamond({ r1: { seed: 10 } }));
    expect(calls(callsFile).sort()).toEqual(['e', 'r1', 't']);
    expect(outcomes(r)).toEqual({
      'render r1': 'ran',
      'render r2': 'cached',
      'render r3': 'cached',
      'train t': 'ran',
      'eval e': 'ran',
    });
  });

  it('a failed node skips its dependents while independent work continues', async () => {
    const events: RunEvent[] = [];
    const r = await run(diamond({ r2: { mode: 'failure' } }), {}, { onEvent: (e) => events.push(e) });
    expect(outcomes(r)).toEqual({
      'render r1': 'ran',
      'render r2': 'failed',
      'render r3': 'ran',
      'train t': 'skipped',
      'eval e': 'skipped',
    });
    expect(r.summary).toMatchObject({ status: 'failed', failed: 1, skipped: 2, ran: 2 });
    const failed = r.nodes.find((n) => n.outcome === 'failed')!;
    expect(failed.failure).toEqual({
      reason: 'node-failed',
      message: 'dataset for r2 is missing',
      hint: 'add it to synx.yaml',
      code: 'SX5002',
      log: cache.logFile(failed.fingerprint),
    });
    const finish = events.find((e) => e.type === 'node-finish' && e.status === 'failed');
    expect(finish).toMatchObject({ node: { id: failed.id }, failure: failed.failure });
    // The record keeps the failure in words, as `synx runs show` prints it.
    const recorded = JSON.parse(readFileSync(r.record!, 'utf8')) as RunRecord;
    expect(recorded.nodes.find((n) => n.id === failed.id)).toEqual({
      id: failed.id,
      kind: 'render',
      label: 'render r2',
      fingerprint: failed.fingerprint,
      outcome: 'failed',
      seconds: failed.seconds,
      error: { message: 'dataset for r2 is missing', code: 'SX5002', bug: false, log: cache.logFile(failed.fingerprint), hint: 'add it to synx.yaml' },
    });
    expect(r.nodes.find((n) => n.label === 'eval e')!.because).toBe(failed.id);
    expect(existsSync(cache.entryDir(failed.fingerprint))).toBe(false);
    expect(readdirSync(path.join(cache.root, 'tmp'))).toEqual([]);
    expect(events.filter((e) => e.type === 'node-skipped')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run-finish', summary: { status: 'failed' } });
  });

  it('reports an exception that is not a NodeFailure as a bug, with the stack in the log', async () => {
    const r = await run(diamond({ r3: { mode: 'bug' } }));
    const bad = r.nodes.find((n) => n.outcome === 'failed')!;
    expect(bad.failure).toEqual({ reason: 'bug', where: 'render', message: 'undefined is not a function', log: cache.logFile(bad.fingerprint) });
    expect(readFileSync(cache.logFile(bad.fingerprint), 'utf8')).toMatch(/TypeError: undefined is not a function\n\s+at /);
  });

  it('abort cancels running nodes and caches nothing partial; the next run resumes', async () => {
    const ac = new AbortController();
    const r = await run(diamond({ r1: { mode: 'hang' } }), { jobs: 1 }, {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'node-start' && e.node.label === 'render r1') setTimeout(() => ac.abort(), 20);
      },
    });
    expect(r.summary.status).toBe('cancelled');
    const r1 = r.nodes.find((n) => n.label === 'render r1')!;
    expect(r1.outcome).toBe('cancelled');
    expect(existsSync(cache.entryDir(r1.fingerprint))).toBe(false);
    expect(readdirSync(path.join(cache.root, 'tmp'))).toEqual([]);
    expect(readdirSync(path.join(cache.root, 'locks'))).toEqual([]);
    expect(r.nodes.filter((n) => n.outcome === 'cancelled').length).toBeGreaterThanOrEqual(3);

    const again = await run(diamond());
    expect(again.summary.status).toBe('ok');
    expect(again.summary.ran + again.summary.cached).toBe(5);
  });

  it('detects a corrupt entry, reports it and recomputes it, never using it', async () => {
    const first = await run();
    const r1 = first.nodes.find((n) => n.label === 'render r1')!;
    const file = path.join(cache.outDir(r1.fingerprint), 'out.txt');
    const good = readFileSync(file, 'utf8');
    // Same size, other bytes: only a content hash finds it; it is found because t must re-run.
    writeFileSync(file, good.replace('r1', 'XX'));
    writeFileSync(callsFile, '');
    const events: RunEvent[] = [];
    const r = await run(diamond({ t: { seed: 40 } }), {}, { onEvent: (e) => events.push(e) });
    expect(calls(callsFile).sort()).toEqual(['e', 'r1', 't']);
    expect(events.find((e) => e.type === 'cache-warning')).toMatchObject({
      warning: { reason: 'corrupt-entry', label: 'render r1', problem: expect.stringMatching(/^output out.txt has changed/) },
    });
    expect(readFileSync(file, 'utf8')).toBe(good);
    const t = r.nodes.find((n) => n.label === 'train t')!;
    expect(readFileSync(path.join(cache.outDir(t.fingerprint), 'out.txt'), 'utf8')).toContain('render(r1,1)');
  });

  it('recomputes an entry whose file lost bytes even when nothing reads it', async () => {
    const first = await run();
    const e = first.nodes.find((n) => n.label === 'eval e')!;
    writeFileSync(path.join(cache.outDir(e.fingerprint), 'results.json'), '{');
    writeFileSync(callsFile, '');
    await run();
    expect(calls(callsFile)).toEqual(['e']);
  });

  it('keeps a node\'s scratch folder across attempts and deletes it once cached', async () => {
    const specs = diamond({ r1: { mode: 'checkpoint' } });
    const a = await run(specs);
    const r1 = a.nodes.find((n) => n.label === 'render r1')!;
    expect(r1.outcome).toBe('failed');
    expect(readFileSync(path.join(cache.scratchDir(r1.fingerprint), 'ckpt'), 'utf8')).toBe('epoch 1');
    const b = await run(specs);
    expect(b.summary.status).toBe('ok');
    expect(readFileSync(cache.logFile(r1.fingerprint), 'utf8')).toContain('resumed from epoch 1');
    expect(existsSync(cache.scratchDir(r1.fingerprint))).toBe(false);
  });

  it('runs nodes in parallel up to --jobs', async () => {
    const wide = Array.from({ length: 6 }, (_, i) => ({ kind: 'render' as const, params: { name: `w${i}`, delay: 60 } }));
    const c1: Counter = { running: 0, maxRunning: 0 };
    await run(wide, { jobs: 1 }, { counter: c1 });
    expect(c1.maxRunning).toBe(1);
    rmSync(path.join(cache.root, 'entries'), { recursive: true });
    const c3: Counter = { running: 0, maxRunning: 0 };
    await run(wide, { jobs: 3 }, { counter: c3 });
    expect(c3.maxRunning).toBe(3);
  });

  it('starts the ready node on the longest remaining path first, by count and by estimates', async () => {
    // Plan order puts two short independent nodes first; with one job the chain's head still
    // starts first (three nodes wait on it), and its next link outranks them in turn.
    const chain: NodeSpec[] = [
      { kind: 'data', params: { name: 'a' } },
      { kind: 'data', params: { name: 'b' } },
      { kind: 'render', params: { name: 'r' } },
      { kind: 'train', params: { name: 't' }, inputs: [{ role: 'data', name: 'r' }] },
      { kind: 'eval', params: { name: 'e' }, inputs: [{ role: 'model', name: 't' }] },
    ];
    await run(chain, { jobs: 1 });
    expect(calls(callsFile)).toEqual(['r', 't', 'a', 'b', 'e']);

    // With estimates: a 100 s data node outranks a chain of three 1 s nodes; equal ranks keep
    // plan order.
    rmSync(path.join(cache.root, 'entries'), { recursive: true });
    writeFileSync(callsFile, '');
    const weighted: NodeSpec[] = [
      { kind: 'render', params: { name: 'r', est: 1 } },
      { kind: 'train', params: { name: 't', est: 1 }, inputs: [{ role: 'data', name: 'r' }] },
      { kind: 'eval', params: { name: 'e', est: 1 }, inputs: [{ role: 'model', name: 't' }] },
      { kind: 'data', params: { name: 'big', est: 100 } },
      { kind: 'data', params: { name: 'x', est: 3 } },
      { kind: 'data', params: { name: 'y', est: 3 } },
    ];
    await run(weighted, { jobs: 1 });
    expect(calls(callsFile)).toEqual(['big', 'r', 'x', 'y', 't', 'e']);
  });

  it('keeps the sum of CPU and GPU slots within the config', async () => {
    const wide = Array.from({ length: 4 }, (_, i) => ({ kind: 'train' as const, params: { name: `g${i}`, delay: 40, cpu: 1, gpu: 1 } }));
    const c: Counter = { running: 0, maxRunning: 0 };
    await run(wide, { jobs: 4, cpus: 4, gpus: 2 }, { counter: c });
    expect(c.maxRunning).toBe(2);
    const big = Array.from({ length: 3 }, (_, i) => ({ kind: 'render' as const, params: { name: `b${i}`, delay: 40, cpu: 3 } }));
    const c2: Counter = { running: 0, maxRunning: 0 };
    await run(big, { jobs: 4, cpus: 4 }, { counter: c2 });
    expect(c2.maxRunning).toBe(1);
    // A node asking for more than the machine has still runs (alone).
    const huge = [{ kind: 'render' as const, params: { name: 'h', cpu: 64 } }];
    expect((await run(huge, { cpus: 2 })).summary.status).toBe('ok');
  });

  it('emits throttled progress and a run-start that counts cached nodes', async () => {
    await run(diamond());
    const events: RunEvent[] = [];
    await run(diamond({ e: { delay: 50 } }), {}, { onEvent: (e) => events.push(e) });
    const start = events[0]!;
    expect(start).toMatchObject({ type: 'run-start', cached: 4, toRun: 1 });
    // Exactly one terminal event per node.
    const terminal = events.filter((e) => e.type === 'node-finish' || e.type === 'node-cached' || e.type === 'node-skipped');
    expect(terminal.map((e) => ('node' in e ? e.node.label : '')).sort()).toEqual(['eval e', 'render r1', 'render r2', 'render r3', 'train t']);
    expect(events.filter((e) => e.type === 'node-start')).toHaveLength(1);
    const progress = events.filter((e) => e.type === 'node-progress');
    // 10 steps of 5 ms, at most one event per 100 ms plus the last: at most 2.
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ progress: { done: 10, total: 10, unit: 'steps' } });
  });

  it('fails a node whose kind is not registered, with a message naming it', async () => {
    const plan = buildPlan(diamond());
    const r = await runPlan(plan, new Map(), { config: testConfig(root), cache, runsDir: false });
    expect(r.nodes.find((n) => n.label === 'render r1')!.failure).toEqual({ reason: 'unknown-kind', kind: 'render', label: 'render r1' });
  });

  it('reports a full disk as a cache problem the user can fix, not as a bug', async () => {
    const kinds = fakeKinds(callsFile);
    kinds.set('eval', {
      ...kinds.get('eval')!,
      async run() {
        throw Object.assign(new Error("ENOSPC: no space left on device, write '/c/tmp/x/out/emb.bin'"), { code: 'ENOSPC' });
      },
    });
    const r = await runPlan(buildPlan(diamond()), kinds, { config: testConfig(root), cache, runsDir: false });
    const e = r.nodes.find((n) => n.label === 'eval e')!;
    expect(e.outcome).toBe('failed');
    expect(e.failure).toEqual({ reason: 'disk-full', message: "ENOSPC: no space left on device, write '/c/tmp/x/out/emb.bin'", log: cache.logFile(e.fingerprint) });
    expect(readdirSync(path.join(cache.root, 'tmp'))).toEqual([]);
  });

  it('warns, and still runs, when the run record cannot be written', async () => {
    const blocker = path.join(root, 'runs-file');
    writeFileSync(blocker, '');
    const events: RunEvent[] = [];
    const r = await runPlan(buildPlan(diamond()), fakeKinds(callsFile), {
      config: testConfig(root),
      cache,
      runsDir: path.join(blocker, 'runs'),
      onEvent: (e) => events.push(e),
    });
    expect(r.summary.status).toBe('ok');
    expect(r.record).toBeUndefined();
    expect(events.filter((e) => e.type === 'cache-warning').map((e) => e.type === 'cache-warning' && e.warning)).toEqual([
      { reason: 'record-unwritable', dir: path.join(blocker, 'runs'), message: expect.stringMatching(/^ENOTDIR/) },
    ]);
  });

  it('returns an SX5004 diagnostic for a cache folder it cannot create', async () => {
    const blocker = path.join(root, 'file');
    writeFileSync(blocker, '');
    const r = await runPlan(buildPlan(diamond()), fakeKinds(callsFile), {
      config: testConfig(root, { cache: path.join(blocker, 'cache') }),
      runsDir: false,
    });
    expect(r.diagnostics[0]).toMatchObject({ code: 'SX5004', message: expect.stringContaining(path.join(blocker, 'cache')) });
    expect(r.diagnostics[0]!.hint).toMatch(/SYNX_CACHE/);
    expect(calls(callsFile)).toEqual([]);
  });
});
