import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { didYouMean, makeDiagnostic, type Diagnostic, type Range } from '../diag/index.js';
import type { Block, BlockKind, Clause, SynexpFile } from './ast.js';
import { parse } from './parse.js';

/** The DSL's standard library: `import seed-study` reads lib/presets/seed-study.synexp. */
export const LIB_PRESETS = fileURLToPath(new URL('../../lib/presets/', import.meta.url));

/** A clause and the file it was written in (presets come from other files). */
export interface Located {
  readonly clause: Clause;
  readonly file: string;
}

/** Key under which a clause overrides an inherited one: `sample`, `pretrain`, `yaw`, `seed`... */
export function clauseKey(c: Clause): string {
  switch (c.type) {
    case 'sample':
      return 'sample';
    case 'stage':
      return c.stage;
    case 'param':
    case 'setting':
      return c.name;
  }
}

/** An experiment or test set with its inheritance applied: one clause per key. */
export interface ResolvedDecl {
  readonly kind: BlockKind;
  readonly name: string;
  readonly file: string;
  readonly nameRange: Range;
  /** Merged clauses in a stable order: inherited first, then the declaration's own. */
  readonly clauses: ReadonlyMap<string, Located>;
  /** Declared in the checked file (imported declarations are only bases). */
  readonly local: boolean;
}

export interface Resolution {
  readonly experiments: readonly ResolvedDecl[];
  readonly testsets: ReadonlyMap<string, ResolvedDecl>;
  /** Every source read (the file and its imports), for printing diagnostics. */
  readonly sources: ReadonlyMap<string, string>;
  readonly diagnostics: Diagnostic[];
}

interface Decl {
  readonly kind: BlockKind;
  readonly name: string;
  readonly file: string;
  readonly nameRange: Range;
  readonly base?: { readonly name: string; readonly range: Range };
  readonly clauses: readonly Clause[];
  readonly local: boolean;
}

/** Reads files for imports; tests give an in-memory one. */
export interface SourceHost {
  read(file: string): string | undefined;
  /**
   * What `file` is when it is there but not a regular file ('a folder', 'a device'...), so an
   * import of it is refused before anything is read; undefined for a file or nothing.
   */
  special?(file: string): string | undefined;
}

export const fsHost: SourceHost = {
  read(file) {
    try {
      return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  special(file) {
    try {
      return describeSpecial(statSync(file));
    } catch {
      return undefined;
    }
  },
};

/** 'a folder', 'a device'... for what is not a regular file; undefined for a regular file. */
export function describeSpecial(st: import('node:fs').Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Imports take the DSL's own files only: reading anything else could echo its bytes back. */
const IMPORT_EXTENSION = '.synexp';

function libraryPresets(): string[] {
  try {
    return (
      fsHost
        .read(path.join(LIB_PRESETS, 'index.txt'))
        ?.split('\n')
        .map((l) => l.trim())
        .filter(Boolean) ?? []
    );
  } catch {
    return [];
  }
}

// `synx check` over a folder resolves the same presets once per file that imports them; parsing
// dominates that, so parses are memoised by (display name, text). A changed file has a new key, and
// the memo is bounded so a long-lived process (an editor's language server) cannot grow it forever.
const importMemo = new Map<string, ReturnType<typeof parse>>();
const IMPORT_MEMO_MAX = 256;

function parseImported(src: string, display: string): ReturnType<typeof parse> {
  const key = `${display}\0${src}`;
  const hit = importMemo.get(key);
  if (hit) return hit;
  const parsed = parse(src, display);
  if (importMemo.size >= IMPORT_MEMO_MAX) importMemo.delete(importMemo.keys().next().value!);
  importMemo.set(key, parsed);
  return parsed;
}

/**
 * Resolves a parsed file: loads its imports (recursively, once each), collects declarations,
 * reports duplicates, and applies `extends` chains (cycles reported) and top-level defaults.
 */
export function resolve(ast: SynexpFile, text: string, host: SourceHost = fsHost, cwd: string = process.cwd()): Resolution {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>([[ast.file, text]]);
  const decls = new Map<string, Decl>();
  const loaded = new Set<string>([path.resolve(cwd, ast.file)]);
  // The chain of files being loaded, to name an import cycle (a file importing one that imports it).
  const chain: string[] = [path.resolve(cwd, ast.file)];
  const displayOf = (abs: string) => path.relative(cwd, abs) || abs;

  const addDecls = (file: SynexpFile, local: boolean) => {
    for (const item of file.items) {
      if (item.type !== 'block') continue;
      if (!item.name) continue;
      const existing = decls.get(item.name);
      if (existing) {
        diagnostics.push(
          makeDiagnostic('SX2016', file.file, item.nameRange, `'${item.name}' is declared twice`, {
            hint: 'give each experiment, preset and test set its own name',
            related: [{ file: existing.file, range: existing.nameRange, message: `'${item.name}' is first declared here` }],
          }),
        );
        continue;
      }
      decls.set(item.name, declOf(item, file.file, local));
    }
  };

  const loadImports = (file: SynexpFile) => {
    for (const item of file.items) {
      if (item.type !== 'import') continue;
      const target = item.isPath
        ? path.resolve(cwd, path.dirname(file.file), item.target)
        : path.join(LIB_PRESETS, `${item.target}.synexp`);
      const at = chain.indexOf(path.resolve(target));
      if (at >= 0) {
        const cycle = [...chain.slice(at), path.resolve(target)].map(displayOf).join(' -> ');
        diagnostics.push(
          makeDiagnostic('SX2012', file.file, item.range, `import cycle: ${cycle}`, {
            hint: 'files may not import each other; move the shared presets into a third file that both import',
          }),
        );
        continue;
      }
      if (loaded.has(path.resolve(target))) continue;
      if (item.isPath && path.extname(target) !== IMPORT_EXTENSION) {
        diagnostics.push(
          makeDiagnostic('SX2012', file.file, item.range, `cannot import '${item.target}': only ${IMPORT_EXTENSION} files can be imported`, {
            hint: `imports name another ${IMPORT_EXTENSION} file (relative to the importing file) or a preset library such as \`import seed-study\``,
          }),
        );
        continue;
      }
      const special = host.special?.(target);
      if (special !== undefined) {
        diagnostics.push(
          makeDiagnostic('SX2012', file.file, item.range, `cannot import '${item.target}': it is ${special}, not a file`, {
            hint: `imports name a ${IMPORT_EXTENSION} file`,
          }),
        );
        continue;
      }
      const src = host.read(target);
      if (src === undefined) {
        const known = libraryPresets();
        diagnostics.push(
          makeDiagnostic(
            'SX2012',
            file.file,
            item.range,
            item.isPath
              ? `cannot import '${item.target}': no such file`
              : `unknown preset library '${item.target}'${didYouMean(item.target, known)}`,
            { hint: item.isPath ? `paths are relative to the importing file; looked for ${path.relative(cwd, target)}` : `the standard library has: ${known.join(', ') || '(none)'}` },
          ),
        );
        continue;
      }
      loaded.add(path.resolve(target));
      const display = item.isPath ? path.relative(cwd, target) || target : `lib/presets/${item.target}.synexp`;
      sources.set(display, src);
      const parsed = parseImported(src, display);
      diagnostics.push(...parsed.diagnostics);
      chain.push(path.resolve(target));
      loadImports(parsed.ast);
      chain.pop();
      for (const it of parsed.ast.items) {
        if (it.type !== 'block' && it.type !== 'import') {
          diagnostics.push(
            makeDiagnostic('SX2012', display, it.range, 'an imported file may only declare presets, experiments and test sets', {
              hint: 'wrap these clauses in `preset NAME { ... }`',
            }),
          );
        }
      }
      addDecls(parsed.ast, false);
    }
  };

  loadImports(ast);
  addDecls(ast, true);

  // Top-level clauses: an experiment of their own when the file names none; otherwise defaults
  // shared by the file's experiments.
  const topLevel = ast.items.filter((i): i is Clause => i.type !== 'block' && i.type !== 'import');
  const localExperiments = [...decls.values()].filter((d) => d.local && d.kind === 'experiment');
  const fileName = path.basename(ast.file).replace(/\.synexp$/, '');
  reportDuplicates(topLevel, ast.file, diagnostics);
  for (const d of decls.values()) reportDuplicates(d.clauses, d.file, diagnostics);

  const merged = new Map<string, Map<string, Located>>();
  const merging = new Set<string>();
  const mergeDecl = (d: Decl): Map<string, Located> => {
    const done = merged.get(d.name);
    if (done) return done;
    if (merging.has(d.name)) {
      diagnostics.push(
        makeDiagnostic('SX2013', d.file, d.base?.range ?? d.nameRange, `'${d.name}' extends itself through a cycle`, {
          hint: 'remove one `extends` from the cycle',
        }),
      );
      return new Map();
    }
    merging.add(d.name);
    let out = new Map<string, Located>();
    if (d.base) {
      const base = decls.get(d.base.name);
      if (!base) {
        diagnostics.push(
          makeDiagnostic('SX2013', d.file, d.base.range, `'${d.name}' extends '${d.base.name}', which is not declared${didYouMean(d.base.name, decls.keys())}`, {
            hint: 'declare it with `preset NAME { ... }` or import the library that has it (e.g. `import seed-study`)',
          }),
        );
      } else if ((base.kind === 'testset') !== (d.kind === 'testset') && base.kind !== 'preset') {
        diagnostics.push(
          makeDiagnostic('SX2013', d.file, d.base.range, `a ${d.kind} cannot extend the ${base.kind} '${base.name}'`, {
            hint: 'experiments extend presets or experiments; test sets extend presets or test sets',
          }),
        );
      } else {
        out = new Map(mergeDecl(base));
      }
    }
    for (const c of d.clauses) {
      const key = clauseKey(c);
      out.delete(key);
      out.set(key, { clause: c, file: d.file });
    }
    merging.delete(d.name);
    merged.set(d.name, out);
    return out;
  };

  const withDefaults = (own: Map<string, Located>): Map<string, Located> => {
    const out = new Map<string, Located>();
    for (const c of topLevel) {
      const key = clauseKey(c);
      if (!own.has(key)) out.set(key, { clause: c, file: ast.file });
    }
    for (const [k, v] of own) out.set(k, v);
    return out;
  };

  const experiments: ResolvedDecl[] = [];
  const testsets = new Map<string, ResolvedDecl>();
  if (localExperiments.length === 0 && topLevel.length > 0) {
    const clauses = new Map<string, Located>();
    for (const c of topLevel) clauses.set(clauseKey(c), { clause: c, file: ast.file });
    const first = topLevel[0]!;
    experiments.push({ kind: 'experiment', name: fileName, file: ast.file, nameRange: first.range, clauses, local: true });
  }
  for (const d of decls.values()) {
    const own = mergeDecl(d);
    if (d.kind === 'experiment' && d.local) {
      experiments.push({ kind: d.kind, name: d.name, file: d.file, nameRange: d.nameRange, clauses: withDefaults(own), local: true });
    } else if (d.kind === 'testset') {
      testsets.set(d.name, { kind: d.kind, name: d.name, file: d.file, nameRange: d.nameRange, clauses: own, local: d.local });
    }
  }
  return { experiments, testsets, sources, diagnostics };
}

function declOf(b: Block, file: string, local: boolean): Decl {
  return {
    kind: b.kind,
    name: b.name,
    file,
    nameRange: b.nameRange,
    ...(b.base ? { base: b.base } : {}),
    clauses: b.clauses,
    local,
  };
}

function reportDuplicates(clauses: readonly Clause[], file: string, diagnostics: Diagnostic[]): void {
  const seen = new Map<string, Clause>();
  for (const c of clauses) {
    const key = clauseKey(c);
    const first = seen.get(key);
    if (first) {
      diagnostics.push(
        makeDiagnostic('SX2006', file, c.range, `'${key}' is given twice`, {
          hint: `keep one '${key}' clause; to try several values use a sweep, e.g. {a, b}`,
          related: [{ file, range: first.range, message: `first '${key}' here` }],
        }),
      );
    } else {
      seen.set(key, c);
    }
  }
}
