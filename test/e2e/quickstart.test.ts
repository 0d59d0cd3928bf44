// The README's main job, at the reduced size CI runs it: `SYNX_SCALE=0.2 synx run
// experiments/quickstart.synexp` renders, trains, evaluates and reports end to end, and a second
// run computes nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synxWith } from '../cli/cli-io.js';

const root = path.resolve(import.meta.dirname, '../..');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'synx-quickstart-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function synx(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await synxWith(cwd, { CI: '1', SYNX_SCALE: '0.2' }, ...args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

// Wall-time bound: the first run renders, trains and evaluates (19 s of CPU; 45 s of wall time
// measured with the machine's 2 cores at load average 11, other test runs beside it). A busy
// machine stretches wall time by its load, not by this test's work, so the margin is wide.
const E2E_TIMEOUT_MS = 300_000;

describe('the quickstart at CI size', { timeout: E2E_TIMEOUT_MS }, () => {
  const file = path.join(root, 'experiments', 'quickstart.synexp');

  it('renders, trains, evaluates and reports', async () => {
    const r = await synx('run', file);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toMatch(/5 nodes, 0 cached, 5 to run/);
    expect(r.out).toMatch(/done: 5 ran, 0 cached/);
    expect(r.out).toContain('report: reports/quickstart-scale0.2/report.html');
    const md = readFileSync(path.join(cwd, 'reports', 'quickstart-scale0.2', 'report.md'), 'utf8');
    expect(md).toContain('## Identification by pose');
    expect(md).toMatch(/\| quickstart \| heldout \| \d+\.\d\d ± \d+\.\d\d \|/);
    expect(existsSync(path.join(cwd, 'reports', 'quickstart-scale0.2', 'plots', 'rank1-vs-yaw.svg'))).toBe(true);
    expect(existsSync(path.join(cwd, 'reports', 'quickstart-scale0.2', 'samples-1.png'))).toBe(true);
  });

  it('a second run computes nothing', async () => {
    const r = await synx('run', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/5 nodes, 5 cached, 0 to run/);
  });

  it('synx runs and synx report read the run', async () => {
    const runs = await synx('runs');
    expect(runs.code).toBe(0);
    expect(runs.out).toContain('quickstart.synexp');
    const results = await synx('runs', 'show', 'latest', '--results', '--format', 'csv');
    expect(results.code).toBe(0);
    expect(results.out.split('\n')[0]).toBe('experiment,node,label,metric,value');
    expect(results.out).toMatch(/quickstart,eval-[0-9a-f]{10},.*,verification\.accuracy,0\.\d+/);
    const report = await synx('report', 'latest', '--out', 'again');
    expect(report.code, report.err).toBe(0);
    expect(readFileSync(path.join(cwd, 'again', 'report.md'), 'utf8')).toContain('- run: ');
  });
});
