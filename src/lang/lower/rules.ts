// Rules between the clauses of one declaration: names that are no clause at all, a finetune that
// continues its pretrain's network, and stages that cannot go together (train with pretrain, a
// finetune with nothing to fine-tune, an eval with no network, an experiment that does nothing).
import { didYouMean } from '../../diag/index.js';
import type { StageClause } from '../ast.js';
import type { ResolvedDecl } from '../resolve.js';
import { CHOICE_PARAMS, NUMERIC_PARAMS, isChoiceParam, isNumericParam, SETTINGS, type RenderSpec, type TrainSpec } from '../spec.js';
import { NETWORKS } from './train-options.js';
import type { Lowering } from './values.js';

/** How each setting is written (settings take values, not distributions). */
const SETTING_EXAMPLES: Readonly<Record<string, string>> = {
  seed: 'seed 1988',
  image: 'image 112px',
  model: 'model builtin',
  dims: 'dims shape 80 color 80 expression 30',
  center: 'center landmarks',
  maps: 'maps depth, normal',
} satisfies Record<(typeof SETTINGS)[number], string>;

/** Reports parameters and settings nobody knows, first, so a typo gets "did you mean" rather than a confusing default. */
export function reportUnknownClauses(lw: Lowering, decl: ResolvedDecl): void {
  for (const { clause: c, file } of decl.clauses.values()) {
    const r = lw.in(file);
    if (c.type === 'param' && Object.hasOwn(SETTING_EXAMPLES, c.name)) {
      r.report('SX2001', c.nameRange, `'${c.name}' is a setting: give it a value without ~`, `e.g. ${SETTING_EXAMPLES[c.name]}`);
    } else if (c.type === 'param' && !isNumericParam(c.name) && !isChoiceParam(c.name)) {
      const all = [...Object.keys(NUMERIC_PARAMS), ...Object.keys(CHOICE_PARAMS)];
      r.report('SX2001', c.nameRange, `unknown parameter '${c.name}'${didYouMean(c.name, all)}`, `parameters with ~ are ${all.join(', ')}`);
    } else if (c.type === 'setting' && !(SETTINGS as readonly string[]).includes(c.name)) {
      const all = [...SETTINGS, 'sample', 'pretrain', 'train', 'finetune', 'eval'];
      const param = isNumericParam(c.name) || isChoiceParam(c.name);
      r.report('SX2001', c.nameRange, param ? `'${c.name}' is a parameter: give it a distribution with ~` : `unknown clause '${c.name}'${didYouMean(c.name, all)}`, param ? `e.g. ${c.name} ~ ${isChoiceParam(c.name) ? Object.keys(CHOICE_PARAMS[c.name]!)[0] : 'U(-30, 30)'}` : `clauses are ${all.join(', ')}, or NAME ~ DISTRIBUTION`);
    }
  }
}

/**
 * A finetune continues the pretrained network: without options of its own it takes the
 * pretrain's network, input size and embedding (a default `nn4-small` after `pretrain with
 * small` would only fail once the pretrain had run); a different network written out is an
 * error now, not after the pretrain.
 */
export function continuePretrain(lw: Lowering, decl: ResolvedDecl, pretrain: TrainSpec | undefined, finetune: TrainSpec | undefined): TrainSpec | undefined {
  const ft = decl.clauses.get('finetune');
  if (!finetune || !pretrain || !ft) return finetune;
  const ftOptions = (ft.clause as StageClause).options;
  const netOpt = ftOptions.find((o) => o.name === 'network' || (NETWORKS as readonly string[]).includes(o.name));
  const says = (name: string) => ftOptions.some((o) => o.name === name);
  if (netOpt && finetune.network !== pretrain.network) {
    lw.in(ft.file).report('SX2014', netOpt.nameRange, `finetune trains ${finetune.network}, but the pretrain trained ${pretrain.network}: a finetune continues the pretrained network`, `drop the finetune's network (it takes the pretrain's), or pretrain with ${finetune.network}`);
    return finetune;
  }
  return {
    ...finetune,
    network: pretrain.network,
    ...(says('input') ? {} : { input: pretrain.input }),
    ...(says('embedding') ? {} : { embedding: pretrain.embedding }),
  };
}

/** Reports stages that cannot go together, or a declaration that does nothing. */
export function reportStageCombinations(lw: Lowering, decl: ResolvedDecl, finetune: TrainSpec | undefined): void {
  const ft = decl.clauses.get('finetune');
  const tr = decl.clauses.get('train');
  const pt = decl.clauses.get('pretrain');
  const ev = decl.clauses.get('eval');
  if (ft && !pt && !(finetune?.network === 'face-api')) {
    lw.in(ft.file).report('SX2007', (ft.clause as StageClause).keywordRange, 'finetune has nothing to fine-tune: there is no pretrain', 'add `pretrain N` before it, fine-tune a pretrained network (finetune casia 10% with network face-api), or use `train DATASET FRACTION` for a real-only baseline');
  }
  if (tr && pt) {
    lw.in(tr.file).report('SX2014', (tr.clause as StageClause).keywordRange, 'train (a real-only baseline) and pretrain cannot be in one experiment', 'to continue from the pretrained network use `finetune DATASET FRACTION`; for a baseline write a separate experiment');
  }
  const pretrained = ev ? (ev.clause as StageClause).options.some((o) => o.name === 'network') : false;
  if (ev && pretrained && (pt || tr || ft)) {
    const opt = (ev.clause as StageClause).options.find((o) => o.name === 'network')!;
    lw.in(ev.file).report('SX2014', opt.nameRange, 'eval with network evaluates a pretrained network, but this experiment also trains one', 'evaluate the trained network in an experiment without `with network`, and the pretrained one in its own experiment');
  }
  if (ev && !pt && !tr && !ft && !pretrained) {
    lw.in(ev.file).report('SX2007', (ev.clause as StageClause).keywordRange, 'eval has no trained network to evaluate', 'add pretrain, train or finetune');
  }
  if (!decl.clauses.has('sample') && !pt && !tr && !ft && !ev && decl.kind === 'experiment') {
    lw.in(decl.file).report('SX3002', decl.nameRange, `experiment '${decl.name}' does nothing`, 'sample faces (sample 1k ids) or train a network');
  }
}

/**
 * A synthetic pretrain that cannot learn, learns without what a triplet is for, or pays for
 * nothing: one identity (training needs two, and stops at run time after rendering); one image per
 * identity with the triplet loss (every positive is the anchor image itself: no invariance to pose
 * or light); a network input larger than the renders (every image enlarged). `render` is the
 * experiment's render with its images per identity settled.
 */
export function reportSyntheticTrainingSet(lw: Lowering, decl: ResolvedDecl, pretrain: TrainSpec | undefined, render: RenderSpec | undefined): void {
  const pt = decl.clauses.get('pretrain');
  if (!pt || !pretrain || pretrain.source.kind !== 'synthetic' || !render) return;
  const r = lw.in(pt.file);
  const at = (pt.clause as StageClause).keywordRange;
  // face-api's weights fix its input (150 px): enlarging the renders is the only way in.
  const input = pretrain.input;
  if (input > render.size && pretrain.network !== 'face-api') {
    const option = (pt.clause as StageClause).options.find((o) => o.name === 'input');
    const network = pretrain.network;
    r.report(
      'SX2101',
      option?.range ?? at,
      `the network reads ${input} px but the faces are rendered at ${render.size} px: each image is enlarged, which costs ${((input / render.size) ** 2).toFixed(1)}x the compute per step and adds no detail`,
      option ? `use input ${render.size}px or less, or render larger (image ${input}px)` : `${network}'s input is ${input} px by default: add input ${render.size}px to the pretrain's options, or render at image ${input}px`,
    );
  }
  if (render.ids < 2) {
    r.report('SX2010', at, `pretrain needs at least 2 identities to learn from; sample makes ${render.ids}`, 'sample more identities, e.g. sample 100 ids');
  } else if (pretrain.loss === 'triplet' && render.imgsPerId < 2) {
    r.report('SX2101', at, `with 1 image per identity every triplet's positive is the anchor image itself: the network learns nothing about pose or light`, `sample 2 or more images per identity (sample ${render.ids} ids x 10 imgs), or pretrain on more images`);
  }
}
