// The realism benchmark's render setup (issue 12: 160 px, yaw U(-90, 90), prior illumination,
// texture backgrounds, synx's render defaults for the rest), in one place for bench/realism.ts and
// the ablation harnesses (bench/realism-ablate.ts, bench/realism-profile.ts), and the command-line
// overrides the ablations change one at a time.
import { RENDER_DEFAULTS } from '../src/lang/index.js';
import { arg, BenchInputError, reportBenchInputErrors } from './bench-args.js';
import type { Dist, ModelRef, RenderParams } from '../src/plan/index.js';

/** Settings an ablation changes; anything left out stays as the benchmark has it. */
export interface RenderOverrides {
  readonly model?: string;
  readonly yaw?: Dist;
  readonly pitch?: Dist;
  readonly scale?: Dist;
  readonly shape?: Dist;
  readonly color?: Dist;
  readonly expression?: Dist;
  readonly specular?: Dist;
  readonly dims?: { readonly shape?: number; readonly color?: number; readonly expression?: number };
  readonly illumination?: string;
  readonly background?: string;
  readonly center?: RenderParams['center'];
}

/** The benchmark's render params for `model` at `size` px, identities [0, ids) × imgs, with `o` applied. */
export function realismParams(model: string, size: number, ids: number, imgs: number, o: RenderOverrides = {}): RenderParams {
  return {
    ...RENDER_DEFAULTS,
    // A model name the build does not know fails to load, and the benchmark reports it.
    model: { kind: o.model ?? model } as unknown as ModelRef,
    firstId: 0,
    ids,
    imgsPerId: imgs,
    size,
    dims: { ...RENDER_DEFAULTS.dims, ...o.dims },
    pose: {
      ...RENDER_DEFAULTS.pose,
      yaw: o.yaw ?? { type: 'uniform', lo: -90, hi: 90 },
      ...(o.pitch ? { pitch: o.pitch } : {}),
      ...(o.scale ? { scale: o.scale } : {}),
    },
    coeffs: {
      ...RENDER_DEFAULTS.coeffs,
      ...(o.shape ? { shape: o.shape } : {}),
      ...(o.color ? { color: o.color } : {}),
      ...(o.expression ? { expression: o.expression } : {}),
    },
    illumination: { type: 'choice', name: o.illumination ?? 'prior' },
    background: { type: 'choice', name: o.background ?? 'texture' },
    ...(o.center ? { center: o.center } : {}),
    ...(o.specular ? { specular: o.specular } : {}),
  };
}

/**
 * A contact sheet's render: `ids` identities of `model builtin`, one image each, at yaw `yaw`,
 * pitch 0, scale 1, expression 0, each image's prior illumination, plain background, `size` px;
 * `coeffs` and `specular` as given (the curve's and the highlight's sheets).
 */
export function sheetParams(ids: number, size: number, yaw: number, o: { readonly coeffs?: Partial<RenderParams['coeffs']>; readonly specular?: Dist } = {}): RenderParams {
  return {
    ...RENDER_DEFAULTS,
    model: { kind: 'builtin' },
    firstId: 0,
    ids,
    imgsPerId: 1,
    size,
    pose: { ...RENDER_DEFAULTS.pose, yaw: { type: 'const', value: yaw }, pitch: { type: 'const', value: 0 }, scale: { type: 'const', value: 1 } },
    coeffs: { ...RENDER_DEFAULTS.coeffs, expression: { type: 'const', value: 0 }, ...o.coeffs },
    illumination: { type: 'choice', name: 'prior' },
    background: { type: 'choice', name: 'plain' },
    ...(o.specular ? { specular: o.specular } : {}),
  };
}

export { arg };

// Every realism harness loads this module: a mistyped option prints one line, not a stack trace.
reportBenchInputErrors();

/** N(0, sd), or the constant 0 for sd 0. */
export const normalDist = (sd: number): Dist => (sd === 0 ? { type: 'const', value: 0 } : { type: 'normal', mean: 0, sd });

/**
 * The overrides named on the command line: `--pitch SD`, `--expression SD`, `--shape-sd S`,
 * `--color-sd S` (N(0, ·)), `--specular S` (a constant highlight strength), `--scale LO,HI`, `--color K` / `--shape K` (components used),
 * `--illumination NAME`, `--background NAME`, `--center NAME`, `--model NAME`.
 */
export function overridesFromArgs(arg: (name: string) => string | undefined): RenderOverrides {
  const num = (n: string) => {
    const v = arg(n);
    if (v === undefined) return undefined;
    if (v.trim() === '' || !Number.isFinite(Number(v))) throw new BenchInputError(`--${n} wants a number, not '${v}'`);
    return Number(v);
  };
  const scale = arg('scale')?.split(',').map(Number);
  if (scale && (scale.length !== 2 || !scale.every(Number.isFinite))) throw new BenchInputError(`--scale wants LO,HI, not '${arg('scale')}'`);
  const dims = { ...(num('shape') !== undefined ? { shape: num('shape') } : {}), ...(num('color') !== undefined ? { color: num('color') } : {}) };
  return {
    ...(arg('model') !== undefined ? { model: arg('model') } : {}),
    ...(num('pitch') !== undefined ? { pitch: normalDist(num('pitch')!) } : {}),
    ...(scale ? { scale: scale[0] === scale[1] ? { type: 'const', value: scale[0]! } : { type: 'uniform', lo: scale[0]!, hi: scale[1]! } } : {}),
    ...(num('expression') !== undefined ? { expression: normalDist(num('expression')!) } : {}),
    ...(num('shape-sd') !== undefined ? { shape: normalDist(num('shape-sd')!) } : {}),
    ...(num('color-sd') !== undefined ? { color: normalDist(num('color-sd')!) } : {}),
    ...(num('specular') !== undefined ? { specular: { type: 'const', value: num('specular')! } } : {}),
    ...(Object.keys(dims).length ? { dims } : {}),
    ...(arg('illumination') !== undefined ? { illumination: arg('illumination') } : {}),
    ...(arg('background') !== undefined ? { background: arg('background') } : {}),
    ...(arg('center') !== undefined ? { center: arg('center') as RenderParams['center'] } : {}),
  };
}
