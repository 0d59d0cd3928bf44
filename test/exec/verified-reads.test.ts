// Every command that reads cached results outside `run` verifies the entry first (issue 14 item 2):
// a tampered eval result is refused by `runs show --results`, named as corrupt by `report`, and a
// damaged render shard is not exported; `synx run` then recomputes what was damaged.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIO } from '../helpers/io.js';
import exportCommand from '../../src/cli/commands/export.js';
import reportCommand from '../../src/cli/commands/report.js';
import { makeRunCommand } from '../../src/cli/commands/run.js';
import runsCommand from '../../src/cli/commands/runs.js';
import { calls, fakeKinds } from './fixtures/fake-kinds.js';

let dir: string;
let callsFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-verified-'));
  callsFile = path.join(dir, 'calls.txt');
  writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\n');
  writeFileSync(
    path.join(dir, 'tiny.synexp'),
    'seed 44\nexperiment tiny {\n  sample 2 ids x 2 imgs\n  pretrain with small, triplet, epochs 1\n  eval heldout\n}\ntestset heldout {\n  sample 2 ids x 2 imgs\n}\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = () => captureIO(dir);

const run = makeRunCommand(async () => fakeKinds(callsFile));

/** The cache entry of the first node of `kind`, by its manifest. */
function entryOf(kind: string): string {
  const entries = path.join(dir, '.synx', 'cache', 'entries');
  for (const fp of readdirSync(entries)) {
    const m = JSON.parse(readFileSync(path.join(entries, fp, 'manifest.json'), 'utf8')) as { kind: string };
    if (m.kind === kind) return fp;
  }
  throw new Error(`no ${kind} entry`);
}

describe('reads of cached results outside run', () => {
  it('refuse a tampered eval result, name it, and point to synx run', async () => {
    expect(await run.run(['tiny.synexp'], io())).toBe(0);
    const sound = io();
    expect(await runsCommand.run(['show', 'latest', '--results'], sound)).toBe(0);
    expect(sound.out()).toContain('"accuracy": 0.94');

    const evalFp = entryOf('eval');
    const file = path.join(dir, '.synx', 'cache', 'entries', evalFp, 'out', 'results.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('0.94', '0.99'));

    const shown = io();
    expect(await runsCommand.run(['show', 'latest', '--results'], shown)).toBe(1);
    expect(shown.out()).not.toContain('0.99');
    expect(shown.err()).toContain(`its cache entry ${evalFp.slice(0, 12)} is corrupt (output results.json has changed (sha256 differs)); its results are not shown`);
    expect(shown.err()).toContain('hint: `synx run tiny.synexp` removes the corrupt entries and recomputes them');

    const report = io();
    expect(await reportCommand.run(['tiny.synexp'], report)).toBe(1);
    expect(report.err()).toContain(`its cache entry ${evalFp.slice(0, 12)} is corrupt (output results.json has changed (sha256 differs))`);
    const md = readFileSync(path.join(dir, 'reports', 'tiny', 'report.md'), 'utf8');
    expect(md).toContain('corrupt cache entry');
    expect(md).not.toContain('0.99');

    // The run the hint names recomputes the eval, and the results read again.
    const before = calls(callsFile).length;
    expect(await run.run(['tiny.synexp'], io())).toBe(0);
    expect(calls(callsFile).length).toBe(before + 1); // the eval alone: the report was made from sound results
    const again = io();
    expect(await runsCommand.run(['show', 'latest', '--results'], again)).toBe(0);
    expect(again.out()).toContain('"accuracy": 0.94');
  });

  it('export refuses a damaged render shard, naming its entry', async () => {
    expect(await run.run(['tiny.synexp'], io())).toBe(0);
    const fp = entryOf('render');
    const file = path.join(dir, '.synx', 'cache', 'entries', fp, 'out', 'out.txt');
    writeFileSync(file, readFileSync(file, 'utf8').toUpperCase());
    const ex = io();
    expect(await exportCommand.run(['tiny.synexp'], ex)).toBe(2);
    expect(ex.err()).toContain(`its cache entry ${fp.slice(0, 12)} is corrupt (output out.txt has changed (sha256 differs))`);
    expect(ex.err()).toContain('hint: `synx cache verify --fix` removes the corrupt entries; then `synx run tiny.synexp` recomputes them');
  });
});
