// Runs in child processes: a `kill -9` mid-node, and two runs of one plan on one cache at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPlan, listRuns, runState } from '../../src/exec/index.js';
import { cacheAt } from '../helpers/cache.js';
import { buildPlan, calls, diamond, fakeKinds, testConfig } from './fixtures/fake-kinds.js';

const child = fileURLToPath(new URL('./fixtures/child-run.ts', import.meta.url));
let root: string;
let callsFile: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-proc-'));
  callsFile = path.join(root, 'calls.txt');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function start(over: object): { proc: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, root, callsFile, JSON.stringify(over)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    proc.on('close', (code) => resolve({ code, out, err })),
  );
  return { proc, done };
}

async function waitFor(file: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runs in separate processes', () => {
  it('kill -9 mid-node leaves no entry; the next run completes and verify is clean', async () => {
    const marker = path.join(root, 'started');
    const over = { t: { marker } };
    writeFileSync(`${marker}.hold`, '');
    const { proc, done } = start(over);
    await waitFor(marker);
    proc.kill('SIGKILL');
    await done;

    const cache = cacheAt(path.join(root, 'cache'));
    const plan = buildPlan(diamond(over));
    const t = plan.nodes.find((n) => n.label === 'train t')!;
    expect(cache.check(t.fingerprint).state).toBe('missing');
    // The killed node's half-written folder (and, under load, maybe another node's), outside entries/.
    expect(cache.leftovers()).toBeGreaterThanOrEqual(1);
    expect(cache.isLocked(t.fingerprint)).toBe(true); // held by a dead process
    expect(listRuns(path.join(root, 'runs')).map(runState)).toEqual(['interrupted']);

    rmSync(`${marker}.hold`);
    const r = await runPlan(plan, fakeKinds(callsFile), { config: testConfig(root), cache });
    expect(r.summary.status).toBe('ok');
    expect(r.nodes.find((n) => n.label === 'train t')!.outcome).toBe('ran');
    expect(cache.leftovers()).toBe(0);
    for (const fp of cache.fingerprints()) expect((await cache.verify(fp)).state).toBe('ok');
    expect(readdirSync(path.join(cache.root, 'locks'))).toEqual([]);
  });

  it('Ctrl-C (SIGINT) cancels the running node, caches nothing partial and exits 130', async () => {
    writeFileSync(path.join(root, 'synx.yaml'), 'jobs: 1\n');
    writeFileSync(path.join(root, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n}\n');
    const marker = path.join(root, 'started');
    const script = fileURLToPath(new URL('./fixtures/child-cli.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', script, root, marker, 'tiny.synexp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<number | null>((resolve) => proc.on('close', resolve));
    await waitFor(marker);
    proc.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(err).toContain('SIGINT: cancelling running nodes');
    expect(out).toMatch(/\[1\/1\] cancelled render render synthetic ids 0-1 x 2\ncancelled: 0 ran, 0 cached, 1 cancelled in /);
    const cacheRoot = path.join(root, '.synx', 'cache');
    expect(readdirSync(path.join(cacheRoot, 'entries'))).toEqual([]);
    expect(readdirSync(path.join(cacheRoot, 'tmp'))).toEqual([]);
    expect(readdirSync(path.join(cacheRoot, 'locks'))).toEqual([]);
    expect(listRuns(path.join(root, '.synx', 'runs')).map(runState)).toEqual(['cancelled']);
  });

  it('a second Ctrl-C exits at once, even if a node ignores the cancel; the next run cleans up', async () => {
    writeFileSync(path.join(root, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n}\n');
    const marker = path.join(root, 'started');
    const script = fileURLToPath(new URL('./fixtures/child-cli.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', script, root, marker, 'tiny.synexp'], {
      stdio: 'ignore',
      env: { ...process.env, IGNORE_ABORT: '1' },
    });
    const closed = new Promise<number | null>((resolve) => proc.on('close', resolve));
    await waitFor(marker);
    proc.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    expect(proc.exitCode).toBeNull();
    proc.kill('SIGINT');
    expect(await closed).toBe(130);
    const cache = cacheAt(path.join(root, '.synx', 'cache'));
    expect(cache.fingerprints()).toEqual([]);
    expect(cache.leftovers()).toBe(1);
    expect(cache.cleanLeftovers()).toBe(1);
  });

  it('two concurrent runs of one plan compute each node once', async () => {
    const over = { r1: { delay: 150 }, r2: { delay: 150 }, r3: { delay: 150 }, t: { delay: 150 }, e: { delay: 150 } };
    const a = start(over);
    const b = start(over);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.err + rb.err).toBe('');
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(calls(callsFile).sort()).toEqual(['e', 'r1', 'r2', 'r3', 't']);
    const sa = JSON.parse(ra.out) as { ran: number; cached: number };
    const sb = JSON.parse(rb.out) as { ran: number; cached: number };
    expect(sa.ran + sb.ran).toBe(5);
    expect(sa.ran + sa.cached).toBe(5);
    expect(sb.ran + sb.cached).toBe(5);
    const e = buildPlan(diamond(over)).nodes.at(-1)!;
    const out = readFileSync(path.join(root, 'cache', 'entries', e.fingerprint, 'out', 'out.txt'), 'utf8');
    expect(out).toContain('model:train(t,4)');
  });
});
