// The executor's CLI commands (run, why, cache, runs) on a real .synexp file, with fake node kinds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import cacheCommand from '../../src/cli/commands/cache.js';
import { makeRunCommand } from '../../src/cli/commands/run.js';
import runsCommand from '../../src/cli/commands/runs.js';
import whyCommand from '../../src/cli/commands/why.js';
import { captureIO } from '../helpers/io.js';
import { calls, fakeKinds } from './fixtures/fake-kinds.js';

let dir: string;
let callsFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-cli-'));
  callsFile = path.join(dir, 'calls.txt');
  writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 2\n');
  writeFileSync(path.join(dir, 'tiny.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n  seed {7, 8}\n}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = () => captureIO(dir);

const run = makeRunCommand(async () => fakeKinds(callsFile));

describe('synx run', () => {
  it('runs, then reuses the cache; plain output when not a terminal', async () => {
    const a = io();
    expect(await run.run(['tiny.synexp'], a)).toBe(0);
    expect(a.out()).toMatch(/^synx run \d{8}-\d{6}-[0-9a-f]{4}: tiny\.synexp: 2 nodes, 0 cached, 2 to run, 2 at a time\n/);
    expect(a.out()).toMatch(/\ndone: 2 ran, 0 cached in [\d.]+s\n$/);
    // eslint-disable-next-line no-control-regex
    expect(a.out()).not.toMatch(/\u001b/);
    const b = io();
    expect(await run.run(['tiny.synexp', '--jobs', '1'], b)).toBe(0);
    expect(b.out()).toMatch(/\ndone: 0 ran, 2 cached in/);
    expect(calls(callsFile)).toHaveLength(2);
  });

  it('--json writes the event stream as JSON lines', async () => {
    const a = io();
    expect(await run.run(['tiny.synexp', '--json'], a)).toBe(0);
    const events = a.out().trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)!.type).toBe('run-finish');
    expect(events.filter((e) => e.type === 'node-finish')).toHaveLength(2);
  });

  it('exits 2 with a diagnostic on a bad file or option, 1 when a node fails', async () => {
    writeFileSync(path.join(dir, 'bad.synexp'), 'experiment bad {\n  sample 2 idz\n}\n');
    const a = io();
    expect(await run.run(['bad.synexp'], a)).toBe(2);
    expect(a.err()).toMatch(/bad\.synexp:2:\d+: error SX1/);
    await expect(run.run(['tiny.synexp', '--jobs', '0'], io())).rejects.toThrow(/--jobs must be a whole number/);
    const failing = makeRunCommand(async () => new Map());
    const b = io();
    expect(await failing.run(['tiny.synexp'], b)).toBe(1);
    expect(b.out()).toContain("FAILED  render render synthetic ids 0-1 x 2 (render-");
    expect(b.out()).toContain("no node kind 'render' is registered");
  });

  it('exits 2 naming the cache folder when it cannot be used', async () => {
    writeFileSync(path.join(dir, 'blocker'), '');
    writeFileSync(path.join(dir, 'synx.yaml'), 'cache: blocker/cache\n');
    const a = io();
    expect(await run.run(['tiny.synexp'], a)).toBe(2);
    expect(a.err()).toContain(`error SX5004: cannot use the cache folder ${path.join(dir, 'blocker', 'cache')}`);
  });
});

describe('synx why, cache, runs', () => {
  it('explains, lists, measures, verifies, collects garbage and lists runs', async () => {
    expect(await run.run(['tiny.synexp'], io())).toBe(0);
    const ls = io();
    await cacheCommand.run(['ls', '--json'], ls);
    const entries = JSON.parse(ls.out()) as { fingerprint: string; kind: string }[];
    expect(entries.map((e) => e.kind)).toEqual(['render', 'render']);

    const planned = io();
    writeFileSync(path.join(dir, 'one.synexp'), 'experiment tiny {\n  sample 2 ids x 2 imgs\n  seed 9\n}\n');
    const idOf = async () => {
      const { compileFile } = await import('../../src/plan/index.js');
      const { loadConfig } = await import('../../src/config/index.js');
      const r = await compileFile('one.synexp', loadConfig(dir, {}).config, { cwd: dir });
      return r.plan!.nodes[0]!.id;
    };
    const id = await idOf();
    expect(await whyCommand.run(['one.synexp', id], planned)).toBe(0);
    expect(planned.out()).toContain(`render synthetic ids 0-1 x 2 (${id}) will run: it is not in the cache.`);
    expect(planned.out()).toMatch(/- param seed: [78] → 9\n/);
    const unknown = io();
    expect(await whyCommand.run(['one.synexp', 'train-x'], unknown)).toBe(2);
    expect(unknown.err()).toContain("no node 'train-x' in one.synexp");

    const du = io();
    await cacheCommand.run(['du'], du);
    expect(du.out()).toMatch(/^render\s+2 entries/);

    const ok = io();
    expect(await cacheCommand.run(['verify'], ok)).toBe(0);
    expect(ok.out()).toBe('2 entries verified, 0 corrupt\n');
    const out = path.join(dir, '.synx', 'cache', 'entries', entries[0]!.fingerprint, 'out', 'out.txt');
    writeFileSync(out, readFileSync(out, 'utf8').replace('render', 'RENDER'));
    const bad = io();
    expect(await cacheCommand.run(['verify'], bad)).toBe(1);
    expect(bad.out()).toContain(`corrupt ${entries[0]!.fingerprint.slice(0, 12)} render synthetic ids 0-1 x 2: output out.txt has changed (sha256 differs)`);
    expect(await cacheCommand.run(['verify', '--fix'], io())).toBe(0);
    expect(await cacheCommand.run(['verify'], io())).toBe(0);

    await expect(cacheCommand.run(['gc'], io())).rejects.toThrow(/say what to keep/);
    const dry = io();
    expect(await cacheCommand.run(['gc', 'one.synexp', '--dry-run'], dry)).toBe(0);
    expect(dry.out()).toMatch(/^would remove 1 entries/);
    expect(await cacheCommand.run(['gc', '--keep-runs', '1'], io())).toBe(0);
    const after = io();
    await cacheCommand.run(['ls', '--json'], after);
    expect((JSON.parse(after.out()) as unknown[]).length).toBe(1);

    const list = io();
    expect(await runsCommand.run([], list)).toBe(0);
    expect(list.out()).toMatch(/^RUN\s+STATUS\s+NODES\s+TIME\s+FILE\n\d{8}-\d{6}-[0-9a-f]{4}\s+ok\s+2 ran, 0 cached\s+[\d.]+s\s+tiny\.synexp\n$/);
    const show = io();
    expect(await runsCommand.run(['show', 'latest'], show)).toBe(0);
    expect(show.out()).toMatch(/\n  ran\s+render-[0-9a-f]{10}\s+render synthetic ids 0-1 x 2 /);
    const csv = io();
    expect(await runsCommand.run(['show', 'latest', '--results', '--format', 'csv'], csv)).toBe(0);
    expect(csv.out()).toBe('experiment,node,label,metric,value\n');
  });
});
