import path from 'node:path';
import type { BuiltinModelSource } from '../../src/render/builtin-model.js';
import { ICT_EXPRESSION_PRIOR } from '../../src/render/expression-prior.js';
import { principalModes } from './linalg.js';
import { IctInputError, readJson, readObjPolygons, readObjVertices } from './read-input.js';
import { buildIctColourModel, colorPriorOf } from './colour.js';
import { decimateParts, keptVertices, subsetField, type DecimatePart, type DecimateResult } from './decimate.js';
import { ICT_RANGES, ICT_VERTEX_COUNT, KEPT_VERTICES } from './regions.js';

/** Number of identity modes of ICT Face Model Light (identity000 … identity099). */
export const ICT_IDENTITIES = 100;

/**
 * The 53 ARKit blendshapes in the order the model stores them: the ones the expression prior uses
 * most come first, so `dims expression K` keeps the K most useful (the rest in upstream order).
 */
export const BLENDSHAPE_ORDER: readonly string[] = [
  'jawOpen', 'mouthSmile_L', 'mouthSmile_R', 'eyeBlink_L', 'eyeBlink_R', 'browInnerUp_L', 'browInnerUp_R',
  'browOuterUp_L', 'browOuterUp_R', 'browDown_L', 'browDown_R', 'mouthFrown_L', 'mouthFrown_R', 'eyeWide_L',
  'eyeWide_R', 'eyeSquint_L', 'eyeSquint_R', 'cheekSquint_L', 'cheekSquint_R', 'noseSneer_L', 'noseSneer_R',
  'mouthUpperUp_L', 'mouthUpperUp_R', 'mouthLowerDown_L', 'mouthLowerDown_R', 'mouthPucker', 'mouthFunnel',
  'mouthClose', 'mouthDimple_L', 'mouthDimple_R', 'mouthPress_L', 'mouthPress_R', 'mouthShrugLower',
  'mouthShrugUpper', 'mouthStretch_L', 'mouthStretch_R', 'mouthRollLower', 'mouthRollUpper', 'mouthLeft',
  'mouthRight', 'jawForward', 'jawLeft', 'jawRight', 'cheekPuff_L', 'cheekPuff_R', 'eyeLookDown_L',
  'eyeLookDown_R', 'eyeLookIn_L', 'eyeLookIn_R', 'eyeLookOut_L', 'eyeLookOut_R', 'eyeLookUp_L', 'eyeLookUp_R',
];

/** Model version: part of the model's uri (`builtin:2`) in labels and .rps files. */
export const ICT_MODEL_VERSION = 4;

/**
 * Framing: ICT coordinates are centimetres, y up, looking along +z, like synx's model space, so
 * the conversion is × 10 and a shift along y that puts the midpoint between the eyes' and the
 * mouth's height where the procedural model has it (-6.5 mm), so the face fills the frame at
 * `scale 1` as before. The nose tip stays where ICT puts it (z ≈ 131 mm, as the procedural one),
 * so poses turn the head about a point inside the skull.
 */
export const FRAME_MID_Y_MM = -6.5;

export interface IctBuildOptions {
  /** Identity modes kept (the first k of the SVD); default all 100. */
  readonly identities?: number;
  /** Blendshapes kept (the first k of BLENDSHAPE_ORDER); default all 53. Tests use fewer. */
  readonly blendshapes?: number;
  /** For fast tests only: read just identity000 … identity(k-1) (the SVD is then of those k). */
  readonly identityFiles?: number;
  /** The interior's simplification (default INTERIOR_PARTS): for measuring a lighter or heavier interior. */
  readonly interiorParts?: readonly DecimatePart[];
}

interface VertexIndices {
  expressions: string[];
  idx_to_landmark_verts: number[];
}

function checkIndices(file: string, j: unknown): VertexIndices {
  const o = j as Partial<VertexIndices>;
  if (!o || !Array.isArray(o.expressions) || !Array.isArray(o.idx_to_landmark_verts)) {
    throw new IctInputError(file, "needs the lists 'expressions' and 'idx_to_landmark_verts' (the upstream vertex_indices.json)");
  }
  const known = new Set(BLENDSHAPE_ORDER);
  for (const e of o.expressions) {
    if (typeof e !== 'string' || !known.has(e)) {
      throw new IctInputError(file, `unknown blendshape '${String(e)}' in 'expressions' (synx knows the 53 ARKit names of ICT Face Model Light, e.g. jawOpen, mouthSmile_L)`);
    }
  }
  if (o.idx_to_landmark_verts.length !== 68 || o.idx_to_landmark_verts.some((i) => !Number.isInteger(i) || i < 0 || i >= KEPT_VERTICES)) {
    throw new IctInputError(file, "'idx_to_landmark_verts' must hold 68 vertex indices of the face");
  }
  return o as VertexIndices;
}

/**
 * The interior parts simplified by scripts/ict/decimate.ts, and the share of triangles each keeps.
 * Chosen by what shows at 112 px (over 300 default renders: teeth win pixels in 49% of images,
 * gums and tongue 21%, mouth socket 7%, eye sockets 2%, eyeballs 82%) and checked on contact
 * sheets at 112 and 256 px with open mouths. The eyeballs' colour (sclera, iris, pupil: the colour
 * mean and components) enters the cost, so the iris rim keeps its vertices.
 */
export const INTERIOR_PARTS: readonly DecimatePart[] = [
  { name: 'mouthSocket', range: ICT_RANGES.mouthSocket, keep: 0.08, attributeWeight: 5 },
  { name: 'eyeSockets', range: ICT_RANGES.eyeSockets, keep: 0.2, attributeWeight: 5 },
  { name: 'gumsTongue', range: ICT_RANGES.gumsTongue, keep: 0.1, attributeWeight: 5 },
  { name: 'teeth', range: ICT_RANGES.teeth, keep: 0.1, attributeWeight: 5 },
  { name: 'eyeballLeft', range: ICT_RANGES.eyeballLeft, keep: 0.2, attributeWeight: 25 },
  { name: 'eyeballRight', range: ICT_RANGES.eyeballRight, keep: 0.2, attributeWeight: 25 },
];

/** The most forward (+z) vertex of an inclusive range: an eyeball's pupil centre. */
function mostForward(pos: Float64Array, [a, b]: readonly [number, number]): number {
  let f = a;
  for (let i = a; i <= b; i++) if (pos[3 * i + 2]! > pos[3 * f + 2]!) f = i;
  return f;
}

/**
 * Half-angle of the cone, about the axis from an eyeball's centre to its pupil, whose vertices the
 * simplification keeps: the cornea, iris and the sclera around them (what the lids ever show),
 * with the per-vertex colour that draws the iris rim and pupil. Only the eyeball's back, always
 * inside the socket, is simplified.
 */
export const EYE_FRONT_CONE_DEG = 65;

/** The vertices of an eyeball's front cone (see EYE_FRONT_CONE_DEG). */
function eyeFront(pos: Float64Array, range: readonly [number, number]): number[] {
  const [a, b] = range;
  const c = [0, 0, 0];
  for (let i = a; i <= b; i++) for (let k = 0; k < 3; k++) c[k]! += pos[3 * i + k]! / (b - a + 1);
  const p = mostForward(pos, range);
  const axis = [0, 1, 2].map((k) => pos[3 * p + k]! - c[k]!);
  const la = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
  const cos = Math.cos((EYE_FRONT_CONE_DEG * Math.PI) / 180);
  const out: number[] = [];
  for (let i = a; i <= b; i++) {
    const d = [0, 1, 2].map((k) => pos[3 * i + k]! - c[k]!);
    const dot = d[0]! * axis[0]! + d[1]! * axis[1]! + d[2]! * axis[2]!;
    if (dot > cos * la * Math.hypot(d[0]!, d[1]!, d[2]!)) out.push(i);
  }
  return out;
}

/** Named landmarks (BFM 2017 names; left = the subject's left = +x) from the 68 iBUG points. */
function namedLandmarks(lm68: readonly number[], pos: Float64Array): { name: string; vertex: number }[] {
  const p = (k: number) => lm68[k - 1]!;
  const out: { name: string; vertex: number }[] = [
    { name: 'left.eye.corner_outer', vertex: p(46) },
    { name: 'right.eye.corner_outer', vertex: p(37) },
    { name: 'left.eye.corner_inner', vertex: p(43) },
    { name: 'right.eye.corner_inner', vertex: p(40) },
  ];
  // Pupils: the most forward vertex of each eyeball (pinned by the interior simplification).
  out.push({ name: 'left.eye.pupil.center', vertex: mostForward(pos, ICT_RANGES.eyeballLeft) });
  out.push({ name: 'right.eye.pupil.center', vertex: mostForward(pos, ICT_RANGES.eyeballRight) });
  out.push({ name: 'left.eyebrow.bend.upper', vertex: p(25) }, { name: 'right.eyebrow.bend.upper', vertex: p(20) });
  out.push({ name: 'left.eyebrow.inner_lower', vertex: p(23) }, { name: 'right.eyebrow.inner_lower', vertex: p(22) });
  out.push({ name: 'left.nose.wing.tip', vertex: p(36) }, { name: 'right.nose.wing.tip', vertex: p(32) });
  out.push({ name: 'left.lips.corner', vertex: p(55) }, { name: 'right.lips.corner', vertex: p(49) });
  // Tragus: the skin vertex nearest a point in front of the ear canal, at the height between the
  // eye corners and the nose tip, 6 mm in front of the ear's most lateral point.
  const eyeY = (pos[3 * p(37) + 1]! + pos[3 * p(46) + 1]!) / 2;
  const noseY = pos[3 * p(31) + 1]!;
  for (const side of [1, -1]) {
    let ear = -1;
    for (let i = 0; i <= ICT_RANGES.headNeck[1]; i++) {
      const y = pos[3 * i + 1]!;
      if (y < noseY || y > eyeY) continue;
      if (ear < 0 || side * pos[3 * i]! > side * pos[3 * ear]!) ear = i;
    }
    const tx = pos[3 * ear]! - side * 12;
    const ty = (eyeY + noseY) / 2;
    const tz = pos[3 * ear + 2]! + 12;
    let best = 0;
    let bd = Infinity;
    for (let i = 0; i <= ICT_RANGES.headNeck[1]; i++) {
      if (side * pos[3 * i]! < 40) continue;
      const d = (pos[3 * i]! - tx) ** 2 + (pos[3 * i + 1]! - ty) ** 2 + (pos[3 * i + 2]! - tz) ** 2;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    out.push({ name: `${side > 0 ? 'left' : 'right'}.ear.tragus`, vertex: best });
  }
  out.push({ name: 'center.nose.tip', vertex: p(31) });
  out.push({ name: 'center.nose.attachement_to_philtrum', vertex: p(34) });
  out.push({ name: 'center.lips.upper.outer', vertex: p(52) });
  out.push({ name: 'center.lips.lower.outer', vertex: p(58) });
  out.push({ name: 'center.chin.tip', vertex: p(9) });
  // Forehead: the face vertex nearest the midline 20 mm above the brows' inner ends, most forward
  // (higher up the forehead slopes back: 45 mm up its normal is 35° off the view axis).
  const browY = (pos[3 * p(22) + 1]! + pos[3 * p(23) + 1]!) / 2;
  let fh = 0;
  let fd = Infinity;
  for (let i = 0; i <= ICT_RANGES.face[1]; i++) {
    const d = pos[3 * i]! ** 2 + (pos[3 * i + 1]! - (browY + 20)) ** 2 - 0.01 * pos[3 * i + 2]!;
    if (d < fd) {
      fd = d;
      fh = i;
    }
  }
  out.push({ name: 'center.forehead', vertex: fh });
  // The 68 iBUG / Multi-PIE points, 1-based as in the usual figure.
  lm68.forEach((v, k) => out.push({ name: `ibug68.${String(k + 1).padStart(2, '0')}`, vertex: v }));
  return out;
}

/**
 * Triangles closing the neck's cut (the lowest open boundary loop), so a head seen from below or
 * tipped far back shows a closed neck, not a hole into the inside of the head. The loop is walked
 * against its triangles' edge direction (so the cap's winding agrees with the mesh) and fanned from
 * its first vertex; the cut is nearly planar and convex. No vertex is added: vertex numbers stay
 * the toolkit's.
 */
export function neckCap(tri: readonly number[], pos: Float64Array): number[] {
  const key = (a: number, b: number) => (a < b ? a * 65536 + b : b * 65536 + a);
  const count = new Map<number, number>();
  for (let t = 0; t < tri.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const k = key(tri[t + e]!, tri[t + ((e + 1) % 3)]!);
      count.set(k, (count.get(k) ?? 0) + 1);
    }
  }
  // Reversed boundary edges: next[b] = a for each boundary edge a → b of a triangle.
  const next = new Map<number, number>();
  for (let t = 0; t < tri.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = tri[t + e]!;
      const b = tri[t + ((e + 1) % 3)]!;
      if (count.get(key(a, b)) === 1) next.set(b, a);
    }
  }
  const seen = new Set<number>();
  let best: number[] = [];
  let bestY = Infinity;
  for (const start of [...next.keys()].sort((x, y) => x - y)) {
    if (seen.has(start)) continue;
    const loop: number[] = [];
    let v: number | undefined = start;
    while (v !== undefined && !seen.has(v)) {
      seen.add(v);
      loop.push(v);
      v = next.get(v);
    }
    if (v !== start || loop.length < 3) continue;
    const y = loop.reduce((s, i) => s + pos[3 * i + 1]!, 0) / loop.length;
    if (y < bestY) {
      bestY = y;
      best = loop;
    }
  }
  const cap: number[] = [];
  for (let i = 1; i + 1 < best.length; i++) cap.push(best[0]!, best[i]!, best[i + 1]!);
  return cap;
}

/** What the interior simplification did, per part (for the generator's report and the tests). */
export type InteriorReport = DecimateResult['parts'];

/** Reads an ICT-FaceKit folder (upstream layout) and builds synx's built-in model from it. */
export function buildIctModel(root: string, opts: IctBuildOptions = {}): BuiltinModelSource & { readonly interior: InteriorReport; readonly kept: Uint32Array } {
  const dir = path.join(root, 'FaceXModel');
  const neutralFile = path.join(dir, 'generic_neutral_mesh.obj');
  const neutral = readObjVertices(neutralFile);
  if (neutral.length / 3 !== ICT_VERTEX_COUNT) {
    throw new IctInputError(neutralFile, `has ${neutral.length / 3} vertices; ICT Face Model Light's neutral mesh has ${ICT_VERTEX_COUNT}`);
  }
  const polygons = readObjPolygons(neutralFile, ICT_VERTEX_COUNT);
  const indicesFile = path.join(dir, 'vertex_indices.json');
  const indices = checkIndices(indicesFile, readJson(indicesFile));
  const n = KEPT_VERTICES;
  const n3 = 3 * n;

  // Shift (mm) that frames the face like the procedural model (see FRAME_MID_Y_MM).
  const lm = indices.idx_to_landmark_verts;
  const yAt = (k: number) => 10 * neutral[3 * lm[k - 1]! + 1]!;
  const midY = ((yAt(37) + yAt(46)) / 2 + (yAt(49) + yAt(55)) / 2) / 2;
  const dy = Math.round((FRAME_MID_Y_MM - midY) * 100) / 100;
  const pos = new Float64Array(n3);
  for (let i = 0; i < n; i++) {
    pos[3 * i] = 10 * neutral[3 * i]!;
    pos[3 * i + 1] = 10 * neutral[3 * i + 1]! + dy;
    pos[3 * i + 2] = 10 * neutral[3 * i + 2]!;
  }

  const delta = (file: string): Float64Array => {
    const v = readObjVertices(file, ICT_VERTEX_COUNT);
    const d = new Float64Array(n3);
    for (let i = 0; i < n3; i++) d[i] = 10 * (v[i]! - neutral[i]!);
    return d;
  };

  // Shape: SVD of the 100 identity deltas; mode j's field is U_j S_j (one sd), variance S_j².
  const ids: Float64Array[] = [];
  const files = Math.min(opts.identityFiles ?? ICT_IDENTITIES, ICT_IDENTITIES);
  for (let i = 0; i < files; i++) ids.push(delta(path.join(dir, `identity${String(i).padStart(3, '0')}.obj`)));
  const { modes } = principalModes(ids);
  const keepShape = Math.min(opts.identities ?? files, files);
  const shape = modes.slice(0, keepShape).map((m, j) => ({ name: `identity mode ${j + 1}`, field: Float32Array.from(m) }));

  // Expression: blendshape deltas (activation 1 = the upstream file), in BLENDSHAPE_ORDER.
  const listed = new Set(indices.expressions);
  const order = BLENDSHAPE_ORDER.filter((b) => listed.has(b)).slice(0, opts.blendshapes ?? BLENDSHAPE_ORDER.length);
  const expression = order.map((name) => ({ name, field: Float32Array.from(delta(path.join(dir, `${name}.obj`))) }));

  // Triangles: every polygon whose vertices are all kept, fanned from its first vertex.
  const tri: number[] = [];
  const allTri: number[] = [];
  for (const p of polygons) {
    const kept = p.every((v) => v < n);
    for (let k = 1; k + 1 < p.length; k++) {
      allTri.push(p[0]!, p[k]!, p[k + 1]!);
      if (kept) tri.push(p[0]!, p[k]!, p[k + 1]!);
    }
  }

  tri.push(...neckCap(tri, pos));

  const colour = buildIctColourModel({ neutral: Float32Array.from(neutral), triangles: Uint32Array.from(allTri), vertexIndices: indices });
  const identityColour = colour.components.filter((c) => c.per === 'identity');
  const imageColour = colour.components.filter((c) => c.per === 'image');
  const colourFields = [...identityColour, ...imageColour];

  // Interior parts simplified to a subset of their vertices; face and head keep their numbers
  // (0 … 11247, before every interior range), interior vertices are renumbered in order.
  const simplified = decimateParts({
    positions: pos,
    triangles: tri,
    parts: opts.interiorParts ?? INTERIOR_PARTS,
    attributes: [colour.mean, ...colourFields.map((c) => c.field)],
    pinned: [...eyeFront(pos, ICT_RANGES.eyeballLeft), ...eyeFront(pos, ICT_RANGES.eyeballRight)],
  });
  const { kept, newIndex } = keptVertices(simplified.removed);
  const renumber = (v: number): number => {
    const k = newIndex[v]!;
    if (k < 0) throw new Error(`buildIctModel: vertex ${v} was simplified away but is referenced`);
    return k;
  };
  const landmarks = namedLandmarks(lm, pos).map((l) => ({ name: l.name, vertex: renumber(l.vertex) }));
  const triangles = simplified.triangles.map(renumber);
  // The face, head and neck keep their numbers (0 … ICT_RANGES.headNeck[1]) and their triangles
  // come first; from the first triangle that reaches the interior on, the renderer tests
  // triangles against a coarse depth buffer (the interior shows only through the mouth and eyes).
  const firstInterior = triangles.findIndex((v) => v > ICT_RANGES.headNeck[1]);
  const sub = (f: Float32Array | Float64Array) => subsetField(f instanceof Float32Array ? f : Float32Array.from(f), kept);

  return {
    interior: simplified.parts,
    kept,
    shapeMean: sub(pos),
    colorMean: sub(colour.mean),
    triangles,
    ...(firstInterior >= 0 ? { hiddenFrom: Math.floor(firstInterior / 3) } : {}),
    shape: shape.map((s) => ({ name: s.name, field: sub(s.field) })),
    color: colourFields.map((c) => ({ name: c.name, field: sub(c.field) })),
    colorPer: [...identityColour.map(() => 'identity' as const), ...imageColour.map(() => 'image' as const)],
    ...colorPriorOf(colourFields),
    expression: expression.map((e) => ({ name: e.name, field: sub(e.field) })),
    expressionPrior: ICT_EXPRESSION_PRIOR,
    landmarks,
    // Quantisation steps: 2 µm for geometry, 1/4096 for albedo (a thirtieth of an 8-bit level).
    steps: { shape: 0.002, color: 1 / 4096, expression: 0.002 },
    version: ICT_MODEL_VERSION,
    note:
      'Derived from ICT Face Model Light (ICT-FaceKit, USC Institute for Creative Technologies, MIT license: ' +
      'see LICENSE-ICT-FaceKit and CREDITS.md) by scripts/gen-ict-model.ts: face, head and neck, mouth and eye ' +
      'sockets, gums, tongue, teeth and eyeballs in mm (the mouth interior, eye sockets and the eyeballs\' backs simplified ' +
      'to a subset of their vertices by scripts/ict/decimate.ts); shape = the 100 identity modes orthonormalised by SVD ' +
      '(N(0, 1) coefficients reproduce the toolkit distribution); expression = the 53 ARKit blendshapes, weights in ' +
      `[0, 1] drawn by the expression prior. Colour: ${colour.note}`,
  };
}
