import { RENDER_DEFAULTS } from '../../src/lang/index.js';
import type { RenderParams } from '../../src/plan/index.js';
import type { MorphableModel, PcaBlock } from '../../src/render/index.js';
import { constDist } from '../helpers/dist.js';

const c = constDist;

/** Render params with everything fixed (frontal, plain grey background) unless overridden. */
export function baseParams(over: Partial<RenderParams> = {}): RenderParams {
  return {
    model: { kind: 'builtin' },
    seed: 1988,
    firstId: 0,
    ids: 2,
    imgsPerId: 3,
    size: 112,
    dims: { shape: 0, color: 0, expression: 0 },
    pose: { yaw: c(0), pitch: c(0), roll: c(0), scale: c(1), tx: c(0), ty: c(0) },
    coeffs: { shape: { type: 'normal', mean: 0, sd: 1 }, color: { type: 'normal', mean: 0, sd: 1 }, expression: { type: 'normal', mean: 0, sd: 1 } },
    illumination: { type: 'choice', name: 'frontal' },
    background: { type: 'choice', name: 'none' },
    post: { gain: c(1), contrast: c(1), offset: c(0), noise: c(0), blur: c(0) },
    center: 'none',
    ...over,
  };
}

/** The reference generator's defaults (as the planner fills them), for realistic renders. */
export function referenceParams(over: Partial<RenderParams> = {}): RenderParams {
  return baseParams({
    dims: { shape: 199, color: 199, expression: 100 },
    pose: RENDER_DEFAULTS.pose,
    illumination: { type: 'choice', name: 'prior' },
    background: { type: 'mix', parts: [{ weight: 1, dist: { type: 'choice', name: 'noise' } }, { weight: 1, dist: { type: 'choice', name: 'gradient' } }, { weight: 1, dist: { type: 'choice', name: 'texture' } }] },
    ...over,
  });
}

/**
 * A hand-checkable model: a square of half-width `half` mm in the plane z = `z`, facing the camera
 * (+z), of one colour, plus an unconnected probe vertex at (10, 0, z) used as a landmark.
 */
export function squareModel(half: number, z: number, rgb: readonly [number, number, number]): MorphableModel {
  const mean = new Float32Array([-half, -half, z, half, -half, z, half, half, z, -half, half, z, 10, 0, z]);
  const color = new Float32Array(15);
  for (let i = 0; i < 5; i++) color.set(rgb, 3 * i);
  const empty = (m: Float32Array): PcaBlock => ({ mean: m, basis: new Float32Array(0), variance: new Float32Array(0), components: 0 });
  return {
    uri: 'test:square',
    vertexCount: 5,
    triangles: new Uint32Array([0, 1, 2, 0, 2, 3]),
    shape: empty(mean),
    color: empty(color),
    expression: empty(new Float32Array(15)),
    landmarks: [{ name: 'probe', vertex: 4 }],
  };
}
