// `synx run --executor slurm` end to end: a real .synexp render experiment, synx's real render
// kind in the jobs, against the real local Slurm, compared with a local run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import runCommand from '../../src/cli/commands/run.js';
import type { CliIO } from '../../src/cli/io.js';
import { openCache, type Cache } from '../../src/exec/index.js';
import { activeJobs, startSlurm, workerCommand } from './fixtures/slurm.js';

const slurm = startSlurm();
if (slurm.state === 'unavailable') {
  console.warn(`test/slurm: skipped, Slurm cannot be installed on this machine: ${slurm.reason}`);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-slurm-cli-'));
  const command = workerCommand('real').map((w) => JSON.stringify(w)).join(', ');
  writeFileSync(path.join(dir, 'synx.yaml'), `executor: slurm\nslurm:\n  poll: 0.25\n  command: [${command}]\n`);
  writeFileSync(path.join(dir, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n  seed {7, 8}\n}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { stdout, stderr, cwd: dir, env: { CI: '1', ...env }, out: () => o, err: () => e };
}

function cacheAt(d: string): Cache {
  const opened = openCache(d);
  if (!opened.ok) throw new Error(opened.diagnostic.message);
  return opened.cache;
}

describe.runIf(slurm.state !== 'unavailable')('synx run --executor slurm', () => {
  beforeAll(() => {
    if (slurm.state === 'broken') throw new Error(slurm.reason);
  });

  it('renders through Slurm the same bytes as a local run, records the jobs, and a re-run submits nothing', async () => {
    const a = io();
    expect(await runCommand.run(['tiny.synexp'], a), a.err() + a.out()).toBe(0);
    expect(a.out()).toMatch(/2 nodes, 0 cached, 2 to run/);
    expect(a.out()).toMatch(/done: 2 ran, 0 cached/);
    const slurmCache = cacheAt(path.join(dir, '.synx', 'cache'));
    const entries = slurmCache.list();
    expect(entries).toHaveLength(2);
    const jobs = entries.map((m) => m.executor?.job ?? '');
    for (const m of entries) expect(m.executor).toEqual({ name: 'slurm', job: expect.stringMatching(/^\d+$/) });
    expect(activeJobs(jobs)).toEqual([]);

    // The same file run here, into another cache: same fingerprints, same files, same bytes.
    const localDir = path.join(dir, 'local-cache');
    const b = io({ SYNX_CACHE: localDir });
    expect(await runCommand.run(['tiny.synexp', '--executor', 'local'], b), b.err()).toBe(0);
    const local = cacheAt(localDir);
    expect(local.fingerprints()).toEqual(slurmCache.fingerprints());
    for (const m of entries) {
      const l = local.readManifest(m.fingerprint)!;
      expect(l.executor).toEqual({ name: 'local' });
      expect(m.files.length).toBeGreaterThan(0);
      expect(m.files).toEqual(l.files);
    }

    const c = io();
    expect(await runCommand.run(['tiny.synexp'], c)).toBe(0);
    expect(c.out()).toMatch(/2 nodes, 2 cached, 0 to run/);
    // Nothing was resubmitted: the entries are still the ones the first jobs made.
    expect(slurmCache.list().map((m) => m.executor?.job)).toEqual(jobs);
  });

  it('rejects an unknown executor as a usage error', async () => {
    await expect(runCommand.run(['tiny.synexp', '--executor', 'kubernetes'], io())).rejects.toThrow(/--executor must be local or slurm/);
  });
});
