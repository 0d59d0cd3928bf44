import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../node/index.js';
import type { Rng } from '../rng/index.js';
import { fsErrorReason } from '../util/index.js';
import { addAmbient, addDirectional, envToShading } from './sh.js';

/**
 * Illuminations as 27 shading coefficients (see sh.ts). The built-in prior is a generative model,
 * not data: an ambient term plus one directional light from the upper front, with slightly varied
 * colour temperatures and a little band-2 noise for irregular real-world lighting:
 *   ambient a ~ U(0.35, 0.65); light strength I ~ U(0.25, 0.75);
 *   light elevation ~ N(20°, 20°) above the horizon, azimuth ~ U(-75°, 75°) around the camera axis;
 *   colour tints (1 + t, 1, 1 - t) with t ~ N(0, 0.05) for the light and the ambient separately;
 *   band-2 coefficients + N(0, 0.02) each.
 * Its mean shading of a frontal normal is about 1, so albedo colours come out near their own value.
 */
export function samplePriorIllumination(rng: Rng): Float64Array {
  const s = new Float64Array(27);
  const a = 0.35 + 0.3 * rng.uniform();
  const ta = 0.05 * rng.normal();
  addAmbient(s, [a * (1 + ta), a, a * (1 - ta)]);
  const strength = 0.25 + 0.5 * rng.uniform();
  const elev = ((20 + 20 * rng.normal()) * Math.PI) / 180;
  const azim = ((-75 + 150 * rng.uniform()) * Math.PI) / 180;
  const d = [Math.cos(elev) * Math.sin(azim), Math.sin(elev), Math.cos(elev) * Math.cos(azim)];
  const tl = 0.05 * rng.normal();
  addDirectional(s, d, [strength * (1 + tl), strength, strength * (1 - tl)]);
  for (let k = 4; k < 9; k++) {
    for (let c = 0; c < 3; c++) s[3 * k + c] = s[3 * k + c]! + 0.02 * rng.normal();
  }
  return s;
}

/** The reference generator's static frontal light: ambient 0.5 plus a white light from the camera. */
export function frontalIllumination(): Float64Array {
  const s = new Float64Array(27);
  addAmbient(s, [0.5, 0.5, 0.5]);
  addDirectional(s, [0, 0, 1], [0.5, 0.5, 0.5]);
  return s;
}

/** The illuminations of a Basel Illumination Prior folder (its .rps files), as shading coefficients. */
export function loadIlluminationFolder(folder: string): Float64Array[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((f) => f.toLowerCase().endsWith('.rps')).sort();
  } catch (e) {
    throw new NodeFailure(`illumination prior folder ${folder}: cannot be read (${fsErrorReason(e)})`, 'point `prior "folder"` at a folder of Basel Illumination Prior .rps files');
  }
  const out: Float64Array[] = [];
  for (const n of names) {
    const file = path.join(folder, n);
    if (!statSync(file).isFile()) continue;
    let env: unknown;
    try {
      env = (JSON.parse(readFileSync(file, 'utf8')) as { environmentMap?: { coefficients?: unknown } }).environmentMap?.coefficients;
    } catch (e) {
      throw new NodeFailure(`${file}: not a JSON render-parameter file (${(e as Error).message})`, 'remove it from the illumination folder or fix it');
    }
    if (!Array.isArray(env) || env.length < 9 || !env.slice(0, 9).every((r) => Array.isArray(r) && r.length === 3 && r.every((v) => typeof v === 'number'))) {
      throw new NodeFailure(`${file}: environmentMap.coefficients must be 9 rows of [r, g, b]`, 'remove it from the illumination folder or fix it');
    }
    out.push(envToShading(env as number[][]));
  }
  if (out.length === 0) {
    throw new NodeFailure(`illumination prior folder ${folder}: no .rps files`, 'point `prior "folder"` at a folder of Basel Illumination Prior .rps files');
  }
  return out;
}

/** A Gaussian fitted to a set of illuminations: mean and lower Cholesky factor of the covariance. */
export interface IlluminationGaussian {
  readonly mean: Float64Array;
  readonly chol: Float64Array;
}

/** Fits mean and covariance (with a small ridge, so one or two files still give a valid factor). */
export function fitIlluminationGaussian(samples: readonly Float64Array[]): IlluminationGaussian {
  const d = 27;
  const n = samples.length;
  const mean = new Float64Array(d);
  for (const s of samples) for (let i = 0; i < d; i++) mean[i] = mean[i]! + s[i]! / n;
  const cov = new Float64Array(d * d);
  for (const s of samples) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) cov[i * d + j] = cov[i * d + j]! + ((s[i]! - mean[i]!) * (s[j]! - mean[j]!)) / Math.max(1, n - 1);
    }
  }
  for (let i = 0; i < d; i++) cov[i * d + i] = cov[i * d + i]! + 1e-9;
  const chol = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * d + j]!;
      for (let k = 0; k < j; k++) s -= chol[i * d + k]! * chol[j * d + k]!;
      chol[i * d + j] = i === j ? Math.sqrt(Math.max(s, 0)) : chol[j * d + j]! > 0 ? s / chol[j * d + j]! : 0;
    }
  }
  return { mean, chol };
}

/** One draw from a fitted Gaussian. */
export function sampleGaussianIllumination(g: IlluminationGaussian, rng: Rng): Float64Array {
  const d = 27;
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) z[i] = rng.normal();
  const out = new Float64Array(g.mean);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += g.chol[i * d + k]! * z[k]!;
    out[i] = out[i]! + s;
  }
  return out;
}
