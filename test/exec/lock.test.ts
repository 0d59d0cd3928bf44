import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache, type Cache } from '../../src/exec/index.js';

let root: string;
let cache: Cache;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'synx-lock-'));
  const o = openCache(root);
  if (!o.ok) throw new Error(o.diagnostic.message);
  cache = o.cache;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A pid that certainly belongs to no running process: one that has just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('per-fingerprint lock', () => {
  it('is exclusive until released', () => {
    const a = cache.tryLock('abc');
    expect(a).toBeDefined();
    expect(cache.tryLock('abc')).toBeUndefined();
    expect(cache.isLocked('abc')).toBe(true);
    expect(cache.tryLock('other')).toBeDefined();
    a!.release();
    a!.release();
    expect(cache.isLocked('abc')).toBe(false);
    expect(cache.tryLock('abc')).toBeDefined();
  });

  it('takes over a lock whose process on this host is dead', () => {
    const dir = cache.lockDir('abc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 't0', since: '' }));
    const lock = cache.tryLock('abc');
    expect(lock).toBeDefined();
    expect(lock!.owner.pid).toBe(process.pid);
    expect(readdirSync(path.dirname(dir)).sort()).toEqual(['abc']);
  });

  it('respects a live lock from another host until its heartbeat is a minute old', () => {
    const dir = cache.lockDir('abc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: 1, host: 'node-17', token: 't0', since: '' }));
    expect(cache.tryLock('abc')).toBeUndefined();
    const old = new Date(Date.now() - 61_000);
    utimesSync(dir, old, old);
    expect(cache.tryLock('abc')).toBeDefined();
  });

  it('waits for a held lock and gives up when aborted', async () => {
    const held = cache.tryLock('abc')!;
    const ac = new AbortController();
    const waiting = cache.lock('abc', ac.signal);
    setTimeout(() => ac.abort(), 30);
    expect(await waiting).toBeUndefined();
    const second = cache.lock('abc');
    setTimeout(() => held.release(), 30);
    const got = await second;
    expect(got?.owner.pid).toBe(process.pid);
    got!.release();
  });
});
