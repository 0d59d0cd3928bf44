import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to start a worker thread whose module sits next to `base` (a module's import.meta.url):
 * the compiled `<name>.js` when synx is built, or — when the TypeScript sources run under tsx or
 * vitest — a bootstrap that registers tsx's loader in the worker and imports `<name>.ts`. tsx is
 * resolved from synx's own folder, so this works whatever the working directory.
 */
export function workerScript(base: string, name: string): { script: string | URL; eval: boolean } {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { script: js, eval: false };
  const tsx = pathToFileURL(createRequire(base).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const ts = new URL(`./${name}.ts`, base).href;
  return { script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, eval: true };
}
