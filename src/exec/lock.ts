import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds a lock; written inside the lock folder. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Random, so a lock stolen and re-taken is never mistaken for the one judged stale. */
  readonly token: string;
  readonly since: string;
}

/** A held lock. `release` is idempotent. */
export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

/**
 * How long a lock from another host may go without a heartbeat before it is taken to be stale.
 * Holders touch the lock every HEARTBEAT_MS, so this only fires for a dead holder.
 */
export const STALE_MS = 60_000;
const HEARTBEAT_MS = 10_000;
/**
 * On this host a dead pid is proof enough; a live one with a heartbeat this old has been reused
 * (generous, since a node that blocks the event loop also stops the heartbeat).
 */
const SAME_HOST_STALE_MS = 15 * 60_000;

/** Whether process `pid` exists on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockDir: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path.join(lockDir, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's holder is gone: on this host, its process has exited; on another host (a
 * shared filesystem under Slurm), it has not touched the lock for STALE_MS.
 */
function isStale(lockDir: string, owner: LockOwner | undefined, now: number): boolean {
  let age: number;
  try {
    age = now - statSync(lockDir).mtimeMs;
  } catch {
    return false;
  }
  if (owner && owner.host === os.hostname()) {
    // A live pid whose heartbeat stopped long ago is another process that reused the pid.
    return !processAlive(owner.pid) || age > SAME_HOST_STALE_MS;
  }
  return age > STALE_MS;
}

/**
 * Whether a live process holds the lock at `lockDir` now: the folder exists and its holder is not
 * stale (see isStale). `cache gc` keeps what such a process is working on.
 */
export function lockHeld(lockDir: string): boolean {
  try {
    statSync(lockDir);
  } catch {
    return false;
  }
  return !isStale(lockDir, readOwner(lockDir), Date.now());
}

/**
 * Tries once to take the lock at `lockDir` (a folder, so it works across processes and on NFS).
 * The folder is built complete (with owner.json) under a temporary name and renamed into place:
 * rename onto a non-empty folder fails, so exactly one of two racing processes wins, and nobody
 * ever sees a lock without its owner. A stale lock (dead holder) is taken over.
 */
export function tryLock(lockDir: string): Lock | undefined {
  const parent = path.dirname(lockDir);
  mkdirSync(parent, { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = path.join(parent, `.new-${owner.token}`);
    mkdirSync(tmp, { recursive: true });
    writeFileSync(path.join(tmp, 'owner.json'), JSON.stringify(owner));
    try {
      renameSync(tmp, lockDir);
      return heldLock(lockDir, owner);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
    const current = readOwner(lockDir);
    if (!isStale(lockDir, current, Date.now())) return undefined;
    if (!breakStale(lockDir, current)) return undefined;
  }
  return undefined;
}

/**
 * Moves a stale lock aside. If, between judging it stale and moving it, someone else broke it
 * and took it afresh (another token), the fresh lock is put back.
 */
function breakStale(lockDir: string, judged: LockOwner | undefined): boolean {
  const aside = `${lockDir}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(lockDir, aside);
  } catch {
    return true; // already gone: try to take it
  }
  const moved = readOwner(aside);
  if (judged && moved && moved.token !== judged.token) {
    try {
      renameSync(aside, lockDir);
      return false;
    } catch {
      // Someone took the place meanwhile; the moved lock's owner will find its lock gone.
    }
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

function heldLock(lockDir: string, owner: LockOwner): Lock {
  let released = false;
  // The heartbeat lets other hosts tell a live holder from a dead one; unref'd so it never keeps
  // the process alive.
  const beat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockDir, now, now);
    } catch {
      // The lock was broken by force; the release below is then a no-op.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    path: lockDir,
    owner,
    release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      // Only remove the lock if it is still ours.
      if (readOwner(lockDir)?.token === owner.token) rmSync(lockDir, { recursive: true, force: true });
    },
  };
}

/** Waits for the lock, polling, until it is taken or `signal` aborts (then undefined). */
export async function acquireLock(
  lockDir: string,
  signal?: AbortSignal,
  pollMs = 100,
): Promise<Lock | undefined> {
  let delay = 10;
  for (;;) {
    if (signal?.aborted) return undefined;
    const lock = tryLock(lockDir);
    if (lock) return lock;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, delay);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
    delay = Math.min(pollMs, delay * 2);
  }
}
