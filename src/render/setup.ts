import { fivePointsOfLabel } from '../arcface/index.js';
import { NodeFailure } from '../node/index.js';
import type { ModelRef, RenderParams } from '../plan/index.js';
import { loadBackgroundFolder, type BackgroundSet } from './background.js';
import { loadBfmModel } from './bfm.js';
import { builtinModelHeader, loadBuiltinModel, PROCEDURAL_MODEL_NAME } from './builtin-model.js';
import { fitIlluminationGaussian, loadIlluminationFolder, type IlluminationGaussian } from './illumination.js';
import { shareModel, type MorphableModel } from './model.js';
import { foldersOf, type RenderSetup } from './scene.js';
import { requireGl } from './gl-context.js';

/** Loads the model a render names: the built-in one, the procedural one, or a BFM 2017 HDF5 file. */
export async function loadModel(ref: ModelRef): Promise<MorphableModel> {
  if (ref.kind === 'builtin') return loadBuiltinModel();
  if (ref.kind === 'procedural') return loadBuiltinModel(PROCEDURAL_MODEL_NAME);
  return loadBfmModel(ref.path);
}

/** The colour components' names of the model a render names, from its header alone (BFM files have none). */
export function modelColorNames(ref: ModelRef): readonly string[] | undefined {
  if (ref.kind === 'bfm') return undefined;
  return builtinModelHeader(ref.kind === 'procedural' ? PROCEDURAL_MODEL_NAME : undefined).blocks.color;
}

/**
 * Loads everything a render reads (model, illumination and background folders) once, and checks
 * it: bad files and folders become NodeFailures naming them, and so does a gl rasteriser that
 * cannot start. The model is placed in a shared arena with scratch for `renderers` renderers
 * (worker threads), see `shareModel`.
 */
export async function prepareRender(params: RenderParams, model?: MorphableModel, renderers = 2): Promise<RenderSetup> {
  // Before the model loads: `renderer: gl` without the package or a display fails at once.
  if (params.raster === 'gl') requireGl();
  const m = shareModel(model ?? (await loadModel(params.model)), renderers);
  if (params.center === 'arcface' && !fivePointsOfLabel(m.landmarks.map((l) => ({ name: l.name, x: 0, y: 0 })))) {
    throw new NodeFailure(
      `center arcface needs the model's landmarks right/left.eye.pupil.center, center.nose.tip and right/left.lips.corner, and ${params.model.kind === 'bfm' ? params.model.path : `the ${params.model.kind} model`} lacks some`,
      'use center landmarks or facebox with this model, or add those landmarks to it',
      'SX5005',
    );
  }
  const folders = foldersOf(params);
  const illuminationSets: Record<string, readonly Float64Array[]> = {};
  const illuminationGaussians: Record<string, IlluminationGaussian> = {};
  const backgrounds: Record<string, BackgroundSet> = {};
  for (const f of folders.empirical) illuminationSets[f] = loadIlluminationFolder(f);
  for (const f of folders.gaussian) illuminationGaussians[f] = fitIlluminationGaussian(illuminationSets[f] ?? loadIlluminationFolder(f));
  for (const f of folders.backgrounds) backgrounds[f] = loadBackgroundFolder(f, params.size);
  return { params, model: m, illuminationSets, illuminationGaussians, backgrounds };
}
