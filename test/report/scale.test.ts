// Scaled runs (SYNX_SCALE) publish apart and say so (issue 14 item 5): a smoke test never
// replaces the full run's report, and every report states its scale.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIO } from '../helpers/io.js';
import reportCommand from '../../src/cli/commands/report.js';
import { makeRunCommand } from '../../src/cli/commands/run.js';
import { fakeKinds } from '../exec/fixtures/fake-kinds.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\n');
writeFileSync(
  path.join(dir, 'tiny.synexp'),
  'experiment tiny {\n  sample 10 ids x 4 imgs\n  pretrain with small, triplet, epochs 1\n  eval heldout\n}\ntestset heldout {\n  sample 4 ids x 4 imgs\n}\n',
);

const io = (env: NodeJS.ProcessEnv = {}) => captureIO(dir, env);

const run = makeRunCommand(async () => fakeKinds(path.join(dir, 'calls.txt')));
/** Every file of a folder with its bytes, to compare a report before and after. */
const snapshot = (d: string): Record<string, string> =>
  Object.fromEntries(readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => [path.join(e.parentPath, e.name), readFileSync(path.join(e.parentPath, e.name), 'latin1')]));

describe('scaled runs', () => {
  it('publish to their own folder and leave the full report untouched', async () => {
    const full = io();
    expect(await run.run(['tiny.synexp'], full)).toBe(0);
    expect(full.out()).toContain('report: reports/tiny/report.html');
    const before = snapshot(path.join(dir, 'reports', 'tiny'));
    const scaled = io({ SYNX_SCALE: '0.5' });
    expect(await run.run(['tiny.synexp'], scaled)).toBe(0);
    expect(scaled.out()).toContain('report: reports/tiny-scale0.5/report.html');
    expect(snapshot(path.join(dir, 'reports', 'tiny'))).toEqual(before);
  });

  it('`synx report` states the scale, and writes a scaled report apart', async () => {
    const full = io();
    expect(await reportCommand.run(['tiny.synexp'], full)).toBe(0);
    expect(readFileSync(path.join(dir, 'reports', 'tiny', 'report.md'), 'utf8')).toContain('- scale: 1 (the experiments as written)');
    const scaled = io({ SYNX_SCALE: '0.5' });
    expect(await reportCommand.run(['tiny.synexp'], scaled)).toBe(0);
    const md = readFileSync(path.join(dir, 'reports', 'tiny-scale0.5', 'report.md'), 'utf8');
    expect(md).toMatch(/^# tiny\n\n\*\*scale: 0\.5 \(SYNX_SCALE: .*a smoke test, not the experiments as written\)\*\*\n/);
    expect(readFileSync(path.join(dir, 'reports', 'tiny', 'report.md'), 'utf8')).not.toContain('scale: 0.5');
  });
});
