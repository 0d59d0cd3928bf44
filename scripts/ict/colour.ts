import { mulberry32Rng, type Rng } from '../../src/rng/index.js';
import { ambientOcclusion, polygonSignedDistance, segmentDistance, smoothstep, vertexNormals } from './colour-geometry.js';
import { skinColour, type SkinParams } from './colour-skin.js';
import { ICT_RANGES, ICT_VERTEX_COUNT, regionOf, type IctRegion } from './regions.js';

/**
 * The colour model of synx's ICT-derived default face (ICT Face Model Light has no albedo): a
 * per-vertex mean albedo and linear components, built from the neutral mesh alone. See
 * docs/colour-model.md for the design, the references and the measured numbers.
 *
 * Colour space: the renderer multiplies albedo by the spherical-harmonics irradiance and writes
 * the result to 8-bit pixels without a transfer curve (src/render/renderer.ts), as BFM's colour
 * model is used. So the albedo here holds sRGB-encoded values (what a photo of the skin under
 * white light stores), and every component is linear in those values. Only the skin-tone prior
 * is computed in linear light (spectra) and then encoded.
 */

/** What the generator hands over: the ICT neutral mesh in its own numbering. */
export interface IctColourInput {
  /** 3 × 26719 ICT vertex coordinates as in the obj (cm). */
  neutral: Float32Array;
  /** Triangulated ICT faces, full 26719 numbering, 0-based. */
  triangles: Uint32Array;
  /** Parsed vertex_indices.json (only `idx_to_landmark_verts` is read). */
  vertexIndices: unknown;
}

/**
 * The colour model: albedo = mean + Σ_j field_j · c_j with c_j ~ N(0, 1) drawn per identity or per
 * image; the renderer clamps the shaded result to [0, 1].
 */
/**
 * The model's `colorPrior` for `components` in the model's order: absent when every one is normal,
 * so a model without rectified components keeps the bytes it had before the field existed.
 */
export function colorPriorOf(components: readonly { readonly prior?: 'rectified' }[]): { colorPrior?: ('normal' | 'rectified')[] } {
  return components.some((c) => c.prior === 'rectified') ? { colorPrior: components.map((c) => c.prior ?? 'normal') } : {};
}

export interface IctColourModel {
  /** 3 × 26719 albedo values in [0, 1] (sRGB-encoded, see above). */
  mean: Float32Array;
  /** Displacement of one standard deviation, 3 × 26719 each; identity components first. */
  components: { name: string; field: Float32Array; per: 'identity' | 'image'; prior?: 'rectified' }[];
  note: string;
}

// The vertex ranges and the region lookup live in regions.ts, shared with the geometry generator.
export { ICT_RANGES, ICT_VERTEX_COUNT, regionOf };
export type { IctRegion };

// ---------------------------------------------------------------------------------------------
// Skin-tone prior

/**
 * The skin population the tone components are fitted to (a grid, so no sampling noise): melanin
 * volume fraction log-uniform in [0.012, 0.25] (ITA° from about 65°, very light, to about -60°,
 * dark: the whole range Del Bino & Bernerd 2013 report), blood volume fraction log-uniform in
 * [0.004, 0.05], eumelanin share of the melanin uniform in [0.6, 1].
 */
export const SKIN_POPULATION = { melanin: [0.012, 0.25], blood: [0.004, 0.05], eumelanin: [0.6, 1] } as const;

/** Mean, principal axes (per sd) and variances of the skin population's colours. */
export interface SkinTonePrior {
  readonly mean: [number, number, number];
  /** Axes scaled to one standard deviation, largest first. */
  readonly axes: [number, number, number][];
  readonly variances: number[];
  /** Share of the population's total colour variance along each axis. */
  readonly shares: number[];
  /** The population's colours (for tests and the doc's numbers). */
  readonly samples: [number, number, number][];
}

/** The ranges of the skin population (see SKIN_POPULATION); the eumelanin share is fixed. */
export interface SkinRanges {
  readonly melanin: readonly [number, number];
  readonly blood: readonly [number, number];
}

/** Fits the principal axes of the skin population's colours (SKIN_POPULATION unless `ranges` say otherwise). */
export function skinTonePrior(ranges: SkinRanges = SKIN_POPULATION): SkinTonePrior {
  const samples: [number, number, number][] = [];
  const steps = { melanin: 32, blood: 8, eumelanin: 5 };
  const logGrid = (lo: number, hi: number, n: number, i: number) => Math.exp(Math.log(lo) + ((i + 0.5) / n) * (Math.log(hi) - Math.log(lo)));
  for (let m = 0; m < steps.melanin; m++) {
    for (let b = 0; b < steps.blood; b++) {
      for (let e = 0; e < steps.eumelanin; e++) {
        const p: SkinParams = {
          melanin: logGrid(ranges.melanin[0], ranges.melanin[1], steps.melanin, m),
          blood: logGrid(ranges.blood[0], ranges.blood[1], steps.blood, b),
          eumelanin: SKIN_POPULATION.eumelanin[0] + ((e + 0.5) / steps.eumelanin) * (SKIN_POPULATION.eumelanin[1] - SKIN_POPULATION.eumelanin[0]),
        };
        samples.push(skinColour(p));
      }
    }
  }
  const mean: [number, number, number] = [0, 0, 0];
  for (const s of samples) for (let k = 0; k < 3; k++) mean[k] = mean[k]! + s[k]! / samples.length;
  const cov = new Float64Array(9);
  for (const s of samples) {
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) cov[3 * a + b] = cov[3 * a + b]! + ((s[a]! - mean[a]!) * (s[b]! - mean[b]!)) / samples.length;
  }
  const { values, vectors } = symmetricEigen3(cov);
  const total = values.reduce((a, b) => a + b, 0);
  const axes = vectors.map((vec, j) => {
    // Signs: the first axis darkens, the second warms (more red, less blue), the third reddens.
    const ref = j === 0 ? [-1, -1, -1] : j === 1 ? [1, 0, -1] : [1, -1, 0];
    const sign = vec[0]! * ref[0]! + vec[1]! * ref[1]! + vec[2]! * ref[2]! < 0 ? -1 : 1;
    const sd = Math.sqrt(Math.max(0, values[j]!));
    return vec.map((x) => sign * sd * x) as [number, number, number];
  });
  return { mean, axes, variances: values, shares: values.map((v) => v / total), samples };
}

/**
 * Unit direction in which more blood moves a mid-tone skin's colour: the skin model at melanin
 * 5.5% (the population's geometric mean), blood 0.7% → 2.8%. About (-0.46, -0.86, -0.24): darker,
 * mostly in green, so redder.
 */
export function bloodDirection(): [number, number, number] {
  const a = skinColour({ melanin: 0.055, eumelanin: 0.8, blood: 0.007 });
  const b = skinColour({ melanin: 0.055, eumelanin: 0.8, blood: 0.028 });
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const l = Math.hypot(d[0]!, d[1]!, d[2]!);
  return [d[0]! / l, d[1]! / l, d[2]! / l];
}

/** Eigenvalues (descending) and unit eigenvectors of a symmetric 3 × 3 matrix (cyclic Jacobi). */
export function symmetricEigen3(m: Float64Array): { values: number[]; vectors: number[][] } {
  const a = Array.from(m);
  const v = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[1]! ** 2 + a[2]! ** 2 + a[5]! ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = a[3 * p + q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[3 * q + q]! - a[3 * p + p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[3 * k + p]!;
        const akq = a[3 * k + q]!;
        a[3 * k + p] = c * akp - s * akq;
        a[3 * k + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[3 * p + k]!;
        const aqk = a[3 * q + k]!;
        a[3 * p + k] = c * apk - s * aqk;
        a[3 * q + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p]!;
        const vkq = v[3 * k + q]!;
        v[3 * k + p] = c * vkp - s * vkq;
        v[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => a[3 * j + j]! - a[3 * i + i]!);
  return { values: order.map((i) => a[3 * i + i]!), vectors: order.map((i) => [v[i]!, v[3 + i]!, v[6 + i]!]) };
}

// ---------------------------------------------------------------------------------------------
// Regions on the mesh

/** Per-vertex weights in [0, 1] of the regions the colour model paints. */
export interface ColourMasks {
  /** Skin (face, head and neck). */
  readonly skin: Float32Array;
  readonly lips: Float32Array;
  readonly brows: Float32Array;
  /**
   * Signed changes of the brow mask: per 12% of width (thicker minus thinner, halved) and per
   * 0.6 mm of arch (raised minus lowered, halved). Centred differences, so a component's negative
   * sd thins or lowers the brow as its positive one thickens or raises it.
   */
  readonly browThickness: Float32Array;
  readonly browArch: Float32Array;
  /** Lash line along the upper and lower lids. */
  readonly lashLine: Float32Array;
  readonly underEye: Float32Array;
  readonly cheeks: Float32Array;
  /** Nose tip and wings, and the ears: where skin reddens first. */
  readonly noseEars: Float32Array;
  readonly ears: Float32Array;
  /** Beard region: upper lip, chin, jaw and lower cheeks. */
  readonly beard: Float32Array;
  /** Scalp above the hairline. */
  readonly scalp: Float32Array;
  /**
   * Signed changes of the scalp mask (centred differences, as above): per 6 mm lower hairline at
   * the front, and per 1 cm longer hair at the sides and the back. Shifts stay below the width of
   * the hairline's transition (2 cm at the front, 3.2 cm at the nape), so -2 sd does not paint a
   * pale band.
   */
  readonly hairlineFront: Float32Array;
  readonly hairlineBack: Float32Array;
  /** Signed change of the scalp mask per 5 mm tilt of the front hairline (left down, right up). */
  readonly hairlineTilt: Float32Array;
  /** Sun-exposed skin: forehead, nose, cheeks (for the per-image tan). */
  readonly sunExposed: Float32Array;
  readonly iris: Float32Array;
  readonly pupil: Float32Array;
  readonly sclera: Float32Array;
}

function landmarkIndices(vertexIndices: unknown): number[] {
  const list = (vertexIndices as { idx_to_landmark_verts?: unknown } | null)?.idx_to_landmark_verts;
  if (!Array.isArray(list) || list.length !== 68 || !list.every((i) => Number.isInteger(i) && i >= 0 && i < ICT_VERTEX_COUNT)) {
    throw new Error(`vertex_indices.json: 'idx_to_landmark_verts' must list 68 vertex indices below ${ICT_VERTEX_COUNT} (the ICT-FaceKit file does); fix or replace the file`);
  }
  return list as number[];
}

/** Distance in the x–y plane to a polyline, with the parameter (0 … segments) along it. */
function polylineDistance(x: number, y: number, pts: readonly (readonly [number, number])[]): { d: number; s: number } {
  let best = { d: Infinity, s: 0 };
  for (let i = 0; i + 1 < pts.length; i++) {
    const r = segmentDistance(x, y, pts[i]![0], pts[i]![1], pts[i + 1]![0], pts[i + 1]![1]);
    if (r.d < best.d) best = { d: r.d, s: i + r.t };
  }
  return best;
}

/** A Gaussian bump cut to zero beyond 3 sd, so regions have compact support. */
/** Piecewise-linear interpolation through (x, y) knots sorted by x, constant beyond them. */
function piecewise(x: number, knots: readonly (readonly [number, number])[]): number {
  if (x <= knots[0]![0]) return knots[0]![1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i]!;
    if (x <= x1) {
      const [x0, y0] = knots[i - 1]!;
      return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  return knots[knots.length - 1]![1];
}

const gauss = (t: number) => Math.exp(-0.5 * t * t) * smoothstep(3, 2.5, Math.abs(t));

/** Computes the region masks from the neutral mesh and its 68 landmarks. */
export function colourMasks(pos: Float32Array, landmarks: readonly number[], settings: ColourSettings = COLOUR_SETTINGS): ColourMasks {
  const n = pos.length / 3;
  const mk = () => new Float32Array(n);
  const m = {
    skin: mk(), lips: mk(), brows: mk(), browThickness: mk(), browArch: mk(), lashLine: mk(), underEye: mk(), cheeks: mk(),
    noseEars: mk(), ears: mk(), beard: mk(), scalp: mk(), hairlineFront: mk(), hairlineBack: mk(), hairlineTilt: mk(), sunExposed: mk(), iris: mk(), pupil: mk(), sclera: mk(),
  };
  const L = (k: number): [number, number, number] => {
    const v = landmarks[k]!;
    return [pos[3 * v]!, pos[3 * v + 1]!, pos[3 * v + 2]!];
  };
  const xy = (k: number): [number, number] => [L(k)[0], L(k)[1]];
  const lipOuter = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59].map(xy);
  const lipFrontZ = Math.min(L(48)[2], L(54)[2]) - 0.8;
  // Brows from the outer end (17 / 26) to the inner (21 / 22); the iBUG points run along the brow's
  // upper edge, so the band sits a little below them.
  const browR = [17, 18, 19, 20, 21].map(xy);
  const browL = [26, 25, 24, 23, 22].map(xy);
  const eyeR = [36, 37, 38, 39, 40, 41].map(xy);
  const eyeL = [45, 44, 43, 42, 47, 46].map(xy);
  const eyeCentre = (pts: [number, number][]) => [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length] as const;
  const ecR = eyeCentre(eyeR);
  const ecL = eyeCentre(eyeL);
  const eyeZ = L(39)[2];
  const noseTip = L(30);
  const nostrilY = L(33)[1];
  const mouthY = (L(51)[1] + L(57)[1]) / 2;
  const chinY = L(8)[1];
  const browY = (L(19)[1] + L(24)[1]) / 2;
  const earZ = (L(0)[2] + L(16)[2]) / 2;
  const faceHalfWidth = (L(16)[0] - L(0)[0]) / 2;
  const earMidY = (L(0)[1] + L(2)[1]) / 2;
  let zMin = Infinity;
  let zMax = -Infinity;
  for (let v = ICT_RANGES.headNeck[0]; v <= ICT_RANGES.headNeck[1]; v++) {
    zMin = Math.min(zMin, pos[3 * v + 2]!);
    zMax = Math.max(zMax, pos[3 * v + 2]!);
  }
  const headCentreZ = (Math.max(zMax, L(30)[2]) + zMin) / 2;

  for (let v = 0; v < n; v++) {
    const region = regionOf(v);
    const x = pos[3 * v]!;
    const y = pos[3 * v + 1]!;
    const z = pos[3 * v + 2]!;
    const ax = Math.abs(x);
    if (region === 'face' || region === 'headNeck') {
      m.skin[v] = 1;
      const front = smoothstep(earZ - 1, earZ + 2, z);
      // Lips: inside the outer lip contour, softened over 1.5 mm, only on the front of the mouth.
      const sd = polygonSignedDistance(x, y, lipOuter);
      m.lips[v] = smoothstep(0.12, -0.1, sd) * smoothstep(lipFrontZ - 0.6, lipFrontZ, z);
      // Brows: a band below the landmark line, thicker at the inner end, tapering at both ends.
      const browMask = (drop: number, widen: number, lift: number) => {
        let best = 0;
        for (const line of [browR, browL]) {
          const shifted = line.map(([px, py], i) => [px, py - drop + lift * Math.sin((Math.PI * i) / (line.length - 1)) ** 0.7] as const);
          const { d, s } = polylineDistance(x, y, shifted);
          const t = s / (line.length - 1);
          const half = widen * (0.2 + 0.2 * t);
          const ends = smoothstep(-0.35, 0.1, s === 0 ? -Math.hypot(x - shifted[0]![0], y - shifted[0]![1]) : 0.1) * smoothstep(-0.45, 0.05, s === line.length - 1 ? -Math.hypot(x - shifted[line.length - 1]![0], y - shifted[line.length - 1]![1]) : 0.05);
          best = Math.max(best, smoothstep(half + 0.12, half - 0.08, d) * ends);
        }
        return best * smoothstep(eyeZ - 3, eyeZ - 1.5, z);
      };
      m.brows[v] = browMask(0.2, 1, 0);
      m.browThickness[v] = (browMask(0.2, 1.12, 0) - browMask(0.2, 0.88, 0)) / 2;
      m.browArch[v] = (browMask(0.2, 1, 0.06) - browMask(0.2, 1, -0.06)) / 2;
      // Lash line: the lid contour itself, 1 mm either side.
      let lid = Infinity;
      for (const e of [eyeR, eyeL]) lid = Math.min(lid, polylineDistance(x, y, [...e, e[0]!]).d);
      m.lashLine[v] = smoothstep(settings.lashWidth + 0.11, settings.lashWidth, lid) * smoothstep(eyeZ - 1.5, eyeZ - 0.8, z);
      // Under the eyes: a crescent below the lower lid.
      let under = 0;
      for (const c of [ecR, ecL]) under = Math.max(under, gauss((x - c[0]) / 0.95) * gauss((y - (c[1] - 0.75)) / 0.35));
      m.underEye[v] = under * smoothstep(0.05, 0.2, lid) * front;
      // Cheeks: broad blobs on the cheekbones.
      let cheek = 0;
      for (const sx of [-1, 1]) cheek = Math.max(cheek, gauss((x - sx * 0.55 * faceHalfWidth) / 1.5) * gauss((y - (nostrilY + 0.3)) / 1.3));
      m.cheeks[v] = cheek * front;
      // Ears: the outer sides of the head around the ear landmarks' height and depth.
      const ear = smoothstep(0.8 * faceHalfWidth, 0.92 * faceHalfWidth, ax) * gauss((y - (L(0)[1] + L(2)[1]) / 2) / 2.2) * gauss((z - (earZ - 3)) / 2.2);
      m.ears[v] = region === 'face' ? 0 : ear;
      const nose = gauss(Math.hypot(x - noseTip[0], y - (noseTip[1] - 0.6)) / 1.1) * smoothstep(noseTip[2] - 3, noseTip[2] - 1.5, z);
      m.noseEars[v] = Math.max(nose, m.ears[v]!);
      // Beard: upper lip (between nose and lips), chin and jaw below a line from the ear lobe to
      // the nose wings; fades out down the neck and towards the ears.
      // The upper edge runs from the nose wings up to the sideburns at mid-ear height.
      const t = smoothstep(2, 0.95 * faceHalfWidth, ax);
      const cheekLine = nostrilY - 0.7 + t * (L(1)[1] - nostrilY + 0.7);
      const belowCheeks = smoothstep(cheekLine + 0.6, cheekLine - 0.6, y);
      const neckFade = smoothstep(chinY - 4.5, chinY - 2.5, y);
      const sideFade = smoothstep(earZ - 0.5, earZ + 1.5, z);
      // A gap of bare skin between the moustache and the nose, and between moustache and lips.
      const upperLip = Math.max(smoothstep(nostrilY - 0.15, nostrilY - 0.5, y), smoothstep(1.8, 2.8, ax));
      m.beard[v] = belowCheeks * neckFade * sideFade * upperLip * (1 - m.lips[v]!) * smoothstep(0.1, 0.3, sd);
      // Scalp: above a hairline given by its height at azimuths around the head's vertical axis
      // (0° = straight ahead): 4.5 cm above the brows at the front, receding at the temples,
      // down to mid-ear in front of the ears (sideburns), over the ears and down to the nape.
      // `front` / `back` lower it there (cm); the transition widens towards the back.
      const phi = (Math.atan2(ax, z - headCentreZ) * 180) / Math.PI;
      const fz = smoothstep(110, 50, phi);
      const base = piecewise(phi, [[0, browY + 4.5], [30, browY + 4.1], [50, browY + 2.8], [62, browY + 1], [70, earMidY], [82, earMidY], [100, browY], [125, earMidY - 2], [180, earMidY - 4.5]]);
      const hairline = (front: number, back: number) => {
        const h = base - fz * front - (1 - fz) * back;
        const w = settings.hairlineWidth * (1 + 0.6 * (1 - fz));
        return smoothstep(h - w, h + w, y) * (1 - m.ears[v]!);
      };
      m.scalp[v] = hairline(0, 0);
      m.hairlineFront[v] = (hairline(0.6, 0) - hairline(-0.6, 0)) / 2;
      m.hairlineBack[v] = (hairline(0, 1) - hairline(0, -1)) / 2;
      // Asymmetry (a side parting, a swept fringe): the front hairline lower on the subject's
      // left (+x) and higher on the right, by up to 0.5 cm per sd at the temples.
      const side = 0.5 * Math.max(-1, Math.min(1, x / 4));
      m.hairlineTilt[v] = (hairline(side, 0) - hairline(-side, 0)) / 2;
      m.sunExposed[v] = front * smoothstep(chinY - 0.5, chinY + 2, y) * (1 - m.scalp[v]!);
    } else if (region === 'eyeballLeft' || region === 'eyeballRight') {
      // Filled below, once the eyeball's centre is known.
    }
  }
  // Eyes: the iris and pupil around each eyeball's most forward direction (+z).
  for (const r of ['eyeballLeft', 'eyeballRight'] as const) {
    const [a, b] = ICT_RANGES[r];
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let v = a; v <= b; v++) {
      for (let k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k]!, pos[3 * v + k]!);
        hi[k] = Math.max(hi[k]!, pos[3 * v + k]!);
      }
    }
    const radius = (hi[0]! - lo[0]!) / 2;
    const c = [(lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2, hi[2]! - radius];
    for (let v = a; v <= b; v++) {
      const dx = pos[3 * v]! - c[0]!;
      const dy = pos[3 * v + 1]! - c[1]!;
      const dz = pos[3 * v + 2]! - c[2]!;
      const theta = Math.atan2(Math.hypot(dx, dy), dz);
      m.pupil[v] = smoothstep(0.2, 0.15, theta);
      m.iris[v] = smoothstep(settings.irisEdge[1], settings.irisEdge[0], theta) * (1 - m.pupil[v]!);
      m.sclera[v] = 1 - m.iris[v]! - m.pupil[v]!;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// The model

type Rgb = readonly [number, number, number];

const HAIR_MEAN: Rgb = [0.17, 0.12, 0.09];
/** One sd of hair colour: dark brown ↔ black at -2 sd, light brown at +2 sd. */
const HAIR_AXIS: Rgb = [0.08, 0.056, 0.04];
const PUPIL: Rgb = [0.03, 0.03, 0.03];
/**
 * Iris: a medium brown mean (brown eyes are the large majority worldwide); one axis from dark
 * brown (-2 sd) to light brown (+2 sd), one from amber (-2 sd) to grey-blue (+2 sd).
 */
const IRIS_MEAN: Rgb = [0.25, 0.18, 0.13];
const IRIS_LIGHT: Rgb = [0.045, 0.032, 0.02];
const IRIS_BLUE: Rgb = [-0.03, 0.025, 0.055];
const MOUTH: Rgb = [0.5, 0.24, 0.24];
const GUMS_TONGUE: Rgb = [0.74, 0.4, 0.4];
const TEETH: Rgb = [0.88, 0.84, 0.74];
const EYE_SOCKET: Rgb = [0.55, 0.33, 0.32];
const LID_MARGIN: Rgb = [0.78, 0.55, 0.52];
/** Multiplicative tints of the skin colour in regions. */
const LIP_TINT: Rgb = [0.93, 0.68, 0.74];
const CHEEK_TINT: Rgb = [1.0, 0.95, 0.95];
const NOSE_EAR_TINT: Rgb = [1.0, 0.94, 0.94];
const UNDER_EYE_TINT: Rgb = [0.9, 0.87, 0.9];
/** Mean hair cover of the brows. */
const BROW_COVER = 0.7;
/** Ambient occlusion: rays per vertex and reach (cm). */
const AO_RAYS = 48;
const AO_REACH_CM = 4;

/**
 * The settings of the colour model that are a judgement rather than a measurement, in one place
 * so that bench/realism-profile.ts can build variants of the model (in memory) and measure what
 * each costs or buys; COLOUR_SETTINGS are the shipped model's.
 */
export interface ColourSettings {
  readonly sclera: Rgb;
  /** Angular radius of the iris's edge seen from the eyeball's centre: fully iris up to [0], none beyond [1] (rad). */
  readonly irisEdge: readonly [number, number];
  /** Mean hair cover of the scalp, and one sd of it (the identity component). */
  readonly scalpCover: number;
  readonly scalpSd: number;
  /** Mean hair cover of the beard region, and one sd of it. */
  readonly beardCover: number;
  readonly beardSd: number;
  /**
   * 1: the beard component is rectified (its coefficient max(0, z): no beard on half the faces,
   * `beardSd` of cover per sd on the rest); 0: a normal component around `beardCover`.
   */
  readonly beardRectified: number;
  /** Hair cover of the lash line along the lids, and its half-width (cm, softened over 0.11). */
  readonly lashCover: number;
  readonly lashWidth: number;
  /** Multiplies the width of the hairline's transition (2 cm at the front, 3.2 cm at the nape). */
  readonly hairlineWidth: number;
  /** How much of the ambient occlusion darkens the albedo (skin, sockets, mouth). */
  readonly occlusion: number;
  /** Share of `occlusion` the eyeballs take (see occlusion()). */
  readonly eyeballOcclusion: number;
  /** The skin population's melanin and blood volume fractions (log-uniform ranges; SKIN_POPULATION). */
  readonly skinMelanin: readonly [number, number];
  readonly skinBlood: readonly [number, number];
}

export const COLOUR_SETTINGS: ColourSettings = {
  sclera: [0.88, 0.85, 0.81],
  irisEdge: [0.5, 0.56],
  // Scalp: 0.685 ± 0.27 cover: -2.5 sd bald, +1.2 sd fully covered (short hair); beyond, the
  // linear model darkens the hair a little further. The mean was 0.55 (half the scalp's skin
  // showing on a typical head, a thinning buzz cut on most people); with more cover more heads
  // read as having hair, which at profile is much of what a face detector sees (docs/realism.md,
  // "A beard on half the faces, more hair").
  scalpCover: 0.685,
  scalpSd: 0.27,
  // Beard: rectified, none on half the faces (most women, shaved men), 0.18 cover per sd of the
  // upper half on the rest: a light shadow at +0.5 sd, a dense stubble (0.36) at +2 sd. A normal
  // prior (0.15 ± 0.1, none below -1.5 sd) put a grey-brown patch on 93% of faces, which at
  // profile, where the cheek is most of the face, cost 5 points of detection; a fainter normal one
  // (0.05 ± 0.05) found those profiles but made different people look more alike to face-api
  // (docs/realism.md, "The colour model's parts at profile"). Present or absent is itself a trait
  // that tells people apart.
  beardCover: 0,
  beardSd: 0.18,
  beardRectified: 1,
  lashCover: 0.6,
  lashWidth: 0.03,
  hairlineWidth: 1,
  occlusion: 0.85,
  eyeballOcclusion: 0.4,
  // A face's blood range (1.5-8%) with melanin from 1.5% brings light skin to measured faces'
  // lightness and redness but narrows the skin-tone spread by 11%: the quickstart's network lost
  // 7 points of rank-1 and face-api's profile detection 5 (docs/realism.md, "Skin tone and
  // face-api's distances"). Kept as measured on the forearm until a release re-tunes for it.
  skinMelanin: SKIN_POPULATION.melanin,
  skinBlood: SKIN_POPULATION.blood,
};

/** A fraction range in percent as the model's note writes it: [0.012, 0.25] → `1.2-25`. */
function percentRange(r: readonly [number, number]): string {
  return r.map((v) => Number((100 * v).toPrecision(3))).join('-');
}

/** Builds the colour model from the neutral mesh (deterministic: same input, same bytes). */
export function buildIctColourModel(input: IctColourInput, settings: ColourSettings = COLOUR_SETTINGS): IctColourModel {
  const { neutral, triangles } = input;
  if (neutral.length !== 3 * ICT_VERTEX_COUNT) {
    throw new Error(`ICT colour model: the neutral mesh has ${neutral.length / 3} vertices, expected ${ICT_VERTEX_COUNT} (generic_neutral_mesh.obj of ICT Face Model Light)`);
  }
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i]! >= ICT_VERTEX_COUNT) throw new Error(`ICT colour model: triangle corner ${i} refers to vertex ${triangles[i]}, beyond the mesh's ${ICT_VERTEX_COUNT} vertices`);
  }
  const landmarks = landmarkIndices(input.vertexIndices);
  const n = ICT_VERTEX_COUNT;
  const masks = colourMasks(neutral, landmarks, settings);
  const ao = occlusion(neutral, triangles, settings);
  const prior = skinTonePrior({ melanin: settings.skinMelanin, blood: settings.skinBlood });

  // Per vertex: the weight of skin colour (1 - hair cover), its regional tint, and a fixed colour
  // for what is not skin (eyes, mouth, teeth), all darkened by the ambient occlusion.
  const skinW = new Float32Array(3 * n);
  const toneW = new Float32Array(3 * n);
  const hairW = new Float32Array(n);
  const mean = new Float32Array(3 * n);
  for (let v = 0; v < n; v++) {
    const region = regionOf(v);
    let fixed: Rgb = [0, 0, 0];
    let skin = 0;
    let hair = 0;
    let dense = 0;
    let tint: [number, number, number] = [1, 1, 1];
    const mixTint = (t: Rgb, w: number) => {
      for (let k = 0; k < 3; k++) tint[k] = tint[k]! * (1 - w + w * t[k]!);
    };
    if (region === 'face' || region === 'headNeck') {
      mixTint(LIP_TINT, masks.lips[v]!);
      mixTint(CHEEK_TINT, masks.cheeks[v]!);
      mixTint(NOSE_EAR_TINT, masks.noseEars[v]!);
      mixTint(UNDER_EYE_TINT, masks.underEye[v]!);
      dense = Math.min(1, BROW_COVER * masks.brows[v]! + settings.lashCover * masks.lashLine[v]!);
      hair = Math.min(1, dense + settings.scalpCover * masks.scalp[v]! + settings.beardCover * masks.beard[v]!);
      skin = 1 - hair;
    } else if (region === 'eyeballLeft' || region === 'eyeballRight') {
      const s = masks.sclera[v]!;
      const i = masks.iris[v]!;
      const p = masks.pupil[v]!;
      fixed = [0, 1, 2].map((k) => s * settings.sclera[k]! + i * IRIS_MEAN[k]! + p * PUPIL[k]!) as unknown as Rgb;
    } else if (region === 'mouthSocket') fixed = MOUTH;
    else if (region === 'gumsTongue') fixed = GUMS_TONGUE;
    else if (region === 'teeth') fixed = TEETH;
    else if (region === 'eyeSockets') fixed = EYE_SOCKET;
    else if (region === 'eyelashes') hair = 1;
    else {
      // Lacrimal fluid, eye blend and eye occlusion: thin wet layers at the lid margin.
      fixed = LID_MARGIN;
    }
    if (region === 'eyelashes') tint = [1, 1, 1];
    hairW[v] = hair;
    for (let k = 0; k < 3; k++) {
      skinW[3 * v + k] = ao[v]! * skin * tint[k]!;
      // The skin-tone axes act mostly under the scalp's and the beard's hair: cover × skin is a
      // product a linear model cannot hold, and a bald scalp (cover drawn low) must not stay pale
      // on a dark face. Hair then follows the skin: lighter with fair skin, darker with dark skin,
      // as it tends to. Under the mean scalp cover (0.685) 73%, under the dense brows and lash
      // lines less: with more hair the mean is darker there, and +2 sd of melanin must stay >= 0.
      toneW[3 * v + k] = region === 'face' || region === 'headNeck' ? ao[v]! * tint[k]! * (1 - 0.6 * dense - 0.4 * (hair - dense)) : 0;
      mean[3 * v + k] = ao[v]! * (skin * tint[k]! * prior.mean[k]! + hair * HAIR_MEAN[k]! + fixed[k]!);
    }
  }

  const components: IctColourModel['components'] = [];
  const field = (fn: (v: number, k: number) => number): Float32Array => {
    const f = new Float32Array(3 * n);
    for (let v = 0; v < n; v++) for (let k = 0; k < 3; k++) f[3 * v + k] = fn(v, k);
    return f;
  };
  const add = (name: string, per: 'identity' | 'image', f: Float32Array, prior?: 'rectified') => components.push({ name, field: f, per, ...(prior ? { prior } : {}) });
  // Hair over skin: covering a region by `w` more moves it from the skin colour towards the hair's.
  // The skin it moves from is taken 1 sd darker than the mean: cover × skin is a product, and
  // with the mean skin a bald scalp (cover drawn low) on a dark face would turn paler than the
  // face. This way a bald scalp matches a darkish face and shows a faint stubble shadow on a fair
  // one (as shaved heads do).
  const coverFrom = prior.mean.map((m, k) => m + prior.axes[0]![k]!);
  const cover = (w: Float32Array, amount: number) => field((v, k) => ao[v]! * amount * w[v]! * (HAIR_MEAN[k]! - coverFrom[k]!));
  const tinted = (w: Float32Array, rgb: Rgb) => field((v, k) => skinW[3 * v + k]! * w[v]! * rgb[k]!);

  // Skin tone: the principal axes of the melanin/blood population, everywhere the skin shows.
  const toneNames = ['skin tone (melanin)', 'skin tone (warmth)', 'skin tone (redness)'];
  // Darker skin comes with darker hair: the melanin axis reaches the hair on the skin (above)
  // and darkens the eyelashes by 0.3 sd of hair colour per sd.
  const lashes = (v: number) => v >= ICT_RANGES.eyelashes[0];
  prior.axes.forEach((axis, j) => add(toneNames[j]!, 'identity', field((v, k) => toneW[3 * v + k]! * axis[k]! + (j === 0 && lashes(v) ? -0.3 * ao[v]! * HAIR_AXIS[k]! : 0))));
  add('hair colour', 'identity', field((v, k) => ao[v]! * hairW[v]! * HAIR_AXIS[k]!));
  add('scalp hair cover', 'identity', cover(masks.scalp, settings.scalpSd));
  add('beard', 'identity', cover(masks.beard, settings.beardSd), settings.beardRectified ? 'rectified' : undefined);
  add('brow density', 'identity', cover(masks.brows, 0.15));
  add('brow thickness', 'identity', cover(masks.browThickness, BROW_COVER));
  add('brow arch', 'identity', cover(masks.browArch, BROW_COVER));
  add('hairline height', 'identity', cover(masks.hairlineFront, settings.scalpCover));
  add('hair length (sides and back)', 'identity', cover(masks.hairlineBack, settings.scalpCover));
  add('hairline tilt', 'identity', cover(masks.hairlineTilt, settings.scalpCover));
  add('lash density', 'identity', cover(masks.lashLine, 0.2));
  // Redness is blood: along the skin model's blood direction, so that less of it pales the skin
  // (lighter, mostly in green) instead of tinting it green, as a red-minus-green vector would.
  const blood = bloodDirection();
  const reddening = (amount: number): Rgb => [amount * blood[0], amount * blood[1], amount * blood[2]];
  add('lip colour', 'identity', tinted(masks.lips, reddening(0.06)));
  add('lip darkness', 'identity', tinted(masks.lips, [-0.05, -0.045, -0.035]));
  const eyeField = (rgb: Rgb) => field((v, k) => ao[v]! * masks.iris[v]! * rgb[k]!);
  add('iris lightness', 'identity', eyeField(IRIS_LIGHT));
  add('iris colour (amber-blue)', 'identity', eyeField(IRIS_BLUE));
  add('cheek flush', 'identity', tinted(masks.cheeks, reddening(0.035)));
  add('nose and ear redness', 'identity', tinted(masks.noseEars, reddening(0.04)));
  add('under-eye darkness', 'identity', tinted(masks.underEye, [-0.05, -0.05, -0.03]));
  // Skin texture: smooth random blotches (1.5–4 cm) and mottling (3–7 mm), along the melanin axis
  // with a little warmth, so identities differ in their own pattern of marks.
  const rng = mulberry32Rng(20101);
  const unit = (a: readonly number[]) => a.map((x) => x / Math.hypot(...a));
  const melaninDir = unit(prior.axes[0]!);
  const warmthDir = unit(prior.axes[1]!);
  for (let t = 0; t < 8; t++) {
    const fine = t >= 5;
    const noise = randomField(neutral, rng, fine ? [0.3, 0.7] : [1.5, 4], 16);
    const a = fine ? 0.005 : 0.006;
    const b = 0.25 * a * rng.normal();
    const dir = [0, 1, 2].map((k) => a * melaninDir[k]! + b * warmthDir[k]!);
    add(`skin texture ${t + 1}`, 'identity', field((v, k) => skinW[3 * v + k]! * noise[v]! * dir[k]!));
  }
  // Per image: what changes between photos of one person.
  add('flush (per image)', 'image', tinted(new Float32Array(n).map((_, v) => Math.max(masks.cheeks[v]!, masks.noseEars[v]!)), reddening(0.04)));
  add('tan (per image)', 'image', field((v, k) => 0.15 * skinW[3 * v + k]! * masks.sunExposed[v]! * prior.axes[0]![k]!));
  add('lip tone (per image)', 'image', tinted(masks.lips, reddening(0.03)));

  const shares = prior.shares.map((s) => `${(100 * s).toFixed(1)}%`).join(', ');
  const note =
    'Colour model for ICT Face Model Light (which has no albedo), sRGB-encoded values as the renderer uses them. ' +
    'Skin tone: principal axes of a two-layer Kubelka-Munk skin (eumelanin/pheomelanin in the epidermis, blood in the dermis; ' +
    `Jacques 2013, Donner & Jensen 2006, Prahl haemoglobin spectra) over melanin ${percentRange(settings.skinMelanin)}%, blood ${percentRange(settings.skinBlood)}%; ` +
    `variance shares of the three axes ${shares}. Regions from the ICT vertex ranges and the 68 landmarks; ` +
    `ambient occlusion baked in (${AO_RAYS} rays per vertex, ${AO_REACH_CM} cm reach). See docs/colour-model.md.`;
  return { mean, components, note };
}

/**
 * Ambient occlusion as an albedo factor. Skin, eye sockets and eyeballs are occluded by every
 * solid part (not the thin eye layers or the lashes). The mouth's inside is not: in the neutral
 * mesh the closed lips and the socket's front wall cover it completely, and an open mouth must not
 * show black teeth. So teeth, gums and tongue are occluded only by each other, and the socket by
 * itself and them.
 */
function occlusion(pos: Float32Array, tris: Uint32Array, settings: ColourSettings): Float32Array {
  const lastSolid = ICT_RANGES.eyeballRight[1];
  const within = (v: number, r: readonly [number, number]) => v >= r[0] && v <= r[1];
  const dental = (v: number) => within(v, ICT_RANGES.gumsTongue) || within(v, ICT_RANGES.teeth);
  const socket = (v: number) => within(v, ICT_RANGES.mouthSocket);
  const all: number[] = [];
  const mouth: number[] = [];
  const teeth: number[] = [];
  for (let t = 0; t < tris.length; t += 3) {
    const c = [tris[t]!, tris[t + 1]!, tris[t + 2]!];
    if (c.every((v) => v <= lastSolid)) all.push(...c);
    if (c.every((v) => dental(v) || socket(v))) mouth.push(...c);
    if (c.every(dental)) teeth.push(...c);
  }
  const occluders = Uint32Array.from(all);
  const normals = vertexNormals(pos, occluders);
  const groups: [number[], Uint32Array][] = [[[], occluders], [[], Uint32Array.from(mouth)], [[], Uint32Array.from(teeth)]];
  for (let v = 0; v <= lastSolid; v++) groups[dental(v) ? 2 : socket(v) ? 1 : 0]![0].push(v);
  const ao = new Float32Array(pos.length / 3).fill(1);
  for (const [targets, occ] of groups) {
    const part = ambientOcclusion(pos, normals, occ, targets, AO_RAYS, AO_REACH_CM, 0x1c7);
    for (const v of targets) ao[v] = part[v]!;
  }
  // Teeth and tongue take half of the closed mouth's occlusion as well: the neutral lips part a
  // little, and teeth glimpsed between them are in the mouth's shade.
  const dentalTargets = groups[2]![0];
  const closed = ambientOcclusion(pos, normals, occluders, dentalTargets, AO_RAYS, AO_REACH_CM, 0x1c7);
  for (const v of dentalTargets) ao[v] = 0.5 * (ao[v]! + closed[v]!);
  // The eyeballs sit under the lids, whose overhang would grey the whole visible sclera; a wet
  // eye also reflects much of its light, so they take part of it (eyeballOcclusion).
  const out = new Float32Array(ao.length).fill(1);
  for (let v = 0; v <= lastSolid; v++) {
    const strength = v >= ICT_RANGES.eyeballLeft[0] ? settings.eyeballOcclusion * settings.occlusion : settings.occlusion;
    out[v] = 1 - strength * (1 - ao[v]!);
  }
  return out;
}

/**
 * A smooth random scalar field on the vertices: a sum of `terms` cosines with random directions
 * and wavelengths in `wavelengthCm`, normalised to unit standard deviation over the vertices.
 */
function randomField(pos: Float32Array, rng: Rng, wavelengthCm: readonly [number, number], terms: number): Float32Array {
  const n = pos.length / 3;
  const out = new Float64Array(n);
  for (let t = 0; t < terms; t++) {
    let dx = rng.normal();
    let dy = rng.normal();
    let dz = rng.normal();
    const l = Math.hypot(dx, dy, dz);
    const lambda = wavelengthCm[0] + rng.uniform() * (wavelengthCm[1] - wavelengthCm[0]);
    const w = (2 * Math.PI) / lambda / l;
    dx *= w;
    dy *= w;
    dz *= w;
    const phase = 2 * Math.PI * rng.uniform();
    for (let v = 0; v < n; v++) out[v] = out[v]! + Math.cos(dx * pos[3 * v]! + dy * pos[3 * v + 1]! + dz * pos[3 * v + 2]! + phase);
  }
  let s = 0;
  for (let v = 0; v < n; v++) s += out[v]! * out[v]!;
  const sd = Math.sqrt(s / n) || 1;
  return Float32Array.from(out, (x) => x / sd);
}
