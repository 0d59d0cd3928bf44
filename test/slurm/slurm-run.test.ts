// `runPlan` with the Slurm runner against a real single-machine Slurm (started by
// scripts/slurm-up.sh), with the executor tests' fake kinds run by `synx exec-node` in the jobs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { describeFailure, describeWarning, type RunEvent } from '../../src/events/index.js';
import { runPlan, type Cache, type RunResult } from '../../src/exec/index.js';
import { slurmRunner } from '../../src/exec/slurm/index.js';
import type { Plan } from '../../src/plan/index.js';
import { buildPlan, calls, diamond, fakeKinds, testConfig } from '../exec/fixtures/fake-kinds.js';
import { cacheAt } from '../helpers/cache.js';
import { activeJobs, workerCommand } from './fixtures/slurm.js';

const slurm = inject('slurm');
if (slurm.state === 'unavailable') {
  console.warn(`test/slurm: skipped, Slurm is not available (set SYNX_SLURM_SETUP=1 to install and start it): ${slurm.reason}`);
}

let root: string;
let callsFile: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-slurm-'));
  callsFile = path.join(root, 'calls.txt');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface SlurmRun {
  readonly result: RunResult;
  readonly events: RunEvent[];
  /** node id → Slurm job id, for every job submitted. */
  readonly submitted: Map<string, string>;
  readonly cache: Cache;
}

async function runOnSlurm(plan: Plan, over: { signal?: AbortSignal; onEvent?: (e: RunEvent) => void; command?: string[] } = {}): Promise<SlurmRun> {
  const config = testConfig(root, { executor: 'slurm', slurm: { poll: 0.25 } });
  const cache = cacheAt(config.cache);
  const submitted = new Map<string, string>();
  const events: RunEvent[] = [];
  const runner = slurmRunner({
    command: over.command ?? workerCommand(callsFile),
    progressIntervalMs: 50,
    onSubmit: (node, job) => submitted.set(node, job),
  });
  const result = await runPlan(plan, fakeKinds(callsFile), {
    config,
    cache,
    runner,
    ...(over.signal ? { signal: over.signal } : {}),
    onEvent: (e) => {
      events.push(e);
      over.onEvent?.(e);
    },
  });
  return { result, events, submitted, cache };
}

/** Every output file of every node, by node label: what a local run must equal byte for byte. */
function outputs(plan: Plan, cache: Cache): Record<string, Record<string, string>> {
  const all: Record<string, Record<string, string>> = {};
  for (const node of plan.nodes) {
    const dir = cache.outDir(node.fingerprint);
    const files: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) files[f] = readFileSync(path.join(dir, f), 'utf8');
    all[node.label] = files;
  }
  return all;
}

async function runLocally(plan: Plan): Promise<Cache> {
  const config = testConfig(root, { cache: path.join(root, 'local-cache'), runs: path.join(root, 'local-runs') });
  const cache = cacheAt(config.cache);
  const r = await runPlan(plan, fakeKinds(path.join(root, 'local-calls.txt')), { config, cache });
  expect(r.summary.status).toBe('ok');
  return cache;
}

// Wall-time bound: each test submits a few Slurm jobs whose workers start under tsx (about 2 s of
// overhead per job on an idle machine, bench/slurm.bench.ts), several times that on a busy one.
const SLURM_TIMEOUT_MS = 180_000;

describe.runIf(slurm.state !== 'unavailable')('synx run on a real local Slurm', { timeout: SLURM_TIMEOUT_MS }, () => {
  beforeAll(() => {
    // Installed but not starting is a broken setup, not a reason to skip.
    if (slurm.state === 'broken') throw new Error(slurm.reason);
  });

  it('runs a render-only plan as Slurm jobs, with entries equal to a local run and progress from the jobs', async () => {
    const plan = buildPlan([
      { kind: 'render', params: { name: 'a', seed: 1, delay: 400 } },
      { kind: 'render', params: { name: 'b', seed: 2 } },
    ]);
    const { result, events, submitted, cache } = await runOnSlurm(plan);
    expect(result.summary).toMatchObject({ status: 'ok', ran: 2, cached: 0, failed: 0 });
    expect([...submitted.keys()].sort()).toEqual(plan.nodes.map((n) => n.id).sort());
    expect(calls(callsFile).sort()).toEqual(['a', 'b']);

    const local = await runLocally(plan);
    expect(outputs(plan, cache)).toEqual(outputs(plan, local));
    for (const node of plan.nodes) {
      const manifest = cache.readManifest(node.fingerprint)!;
      // Same fingerprint, same files and hashes as the local entry; the executor and job are recorded.
      expect(manifest.files).toEqual(local.readManifest(node.fingerprint)!.files);
      expect(manifest.executor).toEqual({ name: 'slurm', job: submitted.get(node.id) });
      expect(local.readManifest(node.fingerprint)!.executor).toEqual({ name: 'local' });
    }
    // The same events as a local run: start, progress (from the job's progress file), finish.
    const a = plan.nodes[0]!.id;
    const kinds = events.filter((e) => 'node' in e && e.node?.id === a).map((e) => e.type);
    expect(kinds[0]).toBe('node-start');
    expect(kinds).toContain('node-progress');
    expect(kinds.at(-1)).toBe('node-finish');
    // The run's job and progress files are removed once every job has ended.
    expect(existsSync(path.join(cache.root, 'slurm', result.runId))).toBe(false);
  });

  it('runs render→train→eval with afterok dependencies, equal to a local run; a second run submits nothing', async () => {
    const plan = buildPlan(diamond({ t: { delay: 300 } }));
    const first = await runOnSlurm(plan);
    expect(first.result.summary).toMatchObject({ status: 'ok', ran: 5 });
    // Every node was submitted up front, before its inputs had finished.
    expect(first.submitted.size).toBe(5);
    expect(outputs(plan, first.cache)).toEqual(outputs(plan, await runLocally(plan)));
    const evalNode = plan.nodes.find((n) => n.kind === 'eval')!;
    expect(readFileSync(path.join(first.cache.outDir(evalNode.fingerprint), 'out.txt'), 'utf8')).toBe(
      'eval(e,5)[model:train(t,4)[data:render(r1,1)[];data:render(r2,2)[]];test:render(r3,3)[]]',
    );

    const second = await runOnSlurm(plan);
    expect(second.submitted.size).toBe(0);
    expect(second.result.summary).toMatchObject({ status: 'ok', ran: 0, cached: 5 });
    expect(calls(callsFile)).toHaveLength(5);
  });

  it('two runs of one plan at once on one shared cache compute each node once', async () => {
    const plan = buildPlan([
      { kind: 'render', params: { name: 'a', seed: 1, delay: 300 } },
      { kind: 'render', params: { name: 'b', seed: 2, delay: 300 } },
      { kind: 'train', params: { name: 't', seed: 3 }, inputs: [{ role: 'data', name: 'a' }, { role: 'data', name: 'b' }] },
    ]);
    const [x, y] = await Promise.all([runOnSlurm(plan), runOnSlurm(plan)]);
    // Both submitted every node, but the node's lock let only one job of each compute it.
    expect(x.submitted.size + y.submitted.size).toBe(6);
    expect(calls(callsFile).sort()).toEqual(['a', 'b', 't']);
    for (const r of [x, y]) {
      expect(r.result.summary.status).toBe('ok');
      expect(r.result.summary.ran + r.result.summary.cached).toBe(3);
    }
    expect(x.result.summary.ran + y.result.summary.ran).toBe(3);
    expect(await x.cache.verify(plan.nodes[2]!.fingerprint)).toMatchObject({ state: 'ok' });
  });

  it('reports a failing node with its job log, skips its dependents and keeps the rest', async () => {
    const plan = buildPlan(diamond({ t: { mode: 'failure' } }));
    const { result, submitted } = await runOnSlurm(plan);
    expect(result.summary).toMatchObject({ status: 'failed', failed: 1, skipped: 1, ran: 3 });
    const t = result.nodes.find((n) => n.label === 'train t')!;
    const job = submitted.get(t.id)!;
    expect(t.outcome).toBe('failed');
    expect(t.failure).toMatchObject({ reason: 'in-slurm-job', job: { id: job }, failure: { reason: 'node-failed' } });
    const tError = describeFailure(t.failure!);
    expect(tError.message).toMatch(new RegExp(`^dataset for t is missing \\(Slurm job ${job} \\(synx-${t.id}\\); its log: `));
    expect(tError.hint).toBe('add it to synx.yaml');
    expect(tError.log).toBe(path.join(root, 'cache', 'logs', `${t.fingerprint}.slurm-${job}.out`));
    expect(tError.message).toContain(tError.log!);
    expect(readFileSync(tError.log!, 'utf8')).toContain('dataset for t is missing');
    // The eval's job, submitted to wait for the train, was dropped: nothing is left in the queue.
    const e = result.nodes.find((n) => n.label === 'eval e')!;
    expect(e.outcome).toBe('skipped');
    expect(submitted.has(e.id)).toBe(true);
    expect(activeJobs([...submitted.values()])).toEqual([]);
  });

  it('reports a job whose worker cannot start with the job state, exit code and log', async () => {
    const plan = buildPlan([{ kind: 'render', params: { name: 'a' } }]);
    const { result, submitted } = await runOnSlurm(plan, { command: [path.join(root, 'no-such-node')] });
    const a = result.nodes[0]!;
    expect(a.outcome).toBe('failed');
    expect(a.failure).toMatchObject({ reason: 'slurm-job', state: 'FAILED', exitCode: '127:0' });
    const aError = describeFailure(a.failure!);
    expect(aError.message).toMatch(/^render a ended FAILED, exit code 127:0 before the node reported a result \(Slurm job \d+/);
    expect(aError.log).toBe(path.join(root, 'cache', 'logs', `${a.fingerprint}.slurm-${submitted.get(a.id)}.out`));
    expect(readFileSync(aError.log!, 'utf8')).toMatch(/no-such-node/);
  });

  it('cancels every submitted job on abort, leaving no running job, no entry and no lock', async () => {
    const plan = buildPlan(diamond({ r1: { mode: 'hang' }, r2: { delay: 60_000 } }));
    const abort = new AbortController();
    const r1 = plan.nodes[0]!.id;
    const { result, submitted, cache } = await runOnSlurm(plan, {
      signal: abort.signal,
      // Abort once the hanging node is running inside its job (it has written half an output).
      onEvent: (e) => {
        if (e.type === 'node-start' && e.node.id === r1) abort.abort(new Error('test abort'));
      },
    });
    expect(result.summary.status).toBe('cancelled');
    expect(result.summary.ran + result.summary.failed).toBeLessThanOrEqual(1); // r3 may have finished
    expect(submitted.size).toBe(5);
    expect(activeJobs([...submitted.values()])).toEqual([]);
    for (const node of plan.nodes) {
      if (node.label === 'render r3') continue;
      expect(cache.check(node.fingerprint).state).toBe('missing');
      expect(cache.isLocked(node.fingerprint)).toBe(false);
    }
    expect(readdirSync(path.join(cache.root, 'tmp'))).toEqual([]);
  });

  it('a run killed with -9 leaves its jobs; the next run on the host cancels them and says so', async () => {
    const marker = path.join(root, 'r1.started');
    writeFileSync(`${marker}.hold`, '');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, fileURLToPath(new URL('./fixtures/child-run.ts', import.meta.url)), root, callsFile, JSON.stringify({ r1: { marker } })], {
      stdio: 'ignore',
    });
    // Wait until r1 runs inside its job (so every job is submitted), then kill the controller.
    const slurmDir = path.join(root, 'cache', 'slurm');
    const deadline = Date.now() + 60_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(marker)).toBe(true);
    const runDir = path.join(slurmDir, readdirSync(slurmDir)[0]!);
    const orphans = readFileSync(path.join(runDir, 'jobs.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')[0]!);
    expect(orphans).toHaveLength(5);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(activeJobs(orphans).length).toBeGreaterThan(0);

    // The next run (a render-only plan) cancels the orphans before submitting its own jobs.
    const { result, events } = await runOnSlurm(buildPlan([{ kind: 'render', params: { name: 'solo' } }]));
    expect(result.summary.status).toBe('ok');
    const warning = events.find((e) => e.type === 'cache-warning' && /without cancelling its Slurm jobs/.test(describeWarning(e.warning)));
    expect(warning).toBeDefined();
    expect(activeJobs(orphans)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    rmSync(`${marker}.hold`, { force: true });
  });
});
