import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  type Dirent,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FILE_START, makeDiagnostic, type Diagnostic } from '../diag/index.js';
import { hashFiles } from './hash-files.js';
import { acquireLock, lockHeld, processAlive, tryLock, type Lock } from './lock.js';
import { manifestProblem, type Manifest } from './manifest.js';

/** The state of one entry: absent, sound (with its manifest), or corrupt (with what is wrong). */
export type EntryCheck =
  | { readonly state: 'missing' }
  | { readonly state: 'ok'; readonly manifest: Manifest }
  | { readonly state: 'corrupt'; readonly problem: string };

/** What `commit` needs besides the output files. */
export type ManifestDraft = Omit<Manifest, 'format' | 'files' | 'bytes'>;

/** A folder being filled by a running node; renamed into the cache by `commit`. */
export interface PendingEntry {
  readonly fingerprint: string;
  /** The temporary folder holding `out/` (and, at commit, `manifest.json`). */
  readonly dir: string;
  /** Where the node writes its outputs. */
  readonly outDir: string;
}

/** Totals of `du`. */
export interface CacheUsage {
  readonly entries: number;
  readonly bytes: number;
  readonly byKind: Readonly<Record<string, { entries: number; bytes: number }>>;
  /** Temporary folders left by interrupted runs (removed by gc). */
  readonly leftovers: number;
  /** Bytes of those temporary folders. */
  readonly leftoverBytes: number;
  /**
   * `scratch/` folders: checkpoints and partial work of nodes not (yet) cached, kept so a rerun
   * resumes. `cache gc` removes those whose node no live run is computing (see `gc`).
   */
  readonly scratch: { readonly folders: number; readonly bytes: number };
}

/** Total size of the regular files under `dir` (0 when it does not exist). */
function folderBytes(dir: string): number {
  let total = 0;
  let names: Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of names) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(full);
    else if (e.isFile()) {
      try {
        total += statSync(full).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

const MANIFEST = 'manifest.json';

/**
 * The content-addressed store. Layout under the root:
 *
 *     entries/<fingerprint>/manifest.json   what was computed, files with sizes and sha256
 *     entries/<fingerprint>/out/...         the node's outputs (read-only by convention)
 *     tmp/<fingerprint>-<host>-<pid>-<rand>/ entries being written (renamed into entries/)
 *     scratch/<fingerprint>/                checkpoints kept across attempts
 *     locks/<fingerprint>/owner.json        who computes it now
 *     logs/<fingerprint>.log                the node's log lines, all attempts
 *     trash/                                entries being deleted
 *
 * An entry is published by one rename of a complete folder, so readers see all of it or none.
 */
export class Cache {
  constructor(readonly root: string) {}

  entryDir(fingerprint: string): string {
    return path.join(this.root, 'entries', fingerprint);
  }

  /** The outputs of a cached entry. Never write here. */
  outDir(fingerprint: string): string {
    return path.join(this.entryDir(fingerprint), 'out');
  }

  scratchDir(fingerprint: string): string {
    return path.join(this.root, 'scratch', fingerprint);
  }

  logFile(fingerprint: string): string {
    return path.join(this.root, 'logs', `${fingerprint}.log`);
  }

  lockDir(fingerprint: string): string {
    return path.join(this.root, 'locks', fingerprint);
  }

  /** Whether another process (or this one) is computing the entry now. */
  isLocked(fingerprint: string): boolean {
    return existsSync(this.lockDir(fingerprint));
  }

  /** The manifest, if the entry exists and its manifest parses; no check of the files. */
  readManifest(fingerprint: string): Manifest | undefined {
    const check = this.readChecked(fingerprint);
    return check.state === 'ok' ? check.manifest : undefined;
  }

  private readChecked(fingerprint: string): EntryCheck {
    let text: string;
    try {
      text = readFileSync(path.join(this.entryDir(fingerprint), MANIFEST), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        return { state: 'corrupt', problem: `cannot read manifest.json: ${(e as Error).message}` };
      }
      return existsSync(this.entryDir(fingerprint))
        ? { state: 'corrupt', problem: 'manifest.json is missing' }
        : { state: 'missing' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { state: 'corrupt', problem: 'manifest.json is not valid JSON' };
    }
    const problem = manifestProblem(parsed, fingerprint);
    return problem ? { state: 'corrupt', problem } : { state: 'ok', manifest: parsed as Manifest };
  }

  /**
   * The cheap check used for every node of a plan: the manifest is sound and every file it lists
   * exists with its recorded size. Synchronous and stat-only, so a 1,000-node plan checks in
   * milliseconds. Content hashes are checked by `verify`, which the executor runs on every entry
   * a running node reads.
   */
  check(fingerprint: string): EntryCheck {
    const read = this.readChecked(fingerprint);
    if (read.state !== 'ok') return read;
    const out = this.outDir(fingerprint);
    for (const f of read.manifest.files) {
      let size: number;
      try {
        size = statSync(path.join(out, f.path)).size;
      } catch {
        return { state: 'corrupt', problem: `output ${f.path} is missing` };
      }
      if (size !== f.size) {
        return { state: 'corrupt', problem: `output ${f.path} has ${size} bytes, the manifest says ${f.size}` };
      }
    }
    return read;
  }

  /** The full check: re-hashes every output file and looks for files the manifest does not list. */
  async verify(fingerprint: string): Promise<EntryCheck> {
    const read = this.check(fingerprint);
    if (read.state !== 'ok') return read;
    let actual;
    try {
      actual = await hashFiles(this.outDir(fingerprint));
    } catch (e) {
      return { state: 'corrupt', problem: `cannot read outputs: ${(e as Error).message}` };
    }
    const want = new Map(read.manifest.files.map((f) => [f.path, f]));
    for (const f of actual) {
      const w = want.get(f.path);
      if (!w) return { state: 'corrupt', problem: `output ${f.path} is not in the manifest` };
      if (w.sha256 !== f.sha256) return { state: 'corrupt', problem: `output ${f.path} has changed (sha256 differs)` };
      want.delete(f.path);
    }
    const [lost] = want.keys();
    if (lost !== undefined) return { state: 'corrupt', problem: `output ${lost} is missing` };
    return read;
  }

  /** Fingerprints of all entries (sound or not), sorted. */
  fingerprints(): string[] {
    try {
      return readdirSync(path.join(this.root, 'entries')).filter((n) => !n.startsWith('.')).sort();
    } catch {
      return [];
    }
  }

  /** The manifests of all readable entries. */
  list(): Manifest[] {
    const out: Manifest[] = [];
    for (const fp of this.fingerprints()) {
      const m = this.readManifest(fp);
      if (m) out.push(m);
    }
    return out;
  }

  /** A fresh temporary folder for a node's outputs, inside the cache so the final rename is atomic. */
  async begin(fingerprint: string): Promise<PendingEntry> {
    const dir = path.join(
      this.root,
      'tmp',
      `${fingerprint}-${os.hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    const outDir = path.join(dir, 'out');
    await mkdir(outDir, { recursive: true });
    return { fingerprint, dir, outDir };
  }

  /**
   * Hashes the pending outputs, writes manifest.json and renames the folder into place. An existing
   * entry at the same place (a corrupt one being replaced) is moved to the trash first.
   */
  async commit(pending: PendingEntry, draft: ManifestDraft): Promise<Manifest> {
    const files = await hashFiles(pending.outDir);
    const manifest: Manifest = {
      format: 1,
      ...draft,
      fingerprint: pending.fingerprint,
      files,
      bytes: files.reduce((s, f) => s + f.size, 0),
    };
    await writeFile(path.join(pending.dir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    const target = this.entryDir(pending.fingerprint);
    await mkdir(path.dirname(target), { recursive: true });
    if (existsSync(target)) this.remove(pending.fingerprint);
    await rename(pending.dir, target);
    return manifest;
  }

  /** Drops a pending entry (failed or cancelled node). */
  async discard(pending: PendingEntry): Promise<void> {
    await rm(pending.dir, { recursive: true, force: true });
  }

  /** Removes an entry: renamed out of `entries/` first, so it disappears at once and whole. */
  remove(fingerprint: string): void {
    const dir = this.entryDir(fingerprint);
    const trash = path.join(this.root, 'trash', `${fingerprint}-${randomBytes(4).toString('hex')}`);
    mkdirSync(path.dirname(trash), { recursive: true });
    try {
      renameSync(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    rmSync(trash, { recursive: true, force: true });
  }

  /** Waits for the per-fingerprint lock (see lock.ts); undefined if `signal` aborts first. */
  lock(fingerprint: string, signal?: AbortSignal): Promise<Lock | undefined> {
    return acquireLock(this.lockDir(fingerprint), signal);
  }

  /**
   * Removes what interrupted runs left: temporary folders and trash whose process is gone (on this
   * host) or older than a day (other hosts). Returns how many were removed.
   */
  cleanLeftovers(): number {
    let removed = 0;
    const host = os.hostname();
    for (const sub of ['tmp', 'trash']) {
      const dir = path.join(this.root, sub);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const full = path.join(dir, name);
        if (sub === 'tmp' && !leftoverIsDead(name, host, full)) continue;
        rmSync(full, { recursive: true, force: true });
        removed++;
      }
    }
    // A process killed between committing an entry and releasing its lock leaves a lock that no
    // later run takes (the entry is cached, so nobody computes it again): take each dead holder's
    // lock over and release it. tryLock only takes a stale lock, so a live holder keeps its own.
    let locks: string[] = [];
    try {
      locks = readdirSync(path.join(this.root, 'locks'));
    } catch {
      // No locks folder yet.
    }
    for (const name of locks) {
      if (name.startsWith('.')) continue;
      const dir = path.join(this.root, 'locks', name);
      if (lockHeld(dir)) continue;
      tryLock(dir)?.release();
    }
    return removed;
  }

  /** Number of leftover temporary folders. */
  leftovers(): number {
    try {
      return readdirSync(path.join(this.root, 'tmp')).length;
    } catch {
      return 0;
    }
  }

  /** Disk use of entries, by kind. */
  usage(): CacheUsage {
    const byKind: Record<string, { entries: number; bytes: number }> = {};
    let entries = 0;
    let bytes = 0;
    for (const m of this.list()) {
      const k = (byKind[m.kind] ??= { entries: 0, bytes: 0 });
      k.entries++;
      k.bytes += m.bytes;
      entries++;
      bytes += m.bytes;
    }
    const tmp = path.join(this.root, 'tmp');
    const scratch = subfolders(path.join(this.root, 'scratch'));
    return {
      entries,
      bytes,
      byKind,
      leftovers: this.leftovers(),
      leftoverBytes: folderBytes(tmp),
      scratch: { folders: scratch.length, bytes: scratch.reduce((s, fp) => s + folderBytes(this.scratchDir(fp)), 0) },
    };
  }

  /**
   * Deletes every entry whose fingerprint is not in `keep` (and its scratch and log), plus
   * leftovers of interrupted runs. Entries being computed now (locked) are kept. Scratch folders
   * whose node no live process is computing (its lock is absent, or its holder dead) go too,
   * unless the node is in `keep` and not cached yet: those hold the checkpoints a rerun of a
   * kept file resumes from. With `dryRun`, only reports.
   */
  gc(keep: ReadonlySet<string>, options: { dryRun?: boolean } = {}): { removed: string[]; bytes: number; scratch: { removed: string[]; bytes: number } } {
    const removed: string[] = [];
    let bytes = 0;
    for (const fp of this.fingerprints()) {
      if (keep.has(fp) || this.isLocked(fp)) continue;
      bytes += this.readManifest(fp)?.bytes ?? 0;
      removed.push(fp);
      if (!options.dryRun) {
        this.remove(fp);
        rmSync(this.scratchDir(fp), { recursive: true, force: true });
        rmSync(this.logFile(fp), { force: true });
      }
    }
    const scratch = { removed: [] as string[], bytes: 0 };
    for (const fp of subfolders(path.join(this.root, 'scratch'))) {
      if (lockHeld(this.lockDir(fp))) continue;
      const resumable = keep.has(fp) && !removed.includes(fp) && this.check(fp).state !== 'ok';
      if (resumable) continue;
      scratch.removed.push(fp);
      scratch.bytes += folderBytes(this.scratchDir(fp));
      if (!options.dryRun) rmSync(this.scratchDir(fp), { recursive: true, force: true });
    }
    if (!options.dryRun) this.cleanLeftovers();
    return { removed, bytes, scratch };
  }

  /** Tries the lock without waiting (for tests and tools). */
  tryLock(fingerprint: string): Lock | undefined {
    return tryLock(this.lockDir(fingerprint));
  }
}

function leftoverIsDead(name: string, host: string, full: string): boolean {
  // <fingerprint>-<host>-<pid>-<rand>; the host may itself contain dashes.
  const m = /^[^-]+-(.+)-(\d+)-[0-9a-f]+$/.exec(name);
  if (m && m[1] === host) return !processAlive(Number(m[2]));
  try {
    return Date.now() - statSync(full).mtimeMs > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/** The result of opening a cache: the cache, or a diagnostic naming the folder and what to do. */
export type OpenCacheResult =
  | { readonly ok: true; readonly cache: Cache }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Opens (creating if needed) the cache at `dir`. An unwritable folder comes back as an SX5004
 * diagnostic, not an exception, since it is the user's to fix.
 */
export function openCache(dir: string): OpenCacheResult {
  const root = path.resolve(dir);
  try {
    for (const sub of ['entries', 'tmp', 'scratch', 'locks', 'logs']) {
      mkdirSync(path.join(root, sub), { recursive: true });
    }
    accessSync(root, constants.W_OK);
    accessSync(path.join(root, 'entries'), constants.W_OK);
  } catch (e) {
    return {
      ok: false,
      diagnostic: makeDiagnostic('SX5004', root, FILE_START, `cannot use the cache folder ${root}: ${(e as Error).message}`, {
        hint: 'make it writable, or point synx at another folder with `cache:` in synx.yaml or the SYNX_CACHE environment variable',
      }),
    };
  }
  return { ok: true, cache: new Cache(root) };
}
