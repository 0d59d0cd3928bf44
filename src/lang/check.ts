import { sortDiagnostics, makeDiagnostic, type Diagnostic } from '../diag/index.js';
import { parse } from './parse.js';
import { resolve, fsHost, type Resolution, type SourceHost } from './resolve.js';
import { lowerExperiment, sweepAxes, type LowerContext, type Pick } from './lower/index.js';
import type { SynexpFile } from './ast.js';

/** Options for checking: the datasets synx.yaml declares, and how to read imports. */
export interface CheckOptions {
  readonly datasets?: Readonly<Record<string, 'folder' | 'lfw' | 'ijba' | 'multipie'>>;
  readonly host?: SourceHost;
  /** Folder relative file names are resolved against (default: the process's). */
  readonly cwd?: string;
}

export interface CheckResult {
  readonly ast: SynexpFile;
  /** Undefined when the file has syntax errors (checking is skipped then). */
  readonly resolution: Resolution | undefined;
  readonly diagnostics: Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/** The most experiments one declaration may expand to (the planner enforces the same limit). */
export const MAX_SWEEP = 100_000;

function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.range.start.offset}:${d.range.end.offset}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Parses and checks a file. Each sweep item is checked once (the other sweeps held at their first
 * item), so a 10,000-point sweep costs the sum of its axes here, not their product.
 */
export function check(text: string, file: string, options: CheckOptions = {}): CheckResult {
  const parsed = parse(text, file);
  const sources = new Map([[file, text]]);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) {
    return { ast: parsed.ast, resolution: undefined, diagnostics: sortDiagnostics(parsed.diagnostics), sources };
  }
  const cwd = options.cwd ?? process.cwd();
  const resolution = resolve(parsed.ast, text, options.host ?? fsHost, cwd);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics, ...resolution.diagnostics];
  const ctx: LowerContext = { datasets: options.datasets ?? {}, testsets: resolution.testsets, sources: resolution.sources, cwd };
  const usedTestsets = new Set<string>();
  for (const exp of resolution.experiments) {
    const axes = sweepAxes(exp, resolution.sources);
    const total = axes.reduce((n, a) => n * a.sweep.items.length, 1);
    if (total > MAX_SWEEP) {
      diagnostics.push(makeDiagnostic('SX3001', exp.file, exp.nameRange, `'${exp.name}' expands to ${total} experiments (at most ${MAX_SWEEP})`, { hint: 'split the sweep over several experiments or files' }));
    }
    const picks: Pick[] = [new Map()];
    for (const axis of axes) {
      for (let i = 1; i < axis.sweep.items.length; i++) picks.push(new Map([[axis.sweep, i]]));
      if (axis.sweep.items.length === 1) {
        diagnostics.push(makeDiagnostic('SX2101', axis.file, axis.sweep.range, `sweep '${axis.key}' has a single value`, { hint: 'drop the braces, or add the other values to try' }));
      }
      const dup = axis.labels.find((l, i) => axis.labels.indexOf(l) !== i);
      if (dup !== undefined) {
        diagnostics.push(makeDiagnostic('SX2101', axis.file, axis.sweep.range, `sweep '${axis.key}' lists ${dup} twice`, { hint: 'each value of a sweep should differ' }));
      }
    }
    // A test set named in an eval clause is used even when the experiment has an error (no
    // trained network, say): "not evaluated by any experiment" beside that error contradicts it.
    const evalClause = exp.clauses.get('eval')?.clause;
    if (evalClause?.type === 'stage') {
      for (const a of evalClause.args) {
        if (a.type === 'name') usedTestsets.add(a.name);
        else if (a.type === 'sweep') for (const i of a.items) if (i.type === 'name') usedTestsets.add(i.name);
      }
    }
    for (const pick of picks) {
      const { spec, diagnostics: d } = lowerExperiment(exp, pick, ctx, exp.name, {});
      diagnostics.push(...d);
      for (const e of spec?.evals ?? []) usedTestsets.add(e.dataset);
    }
  }
  for (const [name, ts] of resolution.testsets) {
    // A file of presets and test sets only (a library) is not expected to use its test sets.
    if (!ts.local || resolution.experiments.length === 0) continue;
    if (!usedTestsets.has(name)) {
      const { diagnostics: d } = lowerExperiment(ts, new Map(), ctx, name, {});
      diagnostics.push(...d);
      diagnostics.push(makeDiagnostic('SX2102', ts.file, ts.nameRange, `test set '${name}' is not evaluated by any experiment`, { hint: `add it to an eval clause: eval ${name}` }));
    }
  }
  return { ast: parsed.ast, resolution, diagnostics: sortDiagnostics(dedupe(diagnostics)), sources: resolution.sources };
}
