// Dataset names in stage and eval clauses: a standard benchmark, a dataset declared in synx.yaml,
// or a test set declared in the file (for eval only).
import { didYouMean } from '../../diag/index.js';
import type { Value } from '../ast.js';
import { BENCHMARKS } from '../spec.js';
import type { LowerContext, Reader } from './values.js';

/** Every dataset name the project knows, in the order hints list them. */
export function knownDatasets(ctx: LowerContext): string[] {
  return [...Object.keys(BENCHMARKS), ...Object.keys(ctx.datasets), ...ctx.testsets.keys()];
}

/** The dataset named by `value` for stage `what` (`pretrain`, `train`, `finetune`, `eval`). */
export function dataset(r: Reader, value: Value, what: string): string | undefined {
  const v = r.picked(value);
  if (v.type === 'error') return undefined;
  if (v.type !== 'name' || v.arg) {
    r.report('SX2010', v.range, `${what} must be a dataset name, not '${r.text(v)}'`, `datasets are ${knownDatasets(r.ctx).join(', ')}`);
    return undefined;
  }
  if (what !== 'eval' && r.ctx.testsets.has(v.name)) {
    r.report('SX2010', v.range, `'${v.name}' is a test set; test sets are for eval only`, `train on the sampled faces (pretrain N) or on a real dataset`);
    return undefined;
  }
  if (!knownDatasets(r.ctx).includes(v.name)) {
    r.report('SX2008', v.range, `unknown dataset '${v.name}'${didYouMean(v.name, knownDatasets(r.ctx))}`, 'use a standard benchmark (casia, vggface2, lfw, ijba, multipie), a dataset declared in synx.yaml, or a testset declared in this file');
    return undefined;
  }
  return v.name;
}
