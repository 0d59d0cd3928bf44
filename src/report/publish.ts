import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Cache } from '../exec/index.js';
import type { Plan } from '../plan/index.js';

/**
 * The folder name of a file's report: its title, with the scale when SYNX_SCALE is not 1, so a
 * smoke test (`reports/quickstart-scale0.2/`) never replaces the full run's report.
 */
export function reportFolderName(title: string, scale: number | undefined): string {
  return scale === undefined || scale === 1 ? title : `${title}-scale${scale}`;
}

/**
 * Copies the cached report of a plan to `<root>/reports/<file name>/`, where people look for it,
 * replacing an older copy in one rename (a reader never sees half a report). Returns the folder,
 * or undefined when the plan has no report or its report is not cached (or its entry is corrupt).
 */
export async function publishReport(plan: Plan, cache: Cache, root: string): Promise<string | undefined> {
  const node = plan.nodes.find((n) => n.kind === 'report');
  // Verified like any entry read outside a node: a damaged report is not published.
  if (!node || (await cache.verify(node.fingerprint)).state !== 'ok') return undefined;
  const title = path.basename(plan.file).replace(/\.synexp$/, '');
  const dest = path.join(root, 'reports', reportFolderName(title, node.params.scale));
  const tmp = `${dest}.tmp-${process.pid}`;
  const old = `${dest}.old-${process.pid}`;
  mkdirSync(path.dirname(dest), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  cpSync(cache.outDir(node.fingerprint), tmp, { recursive: true });
  if (existsSync(dest)) renameSync(dest, old);
  renameSync(tmp, dest);
  rmSync(old, { recursive: true, force: true });
  return dest;
}
