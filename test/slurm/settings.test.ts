// The mapping from synx.yaml and a kind's resources to sbatch arguments, and the progress-file
// reader: no Slurm needed.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { fitToAllocation, sbatchArgs, shellQuote, slurmSettings, tailProgress } from '../../src/exec/slurm/index.js';
import { testConfig } from '../exec/fixtures/fake-kinds.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-slurm-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const job = {
  kind: 'train',
  name: 'synx-train-0123456789',
  output: '/c/logs/ab.slurm-%j.out',
  chdir: '/p',
  after: [] as string[],
  argv: ['/usr/bin/node', '/s/bin/synx.js', 'exec-node', '--job', '/c/slurm/r 1/job.json', '--node', 'train-0123456789'],
};

describe('slurm settings', () => {
  it('maps a kind with no settings to cpus, memory in MiB and no gpu', () => {
    const s = slurmSettings(testConfig(dir));
    expect(s).toEqual({ pollMs: 5000, extra: [], resources: {} });
    expect(sbatchArgs(s, { cpu: 2, gpu: 0, memoryMb: 1500.5 }, job)).toEqual([
      '--parsable',
      '--job-name=synx-train-0123456789',
      '--output=/c/logs/ab.slurm-%j.out',
      '--chdir=/p',
      '--cpus-per-task=2',
      '--mem=1501M',
      "--wrap=exec /usr/bin/node /s/bin/synx.js exec-node --job '/c/slurm/r 1/job.json' --node train-0123456789",
    ]);
  });

  it('adds gpus, partition, account, time, dependencies and extra arguments; per-kind settings win', () => {
    const s = slurmSettings(
      testConfig(dir, {
        slurm: {
          partition: 'cpu',
          account: 'lab',
          time: '04:00:00',
          poll: 0.5,
          extra: ['--qos=normal'],
          resources: { train: { cpus: 8, mem: '32G', time: '24:00:00', partition: 'gpu', extra: ['--constraint=a100'] } },
        },
      }),
    );
    expect(s.pollMs).toBe(500);
    const args = sbatchArgs(s, { cpu: 2, gpu: 1, memoryMb: 100 }, { ...job, after: ['41', '42'] });
    expect(args.slice(4, -1)).toEqual([
      '--cpus-per-task=8',
      '--mem=32G',
      '--gres=gpu:1',
      '--partition=gpu',
      '--account=lab',
      '--time=24:00:00',
      '--dependency=afterok:41:42',
      '--kill-on-invalid-dep=yes',
      '--qos=normal',
      '--constraint=a100',
    ]);
    // Another kind gets the defaults of the section.
    const render = sbatchArgs(s, { cpu: 1, gpu: 0, memoryMb: 0 }, { ...job, kind: 'render' });
    expect(render.slice(4, -1)).toEqual(['--cpus-per-task=1', '--partition=cpu', '--account=lab', '--time=04:00:00', '--qos=normal']);
  });

  it('accepts the slurm keys in synx.yaml and rejects a malformed memory size', () => {
    writeFileSync(
      path.join(dir, 'synx.yaml'),
      'executor: slurm\nslurm:\n  partition: gpu\n  poll: 2\n  command: [/opt/node, /opt/synx/bin/synx.js]\n  resources:\n    train: { gpus: 1, mem: 16G }\n',
    );
    const ok = loadConfig(dir, {});
    expect(ok.diagnostics).toEqual([]);
    expect(slurmSettings(ok.config)).toEqual({
      partition: 'gpu',
      pollMs: 2000,
      extra: [],
      resources: { train: { gpus: 1, mem: '16G', extra: [] } },
      command: ['/opt/node', '/opt/synx/bin/synx.js'],
    });
    writeFileSync(path.join(dir, 'synx.yaml'), 'slurm:\n  resources:\n    train: { mem: lots }\n');
    expect(loadConfig(dir, {}).diagnostics.map((d) => d.severity)).toContain('error');
  });

  it('quotes words for sh only when needed', () => {
    expect(shellQuote('/a/b-c_d.js')).toBe('/a/b-c_d.js');
    expect(shellQuote("it's here")).toBe("'it'\\''s here'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('a job\'s config', () => {
  it('caps threads and cpus at the CPUs Slurm gave the job', () => {
    const config = testConfig(dir, { threads: 64, cpus: 64 });
    expect(fitToAllocation(config, '4')).toMatchObject({ threads: 4, cpus: 4 });
    expect(fitToAllocation({ ...config, threads: 2 }, '4')).toMatchObject({ threads: 2, cpus: 4 });
    // Outside Slurm, or a value that is not a count: unchanged.
    expect(fitToAllocation(config, undefined)).toBe(config);
    expect(fitToAllocation(config, '0')).toBe(config);
    expect(fitToAllocation(config, 'x')).toBe(config);
  });
});

describe('progress files', () => {
  it('reads whole lines only, from where it stopped, skipping torn ones', () => {
    const file = path.join(dir, 'n.jsonl');
    expect(tailProgress(file, 0)).toEqual({ lines: [], offset: 0 });
    const start = JSON.stringify({ type: 'start', time: 1, host: 'h' });
    appendFileSync(file, `${start}\n{"type":"progress","time":2,"progress":{"done":1,"total":2,"unit":"im`);
    const a = tailProgress(file, 0);
    expect(a).toEqual({ lines: [{ type: 'start', time: 1, host: 'h' }], offset: start.length + 1 });
    appendFileSync(file, 'ages"}}\nnot json\n');
    const b = tailProgress(file, a.offset);
    expect(b.lines).toEqual([{ type: 'progress', time: 2, progress: { done: 1, total: 2, unit: 'images' } }]);
    expect(tailProgress(file, b.offset)).toEqual({ lines: [], offset: b.offset });
  });
});
