import { describe, expect, it } from 'vitest';
import { describeFailure, type Failure, type SlurmJobRef } from '../../src/events/index.js';

// The words of every failure, pinned as the bytes a run record and `--json` hold: these are the
// messages the executor wrote itself before failures were typed, field order included.
const words = (f: Failure) => JSON.stringify(describeFailure(f));
const JOB: SlurmJobRef = { id: '7', name: 'synx-train-abc', log: '/c/logs/t.slurm-7.out' };
const WHERE = 'Slurm job 7 (synx-train-abc); its log: /c/logs/t.slurm-7.out';

describe('describeFailure', () => {
  it("keeps a node kind's own words, code, hint and log", () => {
    expect(words({ reason: 'node-failed', message: 'dataset path /x does not exist', hint: 'fix the path', code: 'SX5002', log: '/l' })).toBe(
      '{"message":"dataset path /x does not exist","code":"SX5002","bug":false,"log":"/l","hint":"fix the path"}',
    );
    expect(words({ reason: 'node-failed', message: 'out of memory at epoch 2', code: 'SX5005', log: '/l' })).toBe(
      '{"message":"out of memory at epoch 2","code":"SX5005","bug":false,"log":"/l"}',
    );
  });

  it('words file-system problems as things the user can fix', () => {
    expect(words({ reason: 'disk-full', message: 'ENOSPC: no space left on device', log: '/l' })).toBe(
      '{"message":"ENOSPC: no space left on device","code":"SX5004","hint":"free disk space (`synx cache gc` removes entries no experiment needs) ' +
        'or move the cache with `cache:` in synx.yaml or SYNX_CACHE","bug":false,"log":"/l"}',
    );
    expect(words({ reason: 'file-problem', message: "EACCES: permission denied, open '/d/a.png'", log: '/l' })).toBe(
      `{"message":"EACCES: permission denied, open '/d/a.png'","code":"SX5005","hint":"check that the path exists and is readable (and writable, for outputs)","bug":false,"log":"/l"}`,
    );
  });

  it('words a bug as one, naming where it happened', () => {
    expect(words({ reason: 'bug', where: 'train', message: 'undefined is not a function', log: '/l' })).toBe(
      '{"message":"internal error in the train node kind (a bug in synx, please report it): undefined is not a function","bug":true,"log":"/l"}',
    );
    expect(words({ reason: 'submit-bug', label: 'train t', message: 'x is null' })).toBe(
      '{"message":"internal error submitting train t to Slurm (a bug in synx, please report it): x is null","bug":true}',
    );
  });

  it('names an unsound input and says a new run recomputes it', () => {
    const input = { id: 'render-abc', label: 'render r1' };
    expect(words({ reason: 'input-unsound', input, problem: 'output a has changed', log: '/l' })).toBe(
      '{"message":"input render r1 (render-abc) has no sound cache entry (output a has changed)","code":"SX5004","bug":false,"log":"/l",' +
        '"hint":"run again: the input will be recomputed"}',
    );
    expect(describeFailure({ reason: 'input-unsound', input, log: '/l' }).message).toBe(
      'input render r1 (render-abc) has no sound cache entry (it was removed)',
    );
  });

  it('names a kind that is not registered, here or in the worker', () => {
    expect(words({ reason: 'unknown-kind', kind: 'render', label: 'render r1' })).toBe(
      `{"message":"no node kind 'render' is registered, so render r1 cannot run",` +
        '"hint":"this synx build lacks that stage; reinstall synx or use a plan made by the same version","bug":false}',
    );
    expect(words({ reason: 'unknown-kind', kind: 'render', label: 'render r1', inWorker: true })).toBe(
      `{"message":"no node kind 'render' is registered in the worker, so render r1 cannot run","bug":false}`,
    );
  });

  it("passes on the worker's cache diagnostic", () => {
    expect(words({ reason: 'cache-unusable', message: 'cannot create the cache folder /c', code: 'SX5004', hint: 'set cache:' })).toBe(
      '{"message":"cannot create the cache folder /c","code":"SX5004","bug":false,"hint":"set cache:"}',
    );
  });

  it('words each way a Slurm job can end without a result, with the setting to change', () => {
    const job = (state: string, more: { stateReason?: string; exitCode?: string } = {}): Failure => ({
      reason: 'slurm-job', label: 'train t', kind: 'train', job: JOB, state, ...more,
    });
    expect(words({ reason: 'sbatch-refused', label: 'train t', error: 'invalid partition' })).toBe(
      '{"message":"sbatch refused the job of train t: invalid partition",' +
        '"hint":"check the slurm section of synx.yaml (partition, account, time, resources, extra) against `sinfo`","bug":false}',
    );
    expect(words(job('TIMEOUT', { stateReason: 'TimeLimit' }))).toBe(
      `{"message":"train t reached the job's time limit and was stopped (${WHERE})",` +
        '"hint":"raise `time` (or `resources.train.time`) in the slurm section of synx.yaml; the next run resumes from the node\'s checkpoints",' +
        `"bug":false,"log":"${JOB.log}"}`,
    );
    expect(words(job('OUT_OF_MEMORY'))).toBe(
      `{"message":"train t ran out of memory (${WHERE})","hint":"raise \`resources.train.mem\` in the slurm section of synx.yaml","bug":false,"log":"${JOB.log}"}`,
    );
    expect(describeFailure(job('CANCELLED', { stateReason: '' })).message).toBe(`train t was cancelled outside synx (scancel; ${WHERE})`);
    expect(describeFailure(job('CANCELLED', { stateReason: 'by 1000' })).message).toBe(`train t was cancelled outside synx (by 1000; ${WHERE})`);
    expect(describeFailure(job('PREEMPTED'))).toEqual({ message: `train t lost its compute node (PREEMPTED; ${WHERE})`, hint: 'run again to resubmit it', bug: false, log: JOB.log });
    expect(describeFailure(job('FAILED', { exitCode: '127:0' })).message).toBe(`train t ended FAILED, exit code 127:0 before the node reported a result (${WHERE})`);
    expect(describeFailure(job('FAILED', { exitCode: '' })).message).toBe(`train t ended FAILED before the node reported a result (${WHERE})`);
  });

  it("adds the job and its log to what the job's worker reported", () => {
    const reported: Failure = { reason: 'node-failed', message: 'dataset for t is missing', hint: 'add it to synx.yaml', code: 'SX5002', log: '/w.log' };
    expect(words({ reason: 'in-slurm-job', job: JOB, failure: reported })).toBe(
      `{"message":"dataset for t is missing (${WHERE})","code":"SX5002","bug":false,"log":"${JOB.log}","hint":"add it to synx.yaml"}`,
    );
    expect(words({ reason: 'in-slurm-job', job: JOB, failure: { reason: 'unknown-kind', kind: 'x', label: 'x a', inWorker: true } })).toBe(
      `{"message":"no node kind 'x' is registered in the worker, so x a cannot run (${WHERE})","bug":false,"log":"${JOB.log}"}`,
    );
  });
});
