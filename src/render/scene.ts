import type { Pose } from '../dataset/index.js';
import type { Choice, RenderParams } from '../plan/index.js';
import { choicesOf, isConst, sampleChoice, sampleDist } from './dist.js';
import { sampleBlendshapes } from './expression-prior.js';
import { frontalIllumination, sampleGaussianIllumination, samplePriorIllumination, type IlluminationGaussian } from './illumination.js';
import type { BackgroundSet } from './background.js';
import type { MorphableModel } from './model.js';
import type { Rng } from '../rng/index.js';
import { IDENTITY_SAMPLE, STREAM, streamRng } from './rng.js';

/** What a render needs besides its params: the model and the folders it draws from, loaded once. */
export interface RenderSetup {
  readonly params: RenderParams;
  readonly model: MorphableModel;
  /** `empirical "folder"`: the folder's illuminations as shading coefficients. */
  readonly illuminationSets: Readonly<Record<string, readonly Float64Array[]>>;
  /** `gaussian "folder"`: a Gaussian fitted to the folder. */
  readonly illuminationGaussians: Readonly<Record<string, IlluminationGaussian>>;
  /** `folder "path"` backgrounds, resized to the render size. */
  readonly backgrounds: Readonly<Record<string, BackgroundSet>>;
}

/**
 * The per-identity draws: shape and colour coefficients (units of the PCA std). Colour components
 * the model draws per image (`colorPer`) are 0 here; the image's draws are in ImageSample.color.
 */
export interface IdentitySample {
  readonly id: number;
  readonly shape: Float64Array;
  readonly color: Float64Array;
}

/** Everything drawn for one image; the pose fields are the ones its label stores. */
export interface ImageSample extends Pose {
  readonly id: number;
  readonly sample: number;
  /**
   * Gaussian coefficients, or for a blendshape model (`expressionPrior`) activations in [0, 1]
   * drawn by the prior with an intensity from the expression distribution.
   */
  readonly expression: Float64Array;
  /** Per-image colour coefficients (0 at per-identity components); empty when the model has none. */
  readonly color: Float64Array;
  /** `prior`, `frontal`, `empirical:<folder>#<index>`, `gaussian:<folder>`. */
  readonly illumination: string;
  /** 27 shading coefficients (see sh.ts). */
  readonly sh: Float64Array;
  readonly background: Choice;
  readonly gain: readonly [number, number, number];
  readonly contrast: number;
  readonly offset: readonly [number, number, number];
  readonly noise: number;
  readonly blur: number;
  /** Strength of the highlight (`specular ~`), ≥ 0; 0 when the render has none. */
  readonly specular: number;
}

/** Components actually used: the experiment's dims, capped at what the model has. */
export function usedDims(params: RenderParams, model: MorphableModel): { shape: number; color: number; expression: number } {
  return {
    shape: Math.max(0, Math.min(params.dims.shape, model.shape.components)),
    color: Math.max(0, Math.min(params.dims.color, model.color.components)),
    expression: Math.max(0, Math.min(params.dims.expression, model.expression.components)),
  };
}

/** Whether the expression can differ between images of one identity (else it is computed once). */
export function expressionVaries(params: RenderParams, model: MorphableModel): boolean {
  if (usedDims(params, model).expression === 0) return false;
  // A blendshape prior draws an archetype per image even at a fixed intensity; only 0 is fixed.
  if (model.expressionPrior) return !isConst(params.coeffs.expression, 0);
  return params.coeffs.expression.type !== 'const';
}

/** Whether some used colour component is drawn per image (so the albedo is rebuilt per image). */
export function colorVariesPerImage(params: RenderParams, model: MorphableModel): boolean {
  const per = model.colorPer;
  if (!per || isConst(params.coeffs.color, 0)) return false;
  const k = usedDims(params, model).color;
  for (let j = 0; j < k; j++) if (per[j] === 'image') return true;
  return false;
}

function draws(n: number, rngDraw: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rngDraw();
  return a;
}

/** The colour component whose draw is an identity's skin tone: the built-in model's first (melanin) axis. */
export const SKIN_TONE_COMPONENT = 'skin tone (melanin)';

/**
 * An identity's skin-tone draw (higher is darker), or undefined when the model has no skin-tone
 * component or the render leaves it out (`dims color`). Only its rank among identities means
 * something: audits split identities into thirds by it.
 */
export function skinToneOf(setup: RenderSetup, id: number): number | undefined {
  const j = skinToneIndex(setup.model.colorNames, usedDims(setup.params, setup.model).color);
  return j === undefined ? undefined : sampleIdentity(setup, id).color[j];
}

/** Where the skin-tone draw sits among an identity's colour draws, given the model's colour names and the components used. */
export function skinToneIndex(colorNames: readonly string[] | undefined, colorDims: number): number | undefined {
  const j = colorNames?.indexOf(SKIN_TONE_COMPONENT) ?? -1;
  return j >= 0 && j < colorDims ? j : undefined;
}

/** Draws an identity from (seed, id) alone. */
export function sampleIdentity(setup: RenderSetup, id: number): IdentitySample {
  const { params, model } = setup;
  const dims = usedDims(params, model);
  const rs = streamRng(params.seed, id, IDENTITY_SAMPLE, STREAM.shape);
  const rc = streamRng(params.seed, id, IDENTITY_SAMPLE, STREAM.color);
  return {
    id,
    shape: draws(dims.shape, () => sampleDist(params.coeffs.shape, rs)),
    color: colorDraws(dims.color, model, 'identity', () => sampleDist(params.coeffs.color, rc)),
  };
}

/**
 * Draws the colour components of one kind (per identity or per image), 0 for the others. A
 * rectified component takes max(0, draw): the same number of draws in the same order either way.
 */
function colorDraws(k: number, model: MorphableModel, per: 'identity' | 'image', draw: () => number): Float64Array {
  const a = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    if ((model.colorPer?.[j] ?? 'identity') !== per) continue;
    const d = draw();
    a[j] = model.colorPrior?.[j] === 'rectified' ? Math.max(0, d) : d;
  }
  return a;
}

/** Draws one image's parameters from (seed, id, sample) alone. */
export function sampleImage(setup: RenderSetup, id: number, sample: number): ImageSample {
  const { params, model } = setup;
  const dims = usedDims(params, model);
  const seed = params.seed;
  const rp = streamRng(seed, id, sample, STREAM.pose);
  const p = params.pose;
  const yaw = sampleDist(p.yaw, rp);
  const pitch = sampleDist(p.pitch, rp);
  const roll = sampleDist(p.roll, rp);
  const scale = sampleDist(p.scale, rp);
  const tx = sampleDist(p.tx, rp);
  const ty = sampleDist(p.ty, rp);
  const re = streamRng(seed, id, sample, STREAM.expression);
  const expression =
    model.expressionPrior && model.expressionNames
      ? sampleBlendshapes(model.expressionPrior, model.expressionNames.slice(0, dims.expression), sampleDist(params.coeffs.expression, re), re)
      : draws(dims.expression, () => sampleDist(params.coeffs.expression, re));
  const rc = streamRng(seed, id, sample, STREAM.color);
  const color = colorVariesPerImage(params, model) ? colorDraws(dims.color, model, 'image', () => sampleDist(params.coeffs.color, rc)) : new Float64Array(0);
  const ri = streamRng(seed, id, sample, STREAM.illumination);
  const { name: illumination, sh } = drawIllumination(setup, sampleChoice(params.illumination, ri), ri);
  const rb = streamRng(seed, id, sample, STREAM.background);
  const background = sampleChoice(params.background, rb);
  const rq = streamRng(seed, id, sample, STREAM.post);
  const q = params.post;
  const gain: [number, number, number] = [sampleDist(q.gain, rq), sampleDist(q.gain, rq), sampleDist(q.gain, rq)];
  const contrast = sampleDist(q.contrast, rq);
  const offset: [number, number, number] = [sampleDist(q.offset, rq), sampleDist(q.offset, rq), sampleDist(q.offset, rq)];
  const noise = Math.max(0, sampleDist(q.noise, rq));
  const blur = Math.max(0, sampleDist(q.blur, rq));
  // Its own stream: renders without the clause draw exactly what they drew before it existed.
  const specular = params.specular ? Math.max(0, sampleDist(params.specular, streamRng(seed, id, sample, STREAM.specular))) : 0;
  return { id, sample, yaw, pitch, roll, scale, tx, ty, expression, color, illumination, sh, background, gain, contrast, offset, noise, blur, specular };
}

function drawIllumination(setup: RenderSetup, c: Choice, rng: Rng): { name: string; sh: Float64Array } {
  switch (c.name) {
    case 'prior':
      return { name: 'prior', sh: samplePriorIllumination(rng) };
    case 'frontal':
      return { name: 'frontal', sh: frontalIllumination() };
    case 'empirical': {
      const set = setup.illuminationSets[c.arg ?? ''];
      if (!set || set.length === 0) throw new Error(`sampleImage: illumination folder '${c.arg}' was not loaded`);
      const k = rng.int(set.length);
      return { name: `empirical:${c.arg}#${k}`, sh: new Float64Array(set[k]!) };
    }
    case 'gaussian': {
      const g = setup.illuminationGaussians[c.arg ?? ''];
      if (!g) throw new Error(`sampleImage: illumination folder '${c.arg}' was not loaded`);
      return { name: `gaussian:${c.arg}`, sh: sampleGaussianIllumination(g, rng) };
    }
    default:
      throw new Error(`sampleImage: unknown illumination '${c.name}'`);
  }
}

/** The folders a render reads: illumination folders by kind, and background folders. */
export function foldersOf(params: RenderParams): { empirical: string[]; gaussian: string[]; backgrounds: string[] } {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
  const ill = choicesOf(params.illumination);
  const bg = choicesOf(params.background);
  return {
    empirical: uniq(ill.filter((c) => c.name === 'empirical').map((c) => c.arg)),
    gaussian: uniq(ill.filter((c) => c.name === 'gaussian').map((c) => c.arg)),
    backgrounds: uniq(bg.filter((c) => c.name === 'folder').map((c) => c.arg)),
  };
}
