import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { configKeyRange, type ProjectConfig } from '../config/index.js';
import { FILE_START, makeDiagnostic, sortDiagnostics, type Diagnostic } from '../diag/index.js';
import { check, MAX_SWEEP, lowerExperiment, type ExperimentSpec, type RenderSpec, type TrainSpec, sweepAxes, type LowerContext, type Resolution, type SourceHost } from '../lang/index.js';
import type { SweepValue } from '../lang/ast.js';
import { DagBuilder } from './build-dag.js';
import type { DataParams } from '../params/index.js';
import type { Plan, PlanExperiment } from './types.js';
import { fsErrorReason } from '../util/index.js';

/** More experiments than this in one file is almost certainly a mistake (and a very long run). */
export const MAX_EXPERIMENTS = MAX_SWEEP;

export interface CompileResult {
  /** Undefined when there are errors. */
  readonly plan: Plan | undefined;
  readonly diagnostics: Diagnostic[];
  /** Every source read, for printing diagnostics with their lines. */
  readonly sources: Map<string, string>;
}

function datasetFormats(config: ProjectConfig): Record<string, 'folder' | 'lfw' | 'ijba' | 'multipie'> {
  return Object.fromEntries(Object.entries(config.datasets).map(([k, v]) => [k, v.format]));
}

/** Expands every experiment's sweeps (their product) and builds the file's DAG. */
export function planResolution(resolution: Resolution, file: string, config: ProjectConfig, cwd: string = process.cwd()): { plan: Plan | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ctx: LowerContext = { datasets: datasetFormats(config), testsets: resolution.testsets, sources: resolution.sources, cwd };
  const dag = new DagBuilder(file, config);
  const experiments: PlanExperiment[] = [];
  for (const decl of resolution.experiments) {
    const axes = sweepAxes(decl, resolution.sources);
    const total = axes.reduce((n, a) => n * a.sweep.items.length, 1);
    if (total > MAX_EXPERIMENTS) {
      diagnostics.push(
        makeDiagnostic('SX3001', decl.file, decl.nameRange, `'${decl.name}' expands to ${total} experiments (at most ${MAX_EXPERIMENTS})`, {
          hint: 'split the sweep over several experiments or files',
        }),
      );
      continue;
    }
    const index = axes.map(() => 0);
    for (let n = 0; n < total; n++) {
      const pick = new Map<SweepValue, number>(axes.map((a, i) => [a.sweep, index[i]!]));
      const sweep: Record<string, string> = {};
      axes.forEach((a, i) => (sweep[a.key] = a.labels[index[i]!]!));
      const name = axes.length === 0 ? decl.name : `${decl.name}[${axes.map((a) => `${a.key}=${sweep[a.key]}`).join(',')}]`;
      const { spec, diagnostics: d } = lowerExperiment(decl, pick, ctx, name, sweep);
      diagnostics.push(...d.filter((x) => x.severity === 'error'));
      if (spec) experiments.push(dag.experiment(config.scale === undefined || config.scale === 1 ? spec : scaleSpec(spec, config.scale)));
      // Odometer: the last axis varies fastest, as in the order sweeps are written.
      for (let i = axes.length - 1; i >= 0; i--) {
        index[i]!++;
        if (index[i]! < axes[i]!.sweep.items.length) break;
        index[i] = 0;
      }
    }
  }
  // A file of test sets alone renders them: each is a render-only experiment of its own (the
  // same render params as when an eval uses it, so the images are shared through the cache).
  if (resolution.experiments.length === 0) {
    for (const ts of resolution.testsets.values()) {
      if (!ts.local) continue;
      const { spec, diagnostics: d } = lowerExperiment(ts, new Map(), ctx, ts.name, {});
      diagnostics.push(...d.filter((x) => x.severity === 'error'));
      if (spec) experiments.push(dag.experiment(config.scale === undefined || config.scale === 1 ? spec : scaleSpec(spec, config.scale)));
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { plan: undefined, diagnostics };
  const title = path.basename(file).replace(/\.synexp$/, '');
  return { plan: dag.finish(experiments, title), diagnostics };
}

// The epsilon keeps float error (10000 × 0.01 = 100.00000000000001) from rounding up a whole count.
const shrink = (n: number, f: number, min: number): number => Math.max(min, Math.ceil(n * f - 1e-9));

function scaleRender(r: RenderSpec, f: number): RenderSpec {
  return { ...r, ids: shrink(r.ids, f, 2), imgsPerId: shrink(r.imgsPerId, f, 2) };
}

/**
 * An experiment shrunk by `f` in (0, 1]: identities and images per identity (of the training set
 * and of synthetic test sets), and pretraining images. Epochs and everything else are kept, so a
 * scaled run exercises the same nodes with the same settings, only on less data.
 */
export function scaleSpec(spec: ExperimentSpec, f: number): ExperimentSpec {
  const images = (t: TrainSpec | undefined): TrainSpec | undefined =>
    t && t.images !== null ? { ...t, images: Math.min(shrink(t.images, f * f, 4), spec.render ? shrink(spec.render.ids, f, 2) * shrink(spec.render.imgsPerId, f, 2) : Infinity) } : t;
  const pretrain = images(spec.pretrain);
  return {
    ...spec,
    ...(spec.render ? { render: scaleRender(spec.render, f) } : {}),
    ...(pretrain ? { pretrain } : {}),
    evals: spec.evals.map((e) => (e.testset ? { ...e, testset: scaleRender(e.testset, f) } : e)),
  };
}

/** Parses, checks and plans text. */
export function compileText(text: string, file: string, config: ProjectConfig, options: { host?: SourceHost; cwd?: string } = {}): CompileResult {
  const cwd = options.cwd ?? process.cwd();
  const checked = check(text, file, { datasets: datasetFormats(config), cwd, ...(options.host ? { host: options.host } : {}) });
  const sources = new Map(checked.sources);
  if (!checked.resolution || checked.diagnostics.some((d) => d.severity === 'error')) {
    return { plan: undefined, diagnostics: checked.diagnostics, sources };
  }
  const planned = planResolution(checked.resolution, file, config, cwd);
  const seen = new Set(checked.diagnostics.map((d) => `${d.file}:${d.range.start.offset}:${d.code}:${d.message}`));
  const extra = planned.diagnostics.filter((d) => !seen.has(`${d.file}:${d.range.start.offset}:${d.code}:${d.message}`));
  return { plan: planned.plan, diagnostics: sortDiagnostics([...checked.diagnostics, ...extra]), sources };
}

/** Reads, parses, checks and plans a `.synexp` file. Never throws on user input. */
export async function compileFile(file: string, config: ProjectConfig, options: { cwd?: string } = {}): Promise<CompileResult> {
  const cwd = options.cwd ?? process.cwd();
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const why = fsErrorReason(e);
    return {
      plan: undefined,
      diagnostics: [makeDiagnostic('SX1004', file, FILE_START, `cannot read ${file}: ${why}`, { hint: 'check the path' })],
      sources: new Map(),
    };
  }
  return compileText(text, file, config, { cwd });
}

const LAYOUTS: Record<DataParams['format'], string> = {
  folder: 'format: folder, path: root folder with one subfolder of images per identity (root/<identity>/<image>.jpg)',
  lfw: 'format: lfw, path: folder of name/name_0001.jpg images, pairs: the pairs.txt file (default <path>/pairs.txt)',
  ijba: 'format: ijba, path: image folder, metadata: templates CSV (template,identity,image), pairs: comparisons CSV (template1,template2)',
  multipie: 'format: multipie, path: image folder, metadata: CSV of image,identity,yaw',
};

/**
 * The real datasets a plan reads that are not configured in synx.yaml or whose path does not
 * exist: `synx run` stops on these before doing any work, naming what to add and in what layout.
 */
export function datasetProblems(plan: Plan, config: ProjectConfig, configFile?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const node of plan.nodes) {
    if (node.kind !== 'data') continue;
    const p = node.params;
    if (seen.has(p.dataset)) continue;
    seen.add(p.dataset);
    const where = configFile ?? path.join(config.root, 'synx.yaml');
    // The dataset's own lines in synx.yaml where it has them, else the file's start.
    const at = (...keys: string[]) => (configFile ? configKeyRange(configFile, keys) : undefined) ?? FILE_START;
    if (!config.datasets[p.dataset]) {
      out.push(
        makeDiagnostic('SX5001', where, at('datasets'), `dataset '${p.dataset}' is not configured`, {
          hint: `add to ${where}:\n    datasets:\n      ${p.dataset}:\n        ${LAYOUTS[p.format].replace(/, (?=\w+:)/g, '\n        ')}`,
        }),
      );
    } else if (!existsSync(p.path)) {
      out.push(
        makeDiagnostic('SX5002', where, at('datasets', p.dataset, 'path'), `dataset '${p.dataset}': path ${p.path} does not exist`, {
          hint: `fix datasets.${p.dataset}.path in ${where}; expected layout: ${LAYOUTS[p.format]}`,
        }),
      );
    } else if (!statSync(p.path).isDirectory()) {
      // Every format's path is the folder of images; a file there would only fail after the
      // nodes before the data node (a pretrain) had run.
      out.push(
        makeDiagnostic('SX5002', where, at('datasets', p.dataset, 'path'), `dataset '${p.dataset}': path ${p.path} is a file, not a folder`, {
          hint: `set datasets.${p.dataset}.path in ${where} to the dataset's folder; expected layout: ${LAYOUTS[p.format]}`,
        }),
      );
    } else {
      // The files beside the images (pairs, metadata), which the data node reads only when it
      // runs: missing, they would fail it after the nodes before it (a pretrain) had run.
      const ds = config.datasets[p.dataset]!;
      const sideFiles: { key: 'pairs' | 'metadata'; file: string | undefined; what: string }[] =
        p.format === 'lfw'
          ? [{ key: 'pairs', file: ds.pairs ?? path.join(p.path, 'pairs.txt'), what: 'pairs file' }]
          : p.format === 'ijba'
            ? [
                { key: 'metadata', file: ds.metadata, what: 'templates CSV' },
                { key: 'pairs', file: ds.pairs, what: 'comparisons CSV' },
              ]
            : p.format === 'multipie'
              ? [{ key: 'metadata', file: ds.metadata, what: 'CSV of image, identity, yaw' }]
              : [];
      for (const { key, file, what } of sideFiles) {
        const problem = file === undefined ? 'is not set' : !existsSync(file) ? `${file} does not exist` : statSync(file).isDirectory() ? `${file} is a folder, not a file` : undefined;
        if (problem === undefined) continue;
        out.push(
          makeDiagnostic(file === undefined ? 'SX5001' : 'SX5002', where, at('datasets', p.dataset, key), `dataset '${p.dataset}': its ${what} (${key}) ${problem}`, {
            hint: `set datasets.${p.dataset}.${key} in ${where}; expected layout: ${LAYOUTS[p.format]}`,
          }),
        );
      }
    }
  }
  return out;
}
