import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Sha256 } from '../util/index.js';

/** One output file of a cache entry: path relative to the entry's `out/` (always `/`-separated). */
export interface FileRecord {
  readonly path: string;
  readonly size: number;
  readonly sha256: Sha256;
}

/** sha256 of a file, streamed so multi-gigabyte shards do not sit in memory. */
export async function hashFile(file: string): Promise<Sha256> {
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', reject);
  });
  return hash.digest('hex') as Sha256;
}

/** Every regular file under `dir`, relative, sorted, so a manifest never depends on readdir order. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(r);
      // Links and sockets are not outputs: a cached entry must be self-contained.
    }
  };
  await walk('');
  return out.sort();
}

/** Size and content hash of every file under `dir`. */
export async function hashFiles(dir: string): Promise<FileRecord[]> {
  const files = await listFiles(dir);
  const records: FileRecord[] = [];
  for (const f of files) {
    const full = path.join(dir, f);
    const [st, sha] = await Promise.all([stat(full), hashFile(full)]);
    records.push({ path: f, size: st.size, sha256: sha });
  }
  return records;
}
