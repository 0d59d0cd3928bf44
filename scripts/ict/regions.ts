/**
 * Vertex ranges of the ICT-FaceKit neutral mesh (upstream README), inclusive, and the parts synx
 * keeps. The kept parts are one prefix of the vertex list (0 … 24590), so kept vertices keep their
 * upstream numbers; lacrimal fluid, eye blend, eye occlusion and eyelashes are dropped: they are
 * translucent overlay layers that an opaque rasteriser would draw as skin-coloured sheets.
 *
 * These are upstream numbers. The shipped model keeps 0 … 11247 (face, head and neck) as they are
 * but simplifies the interior parts to a subset of their vertices, renumbered in order
 * (scripts/ict/decimate.ts); everything that uses these ranges (colour regions, the pupil
 * landmarks) runs on the full upstream mesh first, and `buildIctModel` maps the results through
 * its `kept` list.
 */
export const ICT_VERTEX_COUNT = 26719;

export const ICT_RANGES = {
  face: [0, 9408],
  headNeck: [9409, 11247],
  mouthSocket: [11248, 13293],
  eyeSockets: [13294, 14061],
  gumsTongue: [14062, 17038],
  teeth: [17039, 21450],
  eyeballLeft: [21451, 23020],
  eyeballRight: [23021, 24590],
  lacrimal: [24591, 24998],
  eyeBlend: [24999, 25046],
  eyeOcclusion: [25047, 25350],
  eyelashes: [25351, 26718],
} as const;

export type IctRegion = keyof typeof ICT_RANGES;

/** Vertices 0 … KEPT_VERTICES - 1 are kept (face, head and neck, sockets, mouth, teeth, eyeballs). */
export const KEPT_VERTICES = ICT_RANGES.eyeballRight[1] + 1;

/** The region of an upstream vertex index. */
export function regionOf(v: number): IctRegion {
  for (const [name, [a, b]] of Object.entries(ICT_RANGES) as [IctRegion, readonly [number, number]][]) if (v >= a && v <= b) return name;
  throw new Error(`regionOf: vertex ${v} is outside the ICT mesh`);
}
