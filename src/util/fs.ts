import { lstatSync, mkdirSync, renameSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file by writing a temporary sibling and renaming it over the target, so a crash or a
 * full disk leaves either the old file or the new one, never half of one.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw e;
  }
}

/**
 * Why a file or folder could not be read, in words for an error message ("no such file or folder",
 * "permission denied"), instead of node's errno code (ENOENT) or its message with the syscall in it.
 */
export function fsErrorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EIO':
      return 'input/output error (the disk or network file system failed)';
    default:
      return err instanceof Error ? err.message : String(e);
  }
}

/**
 * Creates folder `dir` and the folders above it that are missing, one `mkdir` each, so that a
 * path that cannot hold folders fails with its reason (a file on the way, no permission, a
 * read-only or virtual file system) instead of `mkdirSync(dir, { recursive: true })`'s behaviour on
 * some of them: under /proc node 20's recursive mkdir loops forever. For folders a user names
 * (`--out`); throws errors that `fsErrorReason` words.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  // Up to the nearest entry that exists (lstat: a link counts, even one to nothing). Any error
  // (a file on the way: ENOTDIR) counts as absent, so the walk reaches what is in the way.
  const present = (p: string) => {
    try {
      return lstatSync(p, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  };
  while (!present(d)) {
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  // d exists (or is the root): it must be a folder, or a link to one.
  const target = statSync(d, { throwIfNoEntry: false });
  if (!target) throw new Error(`${d} is a link to something that does not exist`);
  if (!target.isDirectory()) throw new Error(`${d} is a file, not a folder`);
  for (const m of missing.reverse()) mkdirSync(m);
}
