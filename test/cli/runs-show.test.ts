// `synx runs show` of a run record as the executor writes it while the run is alive, and after
// its process died: unfinished nodes read `cancelled` in the record either way.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRunRecord, type RunRecord } from '../../src/exec/index.js';
import { synx } from './cli-io.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'synx-runs-show-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(id: string, pid: number): RunRecord {
  return {
    format: 1,
    id,
    file: 'e.synexp',
    status: 'running',
    pid,
    host: os.hostname(),
    started: '2026-12-06T19:00:00.000Z',
    environment: { synx: '0.1.0', node: process.version, backend: 'wasm', platform: process.platform, arch: process.arch, host: os.hostname() },
    experiments: [],
    nodes: [
      { id: 'render-aaaaaaaaaa', kind: 'render', label: 'render synthetic ids 0-9 x 2', fingerprint: 'a'.repeat(64), outcome: 'ran', seconds: 3 },
      { id: 'train-bbbbbbbbbb', kind: 'train', label: 'pretrain 20 synthetic', fingerprint: 'b'.repeat(64), outcome: 'cancelled' },
    ],
  };
}

describe('synx runs show', () => {
  it('shows the unfinished nodes of a live run as pending, of a dead one as cancelled', async () => {
    const runs = path.join(dir, '.synx', 'runs');
    writeRunRecord(runs, record('20261206-190000-aaaa', process.pid));
    const live = await synx(dir, 'runs', 'show', '20261206-190000-aaaa');
    expect(live.code).toBe(0);
    expect(live.stdout).toContain('running');
    expect(live.stdout).toMatch(/^ {2}ran +render-aaaaaaaaaa/m);
    expect(live.stdout).toMatch(/^ {2}pending +train-bbbbbbbbbb/m);

    // No process has this pid (above any Linux pid_max): the run died without ending its record.
    writeRunRecord(runs, record('20261206-190001-bbbb', 2 ** 31 - 2));
    const dead = await synx(dir, 'runs', 'show', '20261206-190001-bbbb');
    expect(dead.stdout).toContain('interrupted');
    expect(dead.stdout).toMatch(/^ {2}cancelled +train-bbbbbbbbbb/m);
  });
});
