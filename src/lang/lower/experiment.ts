// One point of an experiment's sweeps, lowered to an ExperimentSpec: render, stages and evals read
// clause by clause, then the rules between clauses, then the values one clause implies for
// another (images per identity from `pretrain N`).
import type { Diagnostic } from '../../diag/index.js';
import type { ResolvedDecl } from '../resolve.js';
import { RENDER_DEFAULTS, type ExperimentSpec } from '../spec.js';
import { lowerEvals } from './evals.js';
import { lowerRender, lowerSeed } from './render.js';
import { continuePretrain, reportStageCombinations, reportSyntheticTrainingSet, reportUnknownClauses } from './rules.js';
import { lowerStage } from './stages.js';
import { Lowering, type LowerContext, type Pick } from './values.js';

/**
 * Turns one point of an experiment's sweeps into a checked, defaulted ExperimentSpec. Every
 * semantic rule of the language lives under lang/lower, so `check` and `plan` can never disagree.
 */
export function lowerExperiment(
  decl: ResolvedDecl,
  pick: Pick,
  ctx: LowerContext,
  name: string,
  sweep: Readonly<Record<string, string>>,
): { spec: ExperimentSpec | undefined; diagnostics: Diagnostic[] } {
  const lw = new Lowering(pick, ctx);
  const spec = experiment(lw, decl, name, sweep);
  const failed = lw.diagnostics.some((d) => d.severity === 'error');
  return { spec: failed ? undefined : spec, diagnostics: lw.diagnostics };
}

function experiment(lw: Lowering, decl: ResolvedDecl, name: string, sweep: Readonly<Record<string, string>>): ExperimentSpec {
  reportUnknownClauses(lw, decl);
  const sampleClause = decl.clauses.get('sample')?.clause;
  let render = lowerRender(lw, decl.clauses, decl.kind === 'testset');
  const seed = lowerSeed(lw, decl.clauses) ?? RENDER_DEFAULTS.seed;
  const pretrain = lowerStage(lw, decl.clauses.get('pretrain'), render, { imgs: Boolean(sampleClause?.type === 'sample' && sampleClause.imgs) });
  const train = lowerStage(lw, decl.clauses.get('train'), render, { imgs: true });
  const finetune = lowerStage(lw, decl.clauses.get('finetune'), render, { imgs: true });
  const evals = lowerEvals(lw, decl.clauses.get('eval'));

  // Images per identity: as written, else what `pretrain N` implies, else the default.
  if (render && render.imgsPerId === 0) {
    const wanted = pretrain?.source.kind === 'synthetic' ? pretrain.images : null;
    render = { ...render, imgsPerId: wanted ? Math.ceil(wanted / render.ids) : RENDER_DEFAULTS.imgsPerId };
  }
  // `pretrain N` on exactly the N images sampled is `pretrain` on all of them: one fingerprint
  // for one piece of work, however it was written.
  const pretrainAll =
    pretrain && render && pretrain.source.kind === 'synthetic' && pretrain.images === render.ids * render.imgsPerId
      ? { ...pretrain, images: null }
      : pretrain;
  const finetuneSpec = continuePretrain(lw, decl, pretrain, finetune);
  reportStageCombinations(lw, decl, finetune);
  reportSyntheticTrainingSet(lw, decl, pretrain, render);
  return {
    name,
    base: decl.name,
    sweep,
    seed,
    ...(render ? { render } : {}),
    ...(pretrainAll ? { pretrain: pretrainAll } : {}),
    ...(train ? { train } : {}),
    ...(finetuneSpec && finetuneSpec.fraction > 0 ? { finetune: finetuneSpec } : {}),
    evals,
  };
}
