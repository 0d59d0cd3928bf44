// Lists every import cycle between the modules of src/ and between its stage folders
// (src/<folder>/...), and exits 1 when there is one. Type-only imports count: a cycle of types is
// still two stages each reaching into the other (STYLE.md: contracts live below the stages that
// share them). Dynamic `import()`s count too: they only defer the load.
//
//   npx tsx scripts/check-cycles.ts [ROOT]     (ROOT defaults to src/)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Module → the modules of the same tree it imports (paths relative to the root, with extension). */
export type ImportGraph = Map<string, Set<string>>;

const SOURCE = /\.(ts|tsx|mts)$/;
// `import x from '...'`, `import type {...} from '...'`, `export {...} from '...'`, `import '...'`,
// `import('...')`. Comments are removed first so an example in a comment is not an import.
const IMPORT = /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s*from\s*)?|\bexport\s*(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The import graph of the source files under `root` (imports leaving the tree are dropped). */
export function importGraph(root: string): ImportGraph {
  const files = sourceFiles(root);
  const known = new Set(files.map((f) => path.relative(root, f)));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const from = path.relative(root, file);
    const deps = new Set<string>();
    for (const m of stripComments(readFileSync(file, 'utf8')).matchAll(IMPORT)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(path.dirname(file), spec));
      // Compiled names (`./x.js`) stand for sources (`./x.ts`, `./x.tsx`); a folder for its index.
      const base = target.replace(/\.(m?js|jsx)$/, '');
      const found = [`${base}.ts`, `${base}.tsx`, `${base}.mts`, path.join(base, 'index.ts')].find((c) => known.has(c));
      if (found !== undefined && found !== from) deps.add(found);
    }
    graph.set(from, deps);
  }
  return graph;
}

/** The graph between stage folders: `a` → `b` when a module in src/a imports one in src/b. */
const stage = (m: string) => (m.includes(path.sep) ? m.split(path.sep)[0]! : '(root)');

export function folderGraph(graph: ImportGraph): ImportGraph {
  const folders: ImportGraph = new Map();
  for (const [from, deps] of graph) {
    const f = stage(from);
    const set = folders.get(f) ?? new Set<string>();
    folders.set(f, set);
    for (const d of deps) if (stage(d) !== f) set.add(stage(d));
  }
  return folders;
}

/**
 * Every cycle, one per strongly connected component of more than one node (Tarjan), each shown as
 * one closed path through it (`a → b → a`), components and paths in a stable order.
 */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const components: string[][] = [];
  const nodes = [...graph.keys()].sort();
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) components.push(c.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) connect(v);
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!)).map((c) => closedPath(graph, new Set(c), c[0]!));
}

/** The shortest path from `start` back to itself inside the component `members` (breadth first). */
function closedPath(graph: ImportGraph, members: ReadonlySet<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The report `check-cycles` prints, and whether it found none. */
export function checkCycles(root: string): { ok: boolean; report: string } {
  const graph = importGraph(root);
  const moduleCycles = cycles(graph);
  const folderCycles = cycles(folderGraph(graph));
  const lines: string[] = [];
  for (const c of folderCycles) {
    lines.push(`stage folders: ${c.join(' → ')}`);
    // The module imports that make each step, so the reader sees what to move.
    for (let i = 0; i + 1 < c.length; i++) {
      for (const [from, deps] of graph) {
        if (stage(from) !== c[i]) continue;
        for (const d of deps) if (stage(d) === c[i + 1]) lines.push(`  ${from} imports ${d}`);
      }
    }
  }
  for (const c of moduleCycles) lines.push(`modules: ${c.join(' → ')}`);
  const ok = moduleCycles.length === 0 && folderCycles.length === 0;
  lines.push(ok ? `no import cycles among ${graph.size} modules` : `${folderCycles.length} cycle(s) between stage folders, ${moduleCycles.length} between modules (of ${graph.size})`);
  return { ok, report: lines.join('\n') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const { ok, report } = checkCycles(root);
  process.stdout.write(`${report}\n`);
  process.exitCode = ok ? 0 : 1;
}
