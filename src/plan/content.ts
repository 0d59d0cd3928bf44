import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import type { Sha256 } from '../util/index.js';

/**
 * Content digests of the files and folders nodes read (models, illumination and background
 * folders, datasets, pretrained networks), so fingerprints follow what an input holds and not
 * where it lies: moving or re-cloning a project keeps its cache hits, and changing one byte of an
 * input re-runs what read it (STYLE 14).
 *
 * Computed at plan time, so `synx plan` shows a node whose input changed as stale. Hashing is
 * cached by path, size, mtime, ctime and inode in `<cache>/digests/state.json` (DVC's state
 * database, in small), so a 10,000-image dataset is re-hashed only where files changed.
 */

import type { ContentDigest } from '../params/index.js';

export type { ContentDigest };

/** What a user wrote, for display, and the digest of what it holds now. */
export interface DigestedInput {
  /** The path as the user wrote it (relative to the project); never part of a fingerprint. */
  readonly display: string;
  readonly sha256: ContentDigest;
}

/** One file of a folder's listing: path relative to the folder (`/`-separated) and digest. */
export type ListingEntry = readonly [rel: string, sha256: ContentDigest];

const STATE_FORMAT = 1;
/** Per absolute path: size, mtime ns, ctime ns, inode, digest (a tuple keeps the file small). */
type StateRow = [size: number, mtimeNs: string, ctimeNs: string, ino: string, sha256: string];
interface StateFile {
  readonly format: number;
  readonly files: Record<string, StateRow>;
}

const sha = (text: string | Buffer): ContentDigest => createHash('sha256').update(text).digest('hex') as ContentDigest;

/** The digest of a path that does not exist (or cannot be read): fixed, so the node is keyed and re-runs when it appears. */
const ABSENT = sha('synx-absent\n');

/**
 * Digests files and folders, remembering each file's digest by its stat in a state file under
 * `stateDir` (none: no memory across processes). Never throws: a missing or unreadable input
 * digests as absent (the node that reads it reports the problem when it runs), and a state file
 * that cannot be read or written only costs re-hashing.
 */
export class ContentDigester {
  private state: Map<string, StateRow> | undefined;
  private readonly changed = new Map<string, StateRow>();
  /** Within one process a path is digested once (a plan names one model in every shard). */
  private readonly memo = new Map<string, ContentDigest>();
  /** Counts for benchmarks and tests: files read and hashed, and files answered from the state. */
  readonly stats = { hashed: 0, remembered: 0 };

  constructor(private readonly stateDir: string | undefined) {}

  /** The state folder of a cache root. */
  static forCache(cacheRoot: string): ContentDigester {
    return new ContentDigester(path.join(cacheRoot, 'digests'));
  }

  private load(): Map<string, StateRow> {
    if (this.state) return this.state;
    this.state = new Map();
    if (!this.stateDir) return this.state;
    try {
      const parsed = JSON.parse(readFileSync(path.join(this.stateDir, 'state.json'), 'utf8')) as StateFile;
      if (parsed.format === STATE_FORMAT && parsed.files && typeof parsed.files === 'object') {
        for (const [k, v] of Object.entries(parsed.files)) if (Array.isArray(v) && v.length === 5) this.state.set(k, v);
      }
    } catch {
      // Absent or damaged: start empty; every file is hashed once and the state rewritten.
    }
    return this.state;
  }

  /** The digest of a file or folder (absolute path); see ContentDigest. */
  digest(location: string): ContentDigest {
    const abs = path.resolve(location);
    const known = this.memo.get(abs);
    if (known) return known;
    let st: BigIntStats;
    try {
      st = statSync(abs, { bigint: true });
    } catch {
      this.memo.set(abs, ABSENT);
      return ABSENT;
    }
    const d = st.isDirectory() ? this.folderDigest(abs) : this.fileDigest(abs, st) ?? ABSENT;
    this.memo.set(abs, d);
    return d;
  }

  /** Digests of the paths a user wrote (resolved against `root`), with the written path for display. */
  digestInputs(paths: readonly string[], root: string): DigestedInput[] {
    return paths.map((p) => ({ display: p, sha256: this.digest(path.resolve(root, p)) }));
  }

  private fileDigest(abs: string, st: BigIntStats): ContentDigest | undefined {
    const state = this.load();
    const row = state.get(abs);
    const key: [number, string, string, string] = [Number(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino)];
    if (row && row[0] === key[0] && row[1] === key[1] && row[2] === key[2] && row[3] === key[3]) {
      this.stats.remembered++;
      return row[4] as ContentDigest;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
    } catch {
      return undefined;
    }
    this.stats.hashed++;
    const d = sha(bytes);
    const next: StateRow = [...key, d];
    state.set(abs, next);
    this.changed.set(abs, next);
    return d;
  }

  /** A folder's listing: every regular file under it (links followed, hidden names skipped), sorted. */
  listing(folder: string): ListingEntry[] {
    const abs = path.resolve(folder);
    const out: ListingEntry[] = [];
    const seen = new Set<string>();
    const walk = (dir: string, rel: string): void => {
      let real: string;
      let names: string[];
      try {
        const s = statSync(dir, { bigint: true });
        real = `${s.dev}:${s.ino}`;
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      // A link back up the tree would otherwise loop forever.
      if (seen.has(real)) return;
      seen.add(real);
      for (const name of names) {
        // Hidden files (.DS_Store, editor swap files) are never read by a node; keying them would
        // re-run work whenever a file browser touched the folder.
        if (name.startsWith('.')) continue;
        const full = path.join(dir, name);
        const r = rel === '' ? name : `${rel}/${name}`;
        let st: BigIntStats;
        try {
          st = statSync(full, { bigint: true });
        } catch {
          continue; // a dangling link: nothing to read
        }
        if (st.isDirectory()) walk(full, r);
        else if (st.isFile()) out.push([r, this.fileDigest(full, st) ?? ABSENT]);
      }
    };
    walk(abs, '');
    return out;
  }

  private folderDigest(abs: string): ContentDigest {
    const entries = this.listing(abs);
    // sha256sum's line format, after a header that keeps a folder from colliding with a file.
    const text = `synx-folder-1\n${entries.map(([r, d]) => `${d}  ${r}\n`).join('')}`;
    const d = sha(text);
    this.saveListing(d, entries);
    return d;
  }

  /**
   * Keeps each folder's listing by its digest, so `synx why` can name the files that changed
   * between a cached entry's folder and today's. Content-addressed: written once, never changed.
   */
  private saveListing(digest: ContentDigest, entries: readonly ListingEntry[]): void {
    if (!this.stateDir) return;
    const file = path.join(this.stateDir, 'listings', `${digest}.json`);
    try {
      statSync(file);
      return;
    } catch {
      // not yet written
    }
    atomicWrite(file, `${JSON.stringify(entries)}\n`);
  }

  /** A folder listing saved under its digest, if this cache has seen that folder content. */
  readListing(digest: string): ListingEntry[] | undefined {
    if (!this.stateDir || !/^[0-9a-f]{64}$/.test(digest)) return undefined;
    try {
      return JSON.parse(readFileSync(path.join(this.stateDir, 'listings', `${digest}.json`), 'utf8')) as ListingEntry[];
    } catch {
      return undefined;
    }
  }

  /**
   * Writes what this process learned into the state file. Concurrent runs each merge into what is
   * on disk now and rename a complete file into place, so a reader never sees half a file; when
   * two write at once one's new rows may be lost, which only costs hashing those files again.
   */
  save(): void {
    if (!this.stateDir || this.changed.size === 0) return;
    const onDisk = new ContentDigester(this.stateDir).load();
    for (const [k, v] of this.changed) onDisk.set(k, v);
    const files: Record<string, StateRow> = {};
    for (const [k, v] of onDisk) files[k] = v;
    if (atomicWrite(path.join(this.stateDir, 'state.json'), JSON.stringify({ format: STATE_FORMAT, files } satisfies StateFile))) {
      this.changed.clear();
    }
  }
}

/** Writes a file whole or not at all (temporary name, then rename); false when it could not. */
function atomicWrite(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/** The digest an absent or unreadable input gets. */
export const ABSENT_DIGEST: ContentDigest = ABSENT;
