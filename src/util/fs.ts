import { renameSync, writeFileSync, unlinkSync } from 'node:fs';
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
