// The eval clause: which datasets to evaluate on, with which protocol, and with which network
// (the experiment's trained one, or a pretrained one). A test set named here is rendered as the
// experiment's own sample clauses would be, read in the test set's file.
import { didYouMean } from '../../diag/index.js';
import type { StageClause } from '../ast.js';
import type { Located } from '../resolve.js';
import { BENCHMARKS, RENDER_DEFAULTS, type EvalSpec } from '../spec.js';
import { sweepAxes } from './axes.js';
import { dataset } from './datasets.js';
import { evalNetwork } from './networks.js';
import { lowerRender } from './render.js';
import type { Lowering } from './values.js';

const EVAL_OPTIONS = ['flip', 'network', 'input', 'normalize', 'mean', 'std', 'channels'];

/** The evaluations of the eval clause at `loc` (none when there is none, or it is wrong). */
export function lowerEvals(lw: Lowering, loc: Located | undefined): EvalSpec[] {
  if (!loc) return [];
  const r = lw.in(loc.file);
  const c = loc.clause as StageClause;
  let flip = false;
  const given = new Set<string>();
  for (const o of c.options) {
    if (given.has(o.name) && EVAL_OPTIONS.includes(o.name)) {
      r.report('SX2006', o.range, `eval option '${o.name}' is given twice`, 'keep one');
      continue;
    }
    given.add(o.name);
    if (o.name === 'flip') flip = true;
    else if (!EVAL_OPTIONS.includes(o.name)) r.report('SX2011', o.nameRange, `unknown eval option '${o.name}'${didYouMean(o.name, EVAL_OPTIONS)}`, 'eval takes the options flip (add the embedding of the mirrored image) and network (evaluate a pretrained network)');
  }
  const network = evalNetwork(r, c.options);
  if (network === null) return [];
  if (c.args.length === 0) {
    r.report('SX2015', c.keywordRange, 'eval needs at least one dataset', 'e.g. eval lfw, ijba, multipie');
    return [];
  }
  const out: EvalSpec[] = [];
  const seen = new Set<string>();
  for (const a of c.args) {
    const ds = dataset(r, a, 'eval');
    if (!ds) continue;
    if (seen.has(ds)) {
      r.report('SX2006', r.picked(a).range, `dataset '${ds}' is evaluated twice`);
      continue;
    }
    seen.add(ds);
    const testset = r.ctx.testsets.get(ds);
    if (testset) {
      const rt = r.in(testset.file);
      if (sweepAxes(testset, r.ctx.sources).length > 0) {
        rt.report('SX2009', testset.nameRange, `test set '${ds}' has a sweep; test sets must be fixed so results compare`, 'move the sweep into the experiment');
        continue;
      }
      const rendered = lowerRender(lw, testset.clauses, true);
      if (!rendered) {
        if (!testset.clauses.has('sample')) rt.report('SX2015', testset.nameRange, `test set '${ds}' samples nothing`, 'add e.g. `sample 100 ids x 10 imgs`');
        continue;
      }
      out.push({ dataset: ds, protocol: 'synthetic', flip, ...(network ? { network } : {}), testset: { ...rendered, imgsPerId: rendered.imgsPerId || RENDER_DEFAULTS.imgsPerId } });
      continue;
    }
    const format = r.ctx.datasets[ds] ?? BENCHMARKS[ds];
    if (format === 'folder' || format === undefined) {
      r.report('SX2010', r.picked(a).range, `'${ds}' is a training set (image folders) and has no evaluation protocol`, 'evaluate on lfw, ijba, multipie, a testset, or a synx.yaml dataset of format lfw, ijba or multipie');
      continue;
    }
    out.push({ dataset: ds, protocol: format, flip, ...(network ? { network } : {}) });
  }
  return out;
}
