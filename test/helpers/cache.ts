// Opening a cache in a test, where a folder that cannot be opened is a broken test set-up.
import { openCache, type Cache } from '../../src/exec/index.js';

/** The cache at `dir`; throws with the diagnostic's message when it cannot be opened. */
export function cacheAt(dir: string): Cache {
  const opened = openCache(dir);
  if (!opened.ok) throw new Error(opened.diagnostic.message);
  return opened.cache;
}
