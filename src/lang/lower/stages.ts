// The training stages: `pretrain [N | DATASET]`, `train DATASET [FRACTION]` and
// `finetune DATASET FRACTION`, each with its options, as TrainSpecs. A synthetic pretrain is
// checked against what the sample clause renders.
import type { StageClause } from '../ast.js';
import type { Located } from '../resolve.js';
import type { RenderSpec, TrainSpec } from '../spec.js';
import { dataset } from './datasets.js';
import { trainOptions } from './train-options.js';
import type { Lowering } from './values.js';

/**
 * The stage clause at `loc`, or undefined when there is none or it is wrong (reported).
 * `renderFixed.imgs`: whether the images per identity were written (else they follow `pretrain N`).
 */
export function lowerStage(lw: Lowering, loc: Located | undefined, render: RenderSpec | undefined, renderFixed: { imgs: boolean }): TrainSpec | undefined {
  if (!loc) return undefined;
  const r = lw.in(loc.file);
  const c = loc.clause as StageClause;
  const stage = c.stage as 'pretrain' | 'train' | 'finetune';
  const opts = trainOptions(r, c, stage);
  const args = c.args;
  if (stage === 'pretrain') {
    if (args.length > 1) r.report('SX2010', args[1]!.range, `pretrain takes one argument (a number of images or a dataset); a comma may be missing`);
    const a = args[0] ? r.picked(args[0]) : undefined;
    if (a && a.type === 'name') {
      const ds = dataset(r, a, 'pretrain');
      return ds ? { source: { kind: 'dataset', dataset: ds }, images: null, fraction: 1, ...opts } : undefined;
    }
    if (!render) {
      r.report('SX2015', c.keywordRange, 'pretrain trains on synthetic faces, but nothing is sampled', 'add `sample N ids` (e.g. sample 10k ids) or pretrain on a dataset: pretrain casia');
      return undefined;
    }
    const images = a ? r.count(a, 'the number of pretraining images') : undefined;
    if (a && images === undefined) return undefined;
    if (images !== undefined && renderFixed.imgs && images > render.ids * render.imgsPerId) {
      r.report('SX2010', a!.range, `pretrain ${r.text(a!)} needs ${images} images but sample makes ${render.ids} x ${render.imgsPerId} = ${render.ids * render.imgsPerId}`, 'sample more images per identity, or pretrain on fewer');
      return undefined;
    }
    return { source: { kind: 'synthetic' }, images: images ?? null, fraction: 1, ...opts };
  }
  // train and finetune: DATASET [FRACTION]
  if (args.length === 0) {
    r.report('SX2015', c.keywordRange, `${stage} needs a dataset${stage === 'finetune' ? ' and a fraction' : ''}`, stage === 'finetune' ? 'e.g. finetune casia 10%' : 'e.g. train casia 50%');
    return undefined;
  }
  if (args.length > 2) r.report('SX2010', args[2]!.range, `${stage} takes a dataset and a fraction; a comma may be missing`);
  const ds = dataset(r, args[0]!, stage);
  let fraction: number | undefined = 1;
  if (args[1]) fraction = r.fraction(args[1], `the fraction of ${ds ?? 'the dataset'}`, stage === 'finetune');
  else if (stage === 'finetune') {
    r.report('SX2015', c.range, 'finetune needs the fraction of the dataset to use', 'e.g. finetune casia 10%');
    return undefined;
  }
  if (!ds || fraction === undefined) return undefined;
  return { source: { kind: 'dataset', dataset: ds }, images: null, fraction, ...opts };
}
