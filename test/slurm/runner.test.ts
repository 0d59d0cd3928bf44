// The Slurm runner's polling, cancelling and failure reports, and the clean-up of runs whose
// controller died, driven by a scripted cluster (a fake SlurmCli): no Slurm needed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/events/index.js';
import type { ComputeOutcome, NodeRunner, RunnerTask } from '../../src/exec/index.js';
import { reapOrphans, slurmRunner, type JobState, type SlurmCli } from '../../src/exec/slurm/index.js';
import { appendProgress, progressFile, type ProgressLine } from '../../src/exec/slurm/job-file.js';
import type { Plan, PlanNode } from '../../src/plan/index.js';
import { buildPlan, fakeKinds, testConfig } from '../exec/fixtures/fake-kinds.js';
import { cacheAt } from '../helpers/cache.js';

/** A cluster whose job states the test sets; it records every command it is given. */
class ScriptedSlurm implements SlurmCli {
  readonly submitted: { id: string; args: readonly string[] }[] = [];
  readonly cancelled: string[] = [];
  /** What squeue lists; an id absent here is one squeue has forgotten. */
  readonly queue = new Map<string, JobState>();
  /** What scontrol says of a job (it remembers jobs longer, with their exit code). */
  readonly detail = new Map<string, JobState>();
  refuse: string | undefined;
  squeueDown = false;
  /** Whether a cancelled job ends at once (as Slurm ends a job it can signal). */
  endOnCancel = false;
  squeueCalls = 0;
  private next = 100;

  async sbatch(args: readonly string[]): Promise<{ id: string } | { error: string }> {
    if (this.refuse !== undefined) return { error: this.refuse };
    const id = String(this.next++);
    this.submitted.push({ id, args });
    this.queue.set(id, { state: 'PENDING', reason: 'None' });
    return { id };
  }

  async squeue(ids: readonly string[]): Promise<Map<string, JobState> | undefined> {
    this.squeueCalls++;
    if (this.squeueDown) return undefined;
    const out = new Map<string, JobState>();
    for (const id of ids) {
      const s = this.queue.get(id);
      if (s) out.set(id, s);
    }
    return out;
  }

  async scontrolJob(id: string): Promise<JobState | undefined> {
    return this.detail.get(id);
  }

  async scancel(ids: readonly string[]): Promise<void> {
    this.cancelled.push(...ids);
    if (this.endOnCancel) for (const id of ids) this.queue.set(id, { state: 'CANCELLED', reason: 'None' });
  }
}

let root: string;
let slurm: ScriptedSlurm;
let warnings: string[];
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-slurm-fake-'));
  slurm = new ScriptedSlurm();
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const RUN = 'run-1';
// The runner never calls a kind itself (the job's worker does): only their resources are read.
const kinds = fakeKinds(path.join(os.tmpdir(), 'synx-slurm-fake-never-called.txt'));

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Started {
  readonly runner: NodeRunner;
  readonly plan: Plan;
  readonly progressDir: string;
  readonly abort: AbortController;
  readonly seen: { starts: number[]; progress: number[]; logs: string[] };
  run(node: PlanNode, waitingOn?: readonly string[]): Promise<ComputeOutcome>;
}

async function start(plan: Plan): Promise<Started> {
  const config = testConfig(root, { executor: 'slurm' });
  const cache = cacheAt(config.cache);
  const runner = slurmRunner({ cli: slurm, pollMs: 5, command: ['worker'] });
  await runner.open({ plan, runId: RUN, config, cache, warn: (m) => warnings.push(m) });
  const abort = new AbortController();
  const seen = { starts: [] as number[], progress: [] as number[], logs: [] as string[] };
  const run = (node: PlanNode, waitingOn: readonly string[] = []): Promise<ComputeOutcome> => {
    const task: RunnerTask = {
      node,
      kind: kinds.get(node.kind)!,
      resources: { cpu: 1, gpu: 0, memoryMb: 0 },
      waitingOn,
      signal: abort.signal,
      onStart: (t) => seen.starts.push(t),
      onProgress: (p) => seen.progress.push(p.done),
      onLog: (m) => seen.logs.push(m),
    };
    return runner.run(task);
  };
  return { runner, plan, progressDir: path.join(config.cache, 'slurm', RUN), abort, seen, run };
}

function say(s: Started, node: PlanNode, line: ProgressLine): void {
  appendProgress(progressFile(s.progressDir, node.id), line);
}

const onePlan = () => buildPlan([{ kind: 'train', params: { name: 't' } }]);

/** An outcome with its failure, if any, in words (as loggers and run records show it). */
const worded = (r: ComputeOutcome) => (r.outcome === 'failed' ? { ...r, error: describeFailure(r.failure) } : r);

describe('the Slurm runner against a scripted cluster', () => {
  it('submits in dependency order, relays progress from the job\'s file, and takes the worker\'s outcome when the job completes', async () => {
    const plan = buildPlan([
      { kind: 'render', params: { name: 'r' } },
      { kind: 'train', params: { name: 't' }, inputs: [{ role: 'data', name: 'r' }] },
    ]);
    const [r, t] = plan.nodes as [PlanNode, PlanNode];
    const s = await start(plan);
    const first = s.run(r);
    const second = s.run(t, [r.id]);
    await until('both submitted', () => slurm.submitted.length === 2);
    const [jr, jt] = slurm.submitted as [{ id: string; args: readonly string[] }, { id: string; args: readonly string[] }];
    expect(jr.args).not.toContainEqual(expect.stringMatching(/^--dependency/));
    expect(jt.args).toContain(`--dependency=afterok:${jr.id}`);
    expect(jr.args.at(-1)).toBe(`--wrap=exec worker exec-node --job ${path.join(s.progressDir, 'job.json')} --node ${r.id}`);

    slurm.queue.set(jr.id, { state: 'RUNNING', reason: 'None' });
    say(s, r, { type: 'start', time: 1000, host: 'n1' });
    say(s, r, { type: 'progress', time: 1001, progress: { done: 3, total: 4, unit: 'img' } });
    say(s, r, { type: 'log', time: 1002, message: 'hello' });
    await until('progress relayed', () => s.seen.logs.length === 1);
    expect(s.seen).toMatchObject({ starts: [1000], progress: [3], logs: ['hello'] });

    say(s, r, { type: 'end', time: 1010, outcome: 'ran', seconds: 7.5 });
    slurm.queue.set(jr.id, { state: 'COMPLETED', reason: 'None' });
    expect(await first).toEqual({ outcome: 'ran', seconds: 7.5 });

    // The worker found the entry computed by another run: cached, not ran.
    say(s, t, { type: 'end', time: 1020, outcome: 'cached' });
    slurm.queue.set(jt.id, { state: 'COMPLETED', reason: 'None' });
    expect(await second).toEqual({ outcome: 'cached' });
    expect(slurm.cancelled).toEqual([]);
    await s.runner.close();
    expect(existsSync(s.progressDir)).toBe(false);
  });

  it('keeps polling while squeue fails, and settles once it answers', async () => {
    const s = await start(onePlan());
    const node = s.plan.nodes[0]!;
    const out = s.run(node);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.squeueDown = true;
    say(s, node, { type: 'end', time: 5, outcome: 'ran', seconds: 1 });
    slurm.queue.set('100', { state: 'COMPLETED', reason: 'None' });
    const calls = slurm.squeueCalls;
    await until('several failed polls', () => slurm.squeueCalls >= calls + 3);
    let settled = false;
    void out.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    slurm.squeueDown = false;
    expect(await out).toEqual({ outcome: 'ran', seconds: 1 });
  });

  it('reports a job stopped at its time limit with the limit to raise and the log', async () => {
    const s = await start(onePlan());
    const node = s.plan.nodes[0]!;
    const out = s.run(node);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.queue.set('100', { state: 'TIMEOUT', reason: 'TimeLimit' });
    const r = await out;
    expect(r.outcome).toBe('failed');
    if (r.outcome !== 'failed') return;
    const log = path.join(root, 'cache', 'logs', `${node.fingerprint}.slurm-100.out`);
    expect(r.failure).toEqual({
      reason: 'slurm-job',
      label: 'train t',
      kind: 'train',
      job: { id: '100', name: `synx-${node.id}`, log },
      state: 'TIMEOUT',
      stateReason: 'TimeLimit',
    });
    const error = describeFailure(r.failure);
    expect(error.message).toBe(`train t reached the job's time limit and was stopped (Slurm job 100 (synx-${node.id}); its log: ${log})`);
    expect(error.log).toBe(log);
    expect(error.hint).toMatch(/raise `time` \(or `resources\.train\.time`\)/);
    expect(error.bug).toBe(false);
  });

  it('reports a job out of memory with the memory setting to raise', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    // Even when the worker reported an error of its own: the memory limit is the cause.
    say(s, s.plan.nodes[0]!, { type: 'end', time: 1, outcome: 'failed', seconds: 2, failure: { reason: 'bug', where: 'train', message: 'killed', log: 'x.log' } });
    slurm.queue.set('100', { state: 'OUT_OF_MEMORY', reason: 'OutOfMemory' });
    const r = await out;
    expect(r).toMatchObject({ outcome: 'failed', seconds: 2, failure: { reason: 'slurm-job', state: 'OUT_OF_MEMORY' } });
    if (r.outcome !== 'failed') return;
    expect(describeFailure(r.failure)).toMatchObject({ message: expect.stringMatching(/^train t ran out of memory \(Slurm job 100/), hint: 'raise `resources.train.mem` in the slurm section of synx.yaml' });
  });

  it('passes on the error the worker reported, naming the job and its log', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    const reported = { reason: 'node-failed', message: 'dataset path /x does not exist', hint: 'fix the path', code: 'SX5005', log: 'w.log' } as const;
    say(s, s.plan.nodes[0]!, { type: 'end', time: 1, outcome: 'failed', seconds: 3, failure: reported });
    slurm.queue.set('100', { state: 'FAILED', reason: 'NonZeroExitCode' });
    const r = await out;
    expect(r).toMatchObject({ outcome: 'failed', seconds: 3, failure: { reason: 'in-slurm-job', job: { id: '100' }, failure: reported } });
    if (r.outcome !== 'failed') return;
    expect(describeFailure(r.failure)).toMatchObject({ message: expect.stringMatching(/^dataset path \/x does not exist \(Slurm job 100 /), hint: 'fix the path' });
  });

  it('a job that failed before its worker said anything is reported with the exit code scontrol gives', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.detail.set('100', { state: 'FAILED', reason: 'NonZeroExitCode', exitCode: '127:0' });
    slurm.queue.set('100', { state: 'FAILED', reason: 'NonZeroExitCode' });
    const r = await out;
    expect(worded(r)).toMatchObject({ outcome: 'failed', seconds: 0, error: { message: expect.stringMatching(/^train t ended FAILED, exit code 127:0 before the node reported a result/), hint: expect.stringMatching(/read the job log/) } });
  });

  it('a job Slurm has forgotten (absent from squeue and scontrol for 3 polls) without an entry fails', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.queue.delete('100');
    const r = await out;
    expect(worded(r)).toMatchObject({ outcome: 'failed', error: { message: expect.stringMatching(/^train t ended UNKNOWN before the node reported a result/) } });
  });

  it('a job cancelled outside synx says so', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.queue.set('100', { state: 'CANCELLED', reason: 'None' });
    expect(worded(await out)).toMatchObject({ outcome: 'failed', error: { message: expect.stringMatching(/was cancelled outside synx/), hint: 'run again to resubmit it' } });
  });

  it('a job whose dependency can never be satisfied is cancelled', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.queue.set('100', { state: 'PENDING', reason: 'DependencyNeverSatisfied' });
    expect(worded(await out)).toMatchObject({ outcome: 'failed', error: { message: expect.stringMatching(/cancelled outside synx \(DependencyNeverSatisfied/) } });
    expect(slurm.cancelled).toEqual(['100']);
  });

  it('an aborted run scancels its jobs and ends them as cancelled once Slurm confirms', async () => {
    const s = await start(onePlan());
    const out = s.run(s.plan.nodes[0]!);
    await until('submitted', () => slurm.submitted.length === 1);
    slurm.queue.set('100', { state: 'RUNNING', reason: 'None' });
    s.abort.abort();
    expect(slurm.cancelled).toEqual(['100']);
    slurm.queue.set('100', { state: 'CANCELLED', reason: 'None' });
    expect(await out).toEqual({ outcome: 'cancelled' });
  });

  it('a job sbatch refuses fails with what sbatch said and where to fix it', async () => {
    slurm.refuse = 'sbatch: error: invalid partition specified: gpu';
    const s = await start(onePlan());
    const r = await s.run(s.plan.nodes[0]!);
    expect(r).toEqual({ outcome: 'failed', seconds: 0, failure: { reason: 'sbatch-refused', label: 'train t', error: 'sbatch: error: invalid partition specified: gpu' } });
    if (r.outcome !== 'failed') return;
    expect(describeFailure(r.failure)).toEqual({
      message: 'sbatch refused the job of train t: sbatch: error: invalid partition specified: gpu',
      hint: expect.stringMatching(/slurm section of synx\.yaml/),
      bug: false,
    });
  });
});

describe('runs whose controller is gone', () => {
  function orphan(run: string, controller: { pid: number; host: string }, jobs: string[]): string {
    const dir = path.join(root, run);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'controller.json'), JSON.stringify({ ...controller, runId: run }));
    writeFileSync(path.join(dir, 'jobs.txt'), jobs.map((j) => `${j} node-${j}\n`).join(''));
    return dir;
  }

  it('cancels the live jobs of a dead controller on this host and removes its folder; others are left', async () => {
    const dead = orphan('dead', { pid: 11, host: 'here' }, ['5', '6', '7']);
    const living = orphan('living', { pid: 12, host: 'here' }, ['8']);
    const elsewhere = orphan('elsewhere', { pid: 13, host: 'there' }, ['9']);
    const current = orphan(RUN, { pid: 14, host: 'here' }, ['10']);
    slurm.queue.set('5', { state: 'RUNNING', reason: 'None' });
    slurm.queue.set('6', { state: 'COMPLETED', reason: 'None' });
    slurm.queue.set('8', { state: 'RUNNING', reason: 'None' });
    slurm.queue.set('9', { state: 'RUNNING', reason: 'None' });
    slurm.queue.set('10', { state: 'RUNNING', reason: 'None' });
    slurm.endOnCancel = true;
    await reapOrphans(root, RUN, { cli: slurm, warn: (m) => warnings.push(m), host: 'here', alive: (pid) => pid !== 11 && pid !== 14, pollMs: 1 });
    expect(slurm.cancelled).toEqual(['5']);
    expect(warnings).toEqual(['run dead ended without cancelling its Slurm jobs (its synx process 11 is gone); cancelled 1 job(s) still queued or running: 5']);
    expect(existsSync(dead)).toBe(false);
    for (const kept of [living, elsewhere, current]) expect(existsSync(kept)).toBe(true);
  });

  it('leaves a dead controller\'s run for the next time when squeue does not answer', async () => {
    const dead = orphan('dead', { pid: 11, host: 'here' }, ['5']);
    slurm.squeueDown = true;
    await reapOrphans(root, RUN, { cli: slurm, warn: (m) => warnings.push(m), host: 'here', alive: () => false });
    expect(slurm.cancelled).toEqual([]);
    expect(warnings).toEqual([]);
    expect(existsSync(dead)).toBe(true);
  });
});
