import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile, loadConfig, type LoadedConfig } from '../config/index.js';
import { formatDiagnostics, summarize, type Diagnostic, type DiagnosticFormat } from '../diag/index.js';
import type { RunRecord } from '../exec/index.js';
import type { Plan, PlanExperiment, PlanNode } from '../plan/index.js';
import { writeLine, type CliIO } from './io.js';
// Not through render/index.ts: that door loads the whole render stage, seconds of startup that
// commands which never render would pay; this module only tries to load the optional `gl`.
import { resolveRenderer } from '../render/gl-context.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.synx']);

/** Expands files and folders into the `.synexp` files under them, sorted; missing paths are returned apart. */
export function findSynexpFiles(cwd: string, args: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (entry.name.endsWith('.synexp')) {
        files.push(path.join(dir, entry.name));
      }
    }
  };
  for (const arg of args.length > 0 ? args : ['.']) {
    const abs = path.resolve(cwd, arg);
    let st;
    try {
      st = statSync(abs);
    } catch {
      missing.push(arg);
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else files.push(abs);
  }
  return { files: files.map((f) => path.relative(cwd, f) || f), missing };
}

/**
 * Loads synx.yaml for the project the working directory is in; config diagnostics are printed.
 * `plans: false` for commands that never build a plan (check, runs): they skip settling
 * `renderer: auto`, which with a display loads the gl addon and opens a context.
 */
export function projectConfig(io: CliIO, from?: string, { plans = true }: { plans?: boolean } = {}): LoadedConfig {
  // The project is where synx.yaml is (searched upwards from the experiment file); without one,
  // the working folder, so `.synx/` and `reports/` land where the user ran synx.
  const found = from ? findConfigFile(path.resolve(io.cwd, path.dirname(from))) : undefined;
  const loaded = loadConfig(found ? path.dirname(found) : io.cwd, io.env);
  // `renderer: auto` is settled here, once, so every command plans (and fingerprints) the render
  // nodes the way `synx run` on this machine computes them.
  return plans ? { ...loaded, config: resolveRenderer(loaded.config) } : loaded;
}

export function useColor(io: CliIO): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && !io.env.CI;
}

/** Prints diagnostics the way every command does; returns whether any is an error. */
export function printDiagnostics(
  io: CliIO,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  format: DiagnosticFormat = 'text',
  stream: NodeJS.WritableStream = io.stderr,
): boolean {
  if (diagnostics.length > 0) {
    writeLine(stream, formatDiagnostics(diagnostics, format, { sources, color: format === 'text' && useColor(io) }));
    if (format === 'text') writeLine(stream, `\n${summarize(diagnostics)}`);
  }
  return diagnostics.some((d) => d.severity === 'error');
}

/** A compiled experiment file, with the project configuration it was compiled against. */
export interface CompiledProject {
  readonly loaded: LoadedConfig;
  readonly plan: Plan;
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * The step every command that plans begins with: load synx.yaml (of `file`'s project, unless
 * `loaded` is given), compile `file`, print every diagnostic. Undefined when any is an error: the
 * command then exits 2.
 */
export async function compileProject(io: CliIO, file: string, loaded: LoadedConfig = projectConfig(io, path.resolve(io.cwd, file))): Promise<CompiledProject | undefined> {
  // Loaded here, not at the top: `synx check` uses this module too and never plans.
  const { compileFile } = await import('../plan/index.js');
  const r = await compileFile(file, loaded.config, { cwd: io.cwd });
  if (printDiagnostics(io, [...loaded.diagnostics, ...r.diagnostics], r.sources) || !r.plan) return undefined;
  return { loaded, plan: r.plan, sources: r.sources };
}

/** What a command that takes `FILE|RUN` was pointed at: an experiment file, or a run's file. */
export interface ProjectTarget {
  readonly loaded: LoadedConfig;
  /** The experiment file, as the user gave it or as the run names it (relative to the cwd when it exists). */
  readonly file: string;
  /** The run, when the user named one (`synx runs` ids, or "latest"). */
  readonly run?: RunRecord;
}

/**
 * Resolves the `FILE|RUN` argument of `command` (export, report): an existing file, else a run of
 * the project (whose file the command then compiles, as it is now). Loads synx.yaml and prints
 * its diagnostics; undefined, after saying so, when `target` is neither: the command exits 2.
 */
export async function fileOrRun(io: CliIO, command: string, target: string): Promise<ProjectTarget | undefined> {
  const asFile = path.resolve(io.cwd, target);
  if (existsSync(asFile)) return { loaded: projectConfig(io, asFile), file: target };
  const loaded = projectConfig(io);
  const { config } = loaded;
  // Loaded here, not at the top: `synx check` uses this module too and never opens runs.
  const { findRun } = await import('../exec/index.js');
  const run = findRun(config.runs, target);
  if (!run) {
    writeLine(io.stderr, `synx ${command}: '${target}' is neither a file nor a run in ${config.runs}`);
    writeLine(io.stderr, 'hint: `synx runs` lists the runs; or give the experiment file');
    return undefined;
  }
  const file = path.relative(io.cwd, path.resolve(config.root, run.file)) || run.file;
  return { loaded, file: existsSync(path.resolve(io.cwd, file)) ? file : run.file, run };
}

/**
 * The experiments named `name` (as `synx plan` names them, or their base name before a sweep);
 * every experiment when `name` is undefined.
 */
export function chosenExperiments(plan: Plan, name: string | undefined): readonly PlanExperiment[] {
  return name === undefined ? plan.experiments : plan.experiments.filter((e) => e.name === name || e.base === name);
}

/** `name, name, ...` of the plan's experiments, for messages that name a missing one. */
export function experimentNames(plan: Plan): string {
  return plan.experiments.map((e) => e.name).join(', ') || 'none';
}

/**
 * The plan's nodes, or only those of experiment `name` (as `synx plan` names it, or its base
 * name). Undefined, after saying which experiments there are, when none has that name.
 */
export function experimentNodes(io: CliIO, file: string, plan: Plan, name: string | undefined): readonly PlanNode[] | undefined {
  if (name === undefined) return plan.nodes;
  const chosen = chosenExperiments(plan, name);
  if (chosen.length === 0) {
    writeLine(io.stderr, `${file}: no experiment '${name}' (experiments: ${experimentNames(plan)})`);
    return undefined;
  }
  const ids = new Set(chosen.flatMap((e) => e.nodes));
  return plan.nodes.filter((n) => ids.has(n.id));
}
