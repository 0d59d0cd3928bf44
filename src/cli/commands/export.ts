import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { openCache, type Cache } from '../../exec/index.js';
import type { Plan, PlanNode, PlanNodeOf } from '../../plan/index.js';
import { exportReferenceLayout } from '../../render/index.js';
import { parse as parseArgs } from '../args.js';
import { ensureOutFolder, UsageError, writeLine, type Command } from '../io.js';
import { fsErrorReason } from '../../util/index.js';
import { chosenExperiments, compileProject, experimentNames, fileOrRun, printDiagnostics } from '../project.js';

/** One render set of an experiment: the shards of its training set or of one synthetic test set. */
interface RenderSet {
  readonly experiment: string;
  /** `synthetic` (what `sample` renders for training) or `testset-<name>`. */
  readonly name: string;
  readonly shards: readonly PlanNodeOf<'render'>[];
  /** Other experiments that use exactly these shards (exported once). */
  readonly alsoUsedBy: string[];
}

/**
 * The render sets of the chosen experiments, in plan order. A render node read as `test` by an
 * eval belongs to that eval's test set; every other render node of an experiment is its training
 * set. A set several experiments share (a sweep over fine-tuning, say) is listed once.
 */
function renderSets(plan: Plan, experiments: readonly string[]): RenderSet[] {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const testOf = new Map<string, string>();
  for (const n of plan.nodes) {
    if (n.kind !== 'eval') continue;
    const dataset = n.params.dataset;
    for (const i of n.inputs) if (i.role === 'test' && byId.get(i.id)?.kind === 'render') testOf.set(i.id, dataset);
  }
  const sets: RenderSet[] = [];
  const seen = new Map<string, RenderSet>();
  for (const e of plan.experiments.filter((x) => experiments.includes(x.name))) {
    const groups = new Map<string, PlanNodeOf<'render'>[]>();
    for (const id of e.nodes) {
      const node = byId.get(id)!;
      if (node.kind !== 'render') continue;
      const test = testOf.get(id);
      const name = test !== undefined ? `testset-${test}` : 'synthetic';
      groups.set(name, [...(groups.get(name) ?? []), node]);
    }
    for (const [name, shards] of groups) {
      const key = shards.map((s) => s.fingerprint).join(',');
      const known = seen.get(key);
      if (known) {
        known.alsoUsedBy.push(e.name);
        continue;
      }
      const set: RenderSet = { experiment: e.name, name, shards, alsoUsedBy: [] };
      seen.set(key, set);
      sets.push(set);
    }
  }
  return sets;
}

/**
 * Why a shard cannot be exported from the cache, or undefined when it can. The entry gets the full
 * check a run makes before reading one (every file re-hashed): a damaged shard is never exported.
 */
async function notReady(cache: Cache | undefined, node: PlanNode): Promise<string | undefined> {
  if (!cache) return 'not computed yet (there is no cache)';
  const c = await cache.verify(node.fingerprint);
  if (c.state === 'missing') return 'not computed yet';
  if (c.state === 'corrupt') return `its cache entry ${node.fingerprint.slice(0, 12)} is corrupt (${c.problem})`;
  return undefined;
}

function nonEmptyFolder(p: string): boolean {
  if (!existsSync(p)) return false;
  return !statSync(p).isDirectory() || readdirSync(p).length > 0;
}

/** `synx export`: an experiment's rendered sets, from the cache, in the reference generator's layout. */
const command: Command = {
  name: 'export',
  summary: 'write the rendered images, labels and maps of a run or file in the reference generator’s layout',
  usage: `usage: synx export FILE|RUN [--experiment NAME] [--out DIR] [--format reference] [--force]

Copies the synthetic sets an experiment file renders (its training set and synthetic test sets),
as computed by \`synx run\`, out of the cache in the reference generator's layout, one folder per
set: DIR/<experiment>/synthetic and DIR/<experiment>/testset-<name>, each with
img/<id>/<id>_<n>.png, rps/<id>/<id>_<n>.rps (render parameters), landmarks/<id>/<id>_<n>.tlms,
parameters.csv, and depth/ and normal/ PNGs when the render has \`maps\`. A set that several
experiments share is written once. Each folder is written to a temporary name and renamed.
  FILE               an experiment file
  RUN                a run id from \`synx runs\` (or "latest"): the run's file, as it ran
  --experiment NAME  only this experiment (as named in \`synx plan\`, or its name before a sweep)
  --out DIR          where to write (default: exports/<file name>)
  --format F         reference (the only layout so far)
  --force            replace set folders that already exist and are not empty
exit codes: 0 exported, 1 writing failed, 2 bad input or a set not computed yet`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, {
      experiment: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'reference' },
      force: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) throw new UsageError('give one experiment file or run id');
    if (values.format !== 'reference') throw new UsageError(`--format must be reference, not '${values.format}'`);
    const target = await fileOrRun(io, 'export', positionals[0]!);
    if (!target) return 2;
    const { loaded, file, run } = target;
    const { config } = loaded;
    const compiled = await compileProject(io, file, loaded);
    if (!compiled) return 2;
    const { plan } = compiled;
    const chosen = chosenExperiments(plan, values.experiment).map((e) => e.name);
    if (values.experiment !== undefined && chosen.length === 0) {
      writeLine(io.stderr, `synx export: ${file} has no experiment '${values.experiment}' (experiments: ${experimentNames(plan)})`);
      return 2;
    }
    const sets = renderSets(plan, chosen);
    if (sets.length === 0) {
      writeLine(io.stderr, `synx export: ${values.experiment !== undefined ? `experiment '${values.experiment}'` : file} renders no synthetic faces (no \`sample\` statement)`);
      return 2;
    }
    if (run) {
      const ran = new Set(run.nodes.map((n) => n.fingerprint));
      if (sets.some((s) => s.shards.some((n) => !ran.has(n.fingerprint)))) {
        writeLine(io.stderr, `synx export: ${file} changed since run ${run.id}; its renders are not the run's`);
        writeLine(io.stderr, `hint: \`synx export ${file}\` exports the file as it is now`);
        return 2;
      }
    }
    // Everything is checked before anything is written: an export is whole or not made.
    const opened = existsSync(config.cache) ? openCache(config.cache) : undefined;
    if (opened && !opened.ok) {
      printDiagnostics(io, [opened.diagnostic], compiled.sources);
      return 2;
    }
    const cache = opened?.ok ? opened.cache : undefined;
    const problems: string[] = [];
    for (const s of sets) {
      for (const n of s.shards) {
        const why = await notReady(cache, n);
        if (why) problems.push(`  ${n.label} (${n.id}) of ${s.experiment}: ${why}`);
      }
    }
    if (problems.length > 0) {
      writeLine(io.stderr, `synx export: ${problems.length} render shard(s) of ${file} are not in the cache:`);
      for (const p of problems) writeLine(io.stderr, p);
      // `run` re-hashes a shard only when a node about to run reads it, so a corrupt shard whose
      // dependents are cached is removed by `cache verify --fix` first.
      if (problems.some((p) => p.includes(' is corrupt ('))) writeLine(io.stderr, `hint: \`synx cache verify --fix\` removes the corrupt entries; then \`synx run ${file}\` recomputes them and you can export again`);
      else writeLine(io.stderr, `hint: \`synx run ${file}\` computes them; then export again`);
      return 2;
    }
    const title = path.basename(file).replace(/\.synexp$/, '');
    const out = path.resolve(io.cwd, values.out ?? path.join('exports', title));
    const folderOf = (s: RenderSet) => path.join(out, s.experiment, s.name);
    const show = (p: string) => path.relative(io.cwd, p) || p;
    const occupied = sets.map(folderOf).filter(nonEmptyFolder);
    if (occupied.length > 0 && !values.force) {
      for (const p of occupied) writeLine(io.stderr, `synx export: ${show(p)} already exists and is not empty`);
      writeLine(io.stderr, 'hint: give another --out, or --force to replace it');
      return 2;
    }
    if (!ensureOutFolder(io, 'export', out)) return 1;
    writeLine(io.stdout, `export of ${file}${run ? ` (run ${run.id})` : ''} in the reference layout:`);
    for (const s of sets) {
      const dest = folderOf(s);
      let count: number;
      try {
        count = await exportReferenceLayout(
          s.shards.map((n) => cache!.outDir(n.fingerprint)),
          dest,
        );
      } catch (e) {
        writeLine(io.stderr, `synx export: error: cannot write ${show(dest)}: ${fsErrorReason(e)}`);
        return 1;
      }
      const p = s.shards[0]!.params;
      const ids = s.shards.reduce((n, x) => n + x.params.ids, 0);
      const maps = p.maps && p.maps.length > 0 ? `, maps ${p.maps.join(', ')}` : '';
      const also = s.alsoUsedBy.length > 0 ? ` (also used by ${s.alsoUsedBy.join(', ')})` : '';
      writeLine(io.stdout, `  ${show(dest)}: ${count} images, ${ids} identities × ${p.imgsPerId}, ${p.size} px${maps}${also}`);
    }
    return 0;
  },
};

export default command;
