// Generates lib/models/procedural-face.{json,bin.gz}: synx's procedural face model (`model
// procedural`; the default before render kind 4). A hand-made face surface with hand-made
// deformation fields — NOT a statistical model of scans.
// Deterministic: same script, same bytes. Run: npx tsx scripts/gen-procedural-model.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBuiltinModel, PROCEDURAL_MODEL_NAME } from '../src/render/builtin-model.js';
import { keyedRng, type Rng } from '../src/rng/index.js';

const VERSION = 1;
const NU = 160; // columns, all the way around the head
const NV = 121; // rows, forehead to under the chin

// Side profile keyframes (y, half width w, front depth d) from the crown's front to under the chin, mm.
const PROFILE: readonly [number, number, number][] = [
  [110, 1, 1],
  [108, 20, 16],
  [106, 34, 30],
  [100, 52, 58],
  [90, 63, 76],
  [74, 70, 88],
  [56, 74, 94],
  [40, 76, 96],
  [24, 76, 95],
  [8, 75, 97],
  [-12, 72, 97],
  [-30, 67, 96],
  [-46, 60, 95],
  [-62, 51, 92],
  [-76, 40, 88],
  [-87, 29, 80],
  [-93, 22, 68],
  [-96, 23, 52],
  [-98, 24, 20],
  [-99, 10, 8],
  [-99.5, 1, 1],
];

function catmull(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const t2 = t * t;
  const t3 = t2 * t;
  return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
}

function profileAt(s: number): [number, number, number] {
  const m = PROFILE.length - 1;
  const x = Math.min(Math.max(s, 0), 1) * m;
  const i = Math.min(Math.floor(x), m - 1);
  const t = x - i;
  const at = (k: number) => PROFILE[Math.min(Math.max(k, 0), m)]!;
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) out[c] = catmull(at(i - 1)[c]!, at(i)[c]!, at(i + 1)[c]!, at(i + 2)[c]!, t);
  return out;
}

const g2 = (x: number, y: number, x0: number, y0: number, sx: number, sy: number) =>
  Math.exp(-0.5 * (((x - x0) / sx) ** 2 + ((y - y0) / sy) ** 2));
/** Symmetric pair of Gaussians at ±x0. */
const pair = (x: number, y: number, x0: number, y0: number, sx: number, sy: number) =>
  g2(x, y, x0, y0, sx, sy) + g2(x, y, -x0, y0, sx, sy);
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const smooth = (a: number, b: number, x: number) => {
  const t = Math.min(Math.max((x - a) / (b - a), 0), 1);
  return t * t * (3 - 2 * t);
};

// The eyes, brows, nose and mouth layout of the mean face (mm).
const EYE_X = 32;
const EYE_Y = 27;
const MOUTH_Y = -40;
const NOSE_TIP_Y = -8;

/** Forward relief of the mean face at (x, y): sockets, brows, nose, lips, cheeks, chin. */
function relief(x: number, y: number): number {
  let z = 0;
  z -= 13 * pair(x, y, EYE_X, EYE_Y, 15, 10); // eye sockets
  z += 8 * pair(x, y, EYE_X, EYE_Y - 1, 10, 6); // eyeballs and lids
  z += 6 * pair(x, y, 30, 43, 18, 5); // brow ridges
  z += 3 * g2(x, y, 0, 40, 9, 7); // glabella
  // Nose: a ridge from the bridge to the tip, widening and rising towards the tip.
  const tNose = smooth(36, NOSE_TIP_Y, y); // 0 at the bridge, 1 at the tip
  const below = y < NOSE_TIP_Y ? Math.exp(-0.5 * ((y - NOSE_TIP_Y) / 5) ** 2) : 1;
  const ridgeH = (7 + 21 * tNose ** 1.6) * below * (y > 38 ? Math.exp(-0.5 * ((y - 38) / 4) ** 2) : 1);
  const ridgeW = 5.5 + 6 * tNose;
  z += ridgeH * Math.exp(-0.5 * (x / ridgeW) ** 2);
  z += 5 * g2(x, y, 0, NOSE_TIP_Y - 1, 7, 5); // tip
  z += 9 * pair(x, y, 14, NOSE_TIP_Y - 7, 5.5, 5); // alar wings
  z -= 2 * g2(x, y, 0, -26, 4, 3); // philtrum
  z += 7 * g2(x, y, 0, MOUTH_Y, 26, 13); // dental arch under the lips
  z += 5 * g2(x, y, 0, MOUTH_Y + 6, 19, 4); // upper lip
  z += 5.5 * g2(x, y, 0, MOUTH_Y - 6, 16, 4.5); // lower lip
  z -= 3 * g2(x, y, 0, MOUTH_Y, 22, 1.4); // mouth line
  z -= 3 * g2(x, y, 0, -54, 16, 4); // groove under the lower lip
  z += 8 * g2(x, y, 0, -70, 15, 9); // chin
  z += 6 * pair(x, y, 42, -6, 17, 15); // cheeks
  z += 4 * pair(x, y, 50, 12, 13, 9); // cheekbones
  z -= 4 * pair(x, y, 62, 42, 11, 16); // temples
  return z;
}

interface Surface {
  readonly pos: Float32Array;
  readonly front: Float32Array; // cos(theta)^+, how much a vertex faces forward
  readonly tri: Uint32Array;
}

function surface(): Surface {
  // A grid of rows around the head, plus one pole vertex closing the top and one the bottom.
  const n = NU * NV + 2;
  const pos = new Float32Array(3 * n);
  const front = new Float32Array(n);
  const top = NU * NV;
  const bottom = top + 1;
  pos.set([0, profileAt(0)[0] + 0.3, 0], 3 * top);
  pos.set([0, profileAt(1)[0] - 0.3, 0], 3 * bottom);
  for (let r = 0; r < NV; r++) {
    const [y, w, d] = profileAt(r / (NV - 1));
    for (let c = 0; c < NU; c++) {
      const u = (2 * c) / NU - 1;
      // Denser columns across the front, where the features are; the seam is at the back.
      const theta = Math.PI * (0.31 * u + 0.69 * u * u * u);
      const s = Math.sin(theta);
      const co = Math.cos(theta);
      const x = w * s;
      // A flatter front than an ellipse; the back of the skull is an ellipsoid that ends above the neck.
      const back = 105 * Math.sqrt(Math.max(0, 1 - ((y - 12) / 105) ** 2));
      const zBase = co >= 0 ? d * co ** 0.85 : Math.min(back, 1.05 * d + 20) * co;
      const f = Math.max(0, co) ** 2;
      const i = r * NU + c;
      pos[3 * i] = x;
      pos[3 * i + 1] = y;
      pos[3 * i + 2] = zBase + f * relief(x, y);
      front[i] = f;
    }
  }
  const tri = new Uint32Array(NU * (NV - 1) * 6 + NU * 6);
  let t = 0;
  for (let c = 0; c < NU; c++) {
    const c1 = (c + 1) % NU;
    tri.set([top, c, c1], t);
    t += 3;
    tri.set([bottom, (NV - 1) * NU + c1, (NV - 1) * NU + c], t);
    t += 3;
  }
  for (let r = 0; r < NV - 1; r++) {
    for (let c = 0; c < NU; c++) {
      const a = r * NU + c;
      const b = r * NU + ((c + 1) % NU);
      const d = a + NU;
      const e = b + NU;
      // Rows run downwards and columns to +x, so (a, d, b) is counter-clockwise seen from the front.
      tri[t++] = a;
      tri[t++] = d;
      tri[t++] = b;
      tri[t++] = b;
      tri[t++] = d;
      tri[t++] = e;
    }
  }
  return { pos, front, tri };
}

type Field = (x: number, y: number, z: number, f: number) => [number, number, number];

function fieldOf(s: Surface, fn: Field): Float32Array {
  const out = new Float32Array(s.pos.length);
  for (let i = 0; i < s.front.length; i++) {
    const v = fn(s.pos[3 * i]!, s.pos[3 * i + 1]!, s.pos[3 * i + 2]!, s.front[i]!);
    out[3 * i] = v[0];
    out[3 * i + 1] = v[1];
    out[3 * i + 2] = v[2];
  }
  return out;
}

const sgn = (x: number) => (x < 0 ? -1 : 1);
/** A warp that moves the region around (±x0, y0) by (dx outward, dy), keeping it attached. */
const movePair = (x0: number, y0: number, sx: number, sy: number, dx: number, dy: number): Field => (x, y) => {
  const g = g2(Math.abs(x), y, x0, y0, sx, sy);
  return [sgn(x) * dx * g, dy * g, 0];
};
const bump = (amp: number, x0: number, y0: number, sx: number, sy: number, symmetric: boolean): Field => (x, y, _z, f) => [
  0,
  0,
  f * amp * (symmetric ? pair(x, y, x0, y0, sx, sy) : g2(x, y, x0, y0, sx, sy)),
];
const sum = (...fs: Field[]): Field => (x, y, z, f) => {
  const o: [number, number, number] = [0, 0, 0];
  for (const fn of fs) {
    const v = fn(x, y, z, f);
    o[0] += v[0];
    o[1] += v[1];
    o[2] += v[2];
  }
  return o;
};

/** Smooth random relief: a few long-wavelength waves, for variety the named components lack. */
function randomField(rng: Rng, amp: [number, number, number]): Field {
  const waves = Array.from({ length: 4 }, () => ({
    kx: (rng.uniform() - 0.5) * 0.09,
    ky: (rng.uniform() - 0.5) * 0.09,
    ph: rng.uniform() * 2 * Math.PI,
    a: rng.normal(),
  }));
  const symmetric = rng.uniform() < 0.7; // faces are mostly symmetric
  return (x, y, _z, f) => {
    let v = 0;
    for (const w of waves) {
      // cos(kx·x)·cos(ky·y + ph) is even in x: symmetric without a crease at x = 0.
      v += symmetric ? w.a * Math.cos(w.kx * x) * Math.cos(w.ky * y + w.ph) : w.a * Math.cos(w.kx * x + w.ky * y + w.ph);
    }
    v *= 0.5;
    return [amp[0] * v * f, amp[1] * v * f, amp[2] * v * f];
  };
}

function shapeComponents(s: Surface): { name: string; field: Float32Array }[] {
  const rng = keyedRng(2017, 1);
  const named: [string, Field][] = [
    ['face width', (x) => [0.06 * x, 0, 0]],
    ['lower face length', (_x, y) => [0, 0.07 * Math.min(y, 0) + 0.01 * Math.max(y, 0), 0]],
    ['face depth', (_x, _y, z) => [0, 0, 0.05 * z]],
    ['jaw width', (x, y) => [0.1 * x * sigmoid((-30 - y) / 10), 0, 0]],
    ['chin projection', bump(4.5, 0, -70, 16, 11, false)],
    ['chin length', (_x, y) => [0, -4 * sigmoid((-52 - y) / 6), 0]],
    ['forehead slope', (_x, y, _z, f) => [0, 0, -7 * smooth(40, 100, y) * f]],
    ['brow ridge', sum(bump(3, 30, 43, 18, 6, true), bump(2, 0, 40, 9, 7, false))],
    ['eye spacing', movePair(EYE_X, EYE_Y, 13, 11, 2.5, 0)],
    ['eye height', movePair(EYE_X, EYE_Y, 16, 12, 0, 3)],
    ['eye depth', bump(-3, EYE_X, EYE_Y, 14, 9, true)],
    ['nose length', (x, y) => [0, -4 * g2(x, y, 0, NOSE_TIP_Y - 3, 16, 10), 0]],
    ['nose projection', (x, y, _z, f) => [0, 0, 6 * f * smooth(36, NOSE_TIP_Y, y) * (y < NOSE_TIP_Y - 4 ? g2(0, y, 0, NOSE_TIP_Y - 4, 1, 5) : 1) * Math.exp(-0.5 * (x / 9) ** 2)]],
    ['nose width', movePair(13, NOSE_TIP_Y - 6, 7, 7, 2.5, 0)],
    ['nose bridge', bump(3, 0, 24, 6, 11, false)],
    ['nose tip', bump(2.5, 0, NOSE_TIP_Y - 1, 7, 5, false)],
    ['mouth width', movePair(22, MOUTH_Y, 9, 8, 3.5, 0)],
    ['upper lip', bump(2, 0, MOUTH_Y + 6, 18, 4, false)],
    ['lower lip', bump(2.5, 0, MOUTH_Y - 6, 15, 4.5, false)],
    ['mouth height', (x, y) => [0, 3 * g2(x, y, 0, MOUTH_Y, 30, 12), 0]],
    ['cheek fullness', sum(bump(4, 42, -8, 18, 16, true), (x, y) => [sgn(x) * 3 * g2(Math.abs(x), y, 52, -15, 15, 18), 0, 0])],
    ['cheekbones', sum(bump(3, 50, 12, 13, 9, true), movePair(60, 12, 12, 10, 2, 0))],
    ['temples', bump(3, 62, 42, 11, 16, true)],
    ['forehead width', (x, y) => [0.06 * x * sigmoid((y - 35) / 12), 0, 0]],
  ];
  const out = named.map(([name, fn]) => ({ name, field: fieldOf(s, fn) }));
  for (let k = 0; k < 8; k++) {
    out.push({ name: `relief ${k + 1}`, field: fieldOf(s, randomField(rng, [0.6, 0.6, 2.2])) });
  }
  return out;
}

interface Paint {
  readonly mean: Float32Array;
  readonly masks: Record<'skin' | 'lips' | 'brows' | 'iris' | 'sclera' | 'beard' | 'flush' | 'underEye', Float32Array>;
}

function paint(s: Surface): Paint {
  const n = s.front.length;
  const mean = new Float32Array(3 * n);
  const mk = () => new Float32Array(n);
  const masks = { skin: mk(), lips: mk(), brows: mk(), iris: mk(), sclera: mk(), beard: mk(), flush: mk(), underEye: mk() };
  const skin = [0.74, 0.53, 0.43];
  for (let i = 0; i < n; i++) {
    const x = s.pos[3 * i]!;
    const y = s.pos[3 * i + 1]!;
    const f = s.front[i]!;
    const ax = Math.abs(x);
    let c = [...skin] as [number, number, number];
    const blend = (to: readonly number[], a: number) => {
      for (let k = 0; k < 3; k++) c[k] = c[k]! * (1 - a) + to[k]! * a;
    };
    // Lips: an upper and a lower band, tapering to the mouth corners.
    const lipW = 1 - smooth(16, 25, ax);
    const upper = lipW * Math.exp(-0.5 * ((y - (MOUTH_Y + 4.5 - 0.004 * x * x)) / 3) ** 6);
    const lower = lipW * Math.exp(-0.5 * ((y - (MOUTH_Y - 5 + 0.006 * x * x)) / 3.6) ** 6);
    const lips = Math.min(1, upper + lower) * f;
    blend([0.66, 0.33, 0.32], lips);
    const mouthLine = Math.exp(-0.5 * ((y - MOUTH_Y) / 0.9) ** 2) * (1 - smooth(20, 25, ax)) * f;
    blend([0.22, 0.08, 0.08], mouthLine);
    // Brows: arched bands above the eyes.
    const bx = ax - 30;
    const browY = 41 + 3.5 * Math.cos(bx / 14) - 0.02 * bx * bx;
    const brows = Math.exp(-0.5 * ((y - browY) / 2.4) ** 4) * (smooth(9, 14, ax) - smooth(44, 50, ax)) * f;
    blend([0.2, 0.14, 0.1], 0.85 * brows);
    // Eyes: an almond of white, an iris, a pupil, darker lid lines.
    const ex = (ax - EYE_X) / 12.5;
    const eyH = 5.2 * Math.max(0, 1 - ex * ex);
    const ey = y - EYE_Y;
    // Only on the front: the paint is laid out in x/y, and the back of the head shares those.
    const inEye = f > 0.2 && Math.abs(ex) < 1 && Math.abs(ey) < eyH ? 1 : 0;
    const lid = f > 0.2 && Math.abs(ex) < 1.08 && ey > eyH - 0.6 && ey < eyH + 1.2 ? 1 : 0;
    const r = Math.hypot(ax - EYE_X, ey);
    const iris = inEye * (r < 5.6 ? 1 : 0);
    const pupil = inEye * (r < 2.2 ? 1 : 0);
    blend([0.86, 0.82, 0.78], inEye * (1 - iris));
    blend([0.34, 0.21, 0.12], iris);
    blend([0.04, 0.03, 0.03], pupil);
    blend([0.12, 0.08, 0.07], lid * 0.9);
    // Nostrils.
    const nostril = pair(x, y, 6.5, NOSE_TIP_Y - 11.5, 2.6, 1.6);
    blend([0.3, 0.14, 0.12], Math.min(1, nostril) * f);
    for (let k = 0; k < 3; k++) mean[3 * i + k] = c[k]!;
    const notSkin = Math.max(inEye, lips, mouthLine, brows);
    masks.skin[i] = 1 - notSkin;
    masks.lips[i] = lips;
    masks.brows[i] = brows;
    masks.iris[i] = iris * (1 - pupil);
    masks.sclera[i] = inEye * (1 - iris);
    masks.beard[i] = f * smooth(0, -25, y) * (1 - lips) * (1 - smooth(60, 70, ax)) * (y < NOSE_TIP_Y - 12 ? 1 : 0.3);
    masks.flush[i] = f * (pair(x, y, 40, -5, 14, 12) + g2(x, y, 0, NOSE_TIP_Y, 8, 8));
    masks.underEye[i] = f * pair(x, y, EYE_X, EYE_Y - 10, 11, 4) * (1 - inEye);
  }

  return { mean, masks };
}


function colorComponents(s: Surface, p: Paint): { name: string; field: Float32Array }[] {
  const n = s.front.length;
  const comp = (fn: (i: number) => [number, number, number]) => {
    const out = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const v = fn(i);
      out[3 * i] = v[0];
      out[3 * i + 1] = v[1];
      out[3 * i + 2] = v[2];
    }
    return out;
  };
  const m = p.masks;
  const base = (i: number, k: number) => p.mean[3 * i + k]!;
  const out: { name: string; field: Float32Array }[] = [
    // Skin tone: darker skin darkens lips and lids too, not the whites of the eyes.
    { name: 'skin tone', field: comp((i) => { const a = -0.24 * (1 - 0.8 * m.sclera[i]!); return [a * base(i, 0), a * 1.08 * base(i, 1), a * 1.12 * base(i, 2)]; }) },
    { name: 'skin warmth', field: comp((i) => [0.02 * m.skin[i]!, 0.005 * m.skin[i]!, -0.035 * m.skin[i]!]) },
    { name: 'skin redness', field: comp((i) => [0.035 * m.skin[i]!, -0.015 * m.skin[i]!, -0.005 * m.skin[i]!]) },
    { name: 'flush', field: comp((i) => [0.05 * m.flush[i]!, -0.02 * m.flush[i]!, -0.01 * m.flush[i]!]) },
    { name: 'lip redness', field: comp((i) => [0.06 * m.lips[i]!, -0.04 * m.lips[i]!, -0.02 * m.lips[i]!]) },
    { name: 'lip darkness', field: comp((i) => [-0.07 * m.lips[i]!, -0.05 * m.lips[i]!, -0.04 * m.lips[i]!]) },
    { name: 'brow darkness', field: comp((i) => { const a = -0.12 * m.brows[i]!; return [a, 0.8 * a, 0.7 * a]; }) },
    { name: 'iris colour', field: comp((i) => [-0.08 * m.iris[i]!, 0.04 * m.iris[i]!, 0.14 * m.iris[i]!]) },
    { name: 'beard shadow', field: comp((i) => { const a = -0.06 * m.beard[i]!; return [a, 0.9 * a, 0.8 * a]; }) },
    { name: 'under-eye shadow', field: comp((i) => [-0.04 * m.underEye[i]!, -0.04 * m.underEye[i]!, -0.025 * m.underEye[i]!]) },
  ];
  const rng = keyedRng(2017, 2);
  for (let k = 0; k < 8; k++) {
    const rgb: [number, number, number] = [0.012 + 0.006 * rng.normal(), 0.01 + 0.006 * rng.normal(), 0.01 + 0.006 * rng.normal()];
    const field = randomField(rng, rgb);
    out.push({
      name: `blotch ${k + 1}`,
      field: comp((i) => {
        const v = field(s.pos[3 * i]!, s.pos[3 * i + 1]!, s.pos[3 * i + 2]!, 1);
        const w = m.skin[i]!;
        return [v[0] * w, v[1] * w, v[2] * w];
      }),
    });
  }
  return out;
}

function expressionComponents(s: Surface): { name: string; field: Float32Array }[] {
  const fields: [string, Field][] = [
    // The lower jaw drops below the mouth line, stretching the dark lip line into an open mouth.
    // The lower jaw swings down about a hinge near the ears: sharply between the lips (the dark lip
    // line stretches into an open mouth), gradually over the cheeks, so no crease crosses the face.
    ['jaw open', (x, y, z) => {
      const lips = Math.exp(-0.5 * (x / 20) ** 4);
      const w = lips * sigmoid((MOUTH_Y - y) / 1.2) + (1 - lips) * sigmoid((MOUTH_Y - 8 - y) / 10);
      const theta = 0.06 * w * Math.exp(-0.5 * (x / 55) ** 2);
      return [0, -theta * (z + 20), theta * (y - 10)];
    }],
    ['smile', sum(movePair(22, MOUTH_Y, 9, 8, 2.5, 3.5), bump(2, 40, -15, 14, 10, true), movePair(40, -15, 14, 10, 0, 2))],
    ['pucker', sum(movePair(16, MOUTH_Y, 10, 8, -3, 0), bump(4, 0, MOUTH_Y, 14, 9, false))],
    ['brows raised', movePair(30, 44, 20, 7, 0, 3.5)],
    ['frown', sum(movePair(18, 42, 9, 6, -2, -2), bump(-1, 0, 40, 6, 5, false))],
    ['cheeks puffed', bump(4, 40, -32, 14, 14, true)],
    ['mouth sideways', (x, y) => [2.5 * g2(x, y, 0, MOUTH_Y, 24, 10), 0, 0]],
    ['lips pressed', bump(-2.5, 0, MOUTH_Y, 16, 6, false)],
  ];
  return fields.map(([name, fn]) => ({ name, field: fieldOf(s, fn) }));
}

/** Nearest vertex (on the front) to a target point of the mean face. */
function nearest(s: Surface, x: number, y: number, z: number | null): number {
  let best = 0;
  let bd = Infinity;
  for (let i = 0; i < s.front.length; i++) {
    if (s.front[i]! < 0.05) continue;
    const dx = s.pos[3 * i]! - x;
    const dy = s.pos[3 * i + 1]! - y;
    const dz = z === null ? 0 : s.pos[3 * i + 2]! - z;
    const d = dx * dx + dy * dy + dz * dz;
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

function landmarks(s: Surface): { name: string; vertex: number }[] {
  // Names follow the BFM 2017 convention: left/right are the subject's (left = +x).
  const sided: [string, number, number][] = [
    ['eye.corner_outer', EYE_X + 12.5, EYE_Y],
    ['eye.corner_inner', EYE_X - 12.5, EYE_Y],
    ['eye.pupil.center', EYE_X, EYE_Y],
    ['eyebrow.bend.upper', 34, 46],
    ['eyebrow.inner_lower', 12, 40],
    ['nose.wing.tip', 17, NOSE_TIP_Y - 8],
    ['lips.corner', 23, MOUTH_Y],
    ['ear.tragus', 74, 10],
  ];
  const out: { name: string; vertex: number }[] = [];
  for (const [name, x, y] of sided) {
    out.push({ name: `left.${name}`, vertex: nearest(s, x, y, null) });
    out.push({ name: `right.${name}`, vertex: nearest(s, -x, y, null) });
  }
  const center: [string, number, number][] = [
    ['center.nose.tip', 0, NOSE_TIP_Y],
    ['center.nose.attachement_to_philtrum', 0, NOSE_TIP_Y - 14],
    ['center.lips.upper.outer', 0, MOUTH_Y + 8.5],
    ['center.lips.lower.outer', 0, MOUTH_Y - 9.5],
    ['center.chin.tip', 0, -74],
    ['center.forehead', 0, 62],
  ];
  for (const [name, x, y] of center) out.push({ name, vertex: nearest(s, x, y, null) });
  // The nose tip is the most forward point, not the nearest in x/y.
  let tip = 0;
  for (let i = 0; i < s.front.length; i++) if (s.pos[3 * i + 2]! > s.pos[3 * tip + 2]!) tip = i;
  const t = out.find((l) => l.name === 'center.nose.tip');
  if (t) t.vertex = tip;
  return out;
}

/** Writes `<outDir>/procedural-face.{json,bin.gz}`; returns the vertex and triangle counts and the body's size. */
export function generateProceduralModel(outDir: string): { vertices: number; triangles: number; bytes: number } {
  const s = surface();
  const p = paint(s);
  const { header, body } = encodeBuiltinModel({
    shapeMean: s.pos,
    colorMean: p.mean,
    triangles: s.tri,
    shape: shapeComponents(s),
    color: colorComponents(s, p),
    expression: expressionComponents(s),
    landmarks: landmarks(s),
    version: VERSION,
    note:
      'Procedural face made by scripts/gen-procedural-model.ts: a hand-designed surface with hand-designed ' +
      'deformation fields. It is NOT a statistical model of real face scans. Licensed with synx (MIT).',
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${PROCEDURAL_MODEL_NAME}.json`), `${JSON.stringify(header, null, 1)}\n`);
  writeFileSync(path.join(outDir, `${PROCEDURAL_MODEL_NAME}.bin.gz`), body);
  return { vertices: header.vertices, triangles: header.triangles, bytes: body.length };
}

// Run as a script (not when a test imports it): regenerate the shipped files.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const r = generateProceduralModel(path.join(here, '..', 'lib', 'models'));
  process.stdout.write(`wrote ${r.vertices} vertices, ${r.triangles} triangles, ${r.bytes} bytes\n`);
}
