// `cache du` counts scratch/ and tmp/ leftovers; `cache gc` removes the scratch of nodes no live
// run is computing, keeping checkpoints of the files it keeps (issue 14 item 6).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import cacheCommand from '../../src/cli/commands/cache.js';
import { openCache, type Cache } from '../../src/exec/index.js';

let dir: string;
let cache: Cache;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synx-scratch-'));
  writeFileSync(path.join(dir, 'synx.yaml'), 'jobs: 1\n');
  const o = openCache(path.join(dir, '.synx', 'cache'));
  if (!o.ok) throw new Error(o.diagnostic.message);
  cache = o.cache;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { out: () => string } {
  const stdout = new PassThrough();
  let o = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  return { stdout, stderr: new PassThrough(), cwd: dir, env: {}, out: () => o };
}

const fp = (c: string): string => c.repeat(64);
function scratch(f: string, bytes: number): void {
  mkdirSync(path.join(cache.scratchDir(f), 'ckpt-1'), { recursive: true });
  writeFileSync(path.join(cache.scratchDir(f), 'ckpt-1', 'weights.bin'), Buffer.alloc(bytes));
}

describe('scratch in cache du and gc', () => {
  it('counts scratch and removes that of dead runs only', async () => {
    scratch(fp('a'), 1000); // its run died without a lock left
    scratch(fp('b'), 2000); // a live run (this process) computes it
    scratch(fp('c'), 3000); // its run died holding the lock
    scratch(fp('d'), 4000); // dead run, but a node of the file gc keeps: resumable checkpoint
    mkdirSync(path.join(cache.root, 'tmp', `${fp('e')}-${os.hostname()}-999999-abcd`, 'out'), { recursive: true });
    writeFileSync(path.join(cache.root, 'tmp', `${fp('e')}-${os.hostname()}-999999-abcd`, 'out', 'x.bin'), Buffer.alloc(500));
    const live = cache.tryLock(fp('b'))!;
    mkdirSync(cache.lockDir(fp('c')), { recursive: true });
    writeFileSync(path.join(cache.lockDir(fp('c')), 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), token: 'x', since: '2026-01-01T00:00:00Z' }));
    try {
      expect(cache.usage()).toMatchObject({ entries: 0, leftovers: 1, leftoverBytes: 500, scratch: { folders: 4, bytes: 10_000 } });
      const du = io();
      expect(await cacheCommand.run(['du'], du)).toBe(0);
      expect(du.out()).toContain('1 temporary folders of interrupted or running nodes, 500 B');
      expect(du.out()).toContain('4 scratch folders of unfinished nodes (checkpoints, partial work), 10 kB');

      const dry = cache.gc(new Set([fp('d')]), { dryRun: true });
      expect(dry.scratch).toEqual({ removed: [fp('a'), fp('c')], bytes: 4000 });
      expect(cache.usage().scratch.folders).toBe(4);
      const res = cache.gc(new Set([fp('d')]));
      expect(res.scratch.removed).toEqual([fp('a'), fp('c')]);
      expect(cache.usage()).toMatchObject({ leftovers: 0, scratch: { folders: 2, bytes: 6000 } });
    } finally {
      live.release();
    }
    // Once its run is gone and nothing keeps it, the last scratch goes too.
    const gc = io();
    expect(await cacheCommand.run(['gc', '--keep-runs', '0'], gc)).toBe(0);
    expect(gc.out()).toContain('removed 2 scratch folders of nodes no live run is computing (6.0 kB)');
    expect(cache.usage().scratch).toEqual({ folders: 0, bytes: 0 });
  });
});

describe('locks left by a dead process', () => {
  it('are released when a run starts (cleanLeftovers), while a live holder keeps its lock', () => {
    // A process killed between committing an entry and releasing its lock: no later run computes
    // that entry again, so nothing else would ever take the lock.
    const write = (name: string, pid: number) => {
      const d = path.join(cache.root, 'locks', name);
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, 'owner.json'), JSON.stringify({ pid, host: os.hostname(), token: `t${pid}`, since: new Date().toISOString() }));
    };
    write(fp('d'), 2 ** 22 + 12345); // above Linux's pid_max default: never a live process
    write(fp('e'), process.pid);
    cache.cleanLeftovers();
    expect(cache.isLocked(fp('d'))).toBe(false);
    expect(cache.isLocked(fp('e'))).toBe(true);
  });
});
