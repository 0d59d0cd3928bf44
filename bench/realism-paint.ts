// 2D additions painted onto rendered near-frontal faces for bench/realism-probe.ts: hair with
// volume, glasses, catchlights and a camera's blur and noise. Not model features: they ask
// whether what the model lacks would move face-api's distances between people before anyone
// builds it in 3D. Everything is placed from synx's own labels (the 68 iBUG landmarks, the pupil
// centres) and the frame's coverage, and drawn for faces seen from the front (|yaw| ≤ 30°, roll
// 0): the hair's outline follows the jaw contour, which is not the face's edge at profile.
// Every random choice is a hash of the identity (or the image), so a rerun paints the same bytes.

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An RGB image of `size` × `size` pixels that the painters change in place. */
export interface Canvas {
  readonly rgb: Uint8Array;
  readonly size: number;
}

/** A uniform number in [0, 1) from up to three integers (an integer hash; no state). */
export function hash01(a: number, b = 0, c = 0): number {
  let h = (Math.imul(a, 374761393) + Math.imul(b, 668265263) + Math.imul(c, 2147483647)) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Hair colours (sRGB albedo): black, dark and mid brown, auburn, blond, grey, and two near-blacks. */
const HAIR_COLOURS = [
  [20, 16, 14], [45, 30, 22], [80, 55, 35], [110, 60, 35], [170, 135, 85], [140, 140, 135], [60, 40, 28], [30, 24, 20],
] as const;
/** Glasses frame colours: black, tortoiseshell brown, gold, navy. */
const FRAME_COLOURS = [[15, 15, 15], [70, 45, 25], [150, 120, 60], [40, 40, 60]] as const;

function blend(c: Canvas, x: number, y: number, colour: readonly number[], alpha: number): void {
  if (x < 0 || y < 0 || x >= c.size || y >= c.size || !(alpha > 0)) return;
  const o = 3 * (y * c.size + x);
  const a = Math.min(1, alpha);
  for (let k = 0; k < 3; k++) c.rgb[o + k] = Math.round(c.rgb[o + k]! * (1 - a) + colour[k]! * a);
}

function inPolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** iBUG point i (0-based) of a label's landmarks, by synx's names (`ibug68.01` …). */
export function ibugPoints(landmarks: readonly { readonly name: string; readonly x: number; readonly y: number }[]): (i: number) => Point {
  const byName = new Map(landmarks.map((l) => [l.name, l]));
  return (i) => {
    const p = byName.get(`ibug68.${String(i + 1).padStart(2, '0')}`);
    if (!p) throw new Error(`the labels have no iBUG point ${i + 1}: the probe needs a model with the 68 landmarks (model builtin)`);
    return p;
  };
}

/**
 * Hair with volume for identity `id`: the head above eye level (the frame's coverage, where the
 * model paints its short hair cap) repainted as hair and puffed out past the silhouette by 1–2.5%
 * of the image per identity; for `long` identities also two curtains down the sides of the face to
 * 0.2–0.8 face widths below the chin, the neck under the chin left showing. The face oval (the jaw
 * contour closed over the forehead at a per-identity hairline 0.2–0.32 face widths above the
 * brows) stays clear. Colour: one of eight hair colours per identity, lit like the face (scaled by
 * the face's mean luminance), with vertical streaks and a fine noise.
 */
export function paintHair(c: Canvas, coverage: Uint8Array, L: (i: number) => Point, id: number, long: boolean): void {
  const S = c.size;
  const jaw = Array.from({ length: 17 }, (_, i) => L(i));
  const W = Math.hypot(jaw[16]!.x - jaw[0]!.x, jaw[16]!.y - jaw[0]!.y);
  const cx = (jaw[0]!.x + jaw[16]!.x) / 2;
  let browTop = Infinity;
  for (let i = 17; i <= 26; i++) browTop = Math.min(browTop, L(i).y);
  const chin = L(8).y;
  const hairline = browTop - (0.2 + 0.12 * hash01(id, 7)) * W;
  const midY = (jaw[0]!.y + jaw[16]!.y) / 2;
  const oval: Point[] = [...jaw];
  for (let k = 1; k < 12; k++) {
    const t = Math.PI * (k / 12);
    oval.push({ x: cx + (W / 2) * Math.cos(t), y: midY - (midY - hairline) * Math.sin(t) });
  }
  const colour = HAIR_COLOURS[Math.floor(hash01(id, 1) * HAIR_COLOURS.length)]!;
  let lum = 0;
  let n = 0;
  for (let y = Math.max(0, Math.floor(browTop)); y < Math.min(S, chin); y += 2) {
    for (let x = Math.max(0, Math.floor(cx - W / 4)); x < Math.min(S, cx + W / 4); x += 2) {
      const o = 3 * (y * S + x);
      lum += 0.299 * c.rgb[o]! + 0.587 * c.rgb[o + 1]! + 0.114 * c.rgb[o + 2]!;
      n++;
    }
  }
  // 140: about the mean luminance of a mid skin tone under the prior's light.
  const shade = Math.min(1.3, Math.max(0.35, n ? lum / n / 140 : 1));
  const eyeLevel = (L(36).y + L(45).y) / 2;
  const volume = Math.round((0.04 + 0.1 * hash01(id, 2)) * W);
  // The head's coverage grown by `volume` pixels (a disc).
  const grown = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (!coverage[y * S + x]) continue;
      for (let yy = Math.max(0, y - volume); yy <= Math.min(S - 1, y + volume); yy++) {
        for (let xx = Math.max(0, x - volume); xx <= Math.min(S - 1, x + volume); xx++) {
          if ((xx - x) ** 2 + (yy - y) ** 2 <= volume * volume) grown[yy * S + xx] = 1;
        }
      }
    }
  }
  // Long hair hangs from the head's width at eye level.
  let left = S;
  let right = -1;
  const ey = Math.max(0, Math.min(S - 1, Math.round(eyeLevel)));
  for (let x = 0; x < S; x++) {
    if (grown[ey * S + x]) {
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  const bottom = long ? chin + (0.2 + 0.6 * hash01(id, 4)) * W : eyeLevel;
  const parting = (hash01(id, 5) - 0.5) * 0.4 * W;
  for (let y = 0; y < Math.min(S, bottom); y++) {
    for (let x = 0; x < S; x++) {
      let hair: boolean;
      if (y < eyeLevel) hair = grown[y * S + x] === 1;
      else {
        const narrowing = 0.1 * W * ((y - eyeLevel) / Math.max(1, bottom - eyeLevel));
        hair = x >= left + narrowing && x <= right - narrowing && !(y > chin - 0.1 * W && Math.abs(x - cx) < 0.3 * W);
      }
      if (!hair || inPolygon({ x, y }, oval)) continue;
      const streak = 0.85 + 0.15 * Math.sin((x - parting) * 1.3 + 3 * hash01(id, 6) + 0.05 * y) + 0.12 * (hash01(x, y, id) - 0.5);
      blend(c, x, y, colour.map((v) => Math.min(255, v * shade * streak)), 0.95);
    }
  }
}

function strokeEllipse(c: Canvas, centre: Point, ax: number, ay: number, width: number, colour: readonly number[]): void {
  for (let y = Math.floor(centre.y - ay - width); y <= centre.y + ay + width; y++) {
    for (let x = Math.floor(centre.x - ax - width); x <= centre.x + ax + width; x++) {
      const r = Math.hypot((x + 0.5 - centre.x) / ax, (y + 0.5 - centre.y) / ay);
      const d = Math.abs(r - 1) * Math.min(ax, ay);
      blend(c, x, y, colour, width / 2 + 0.5 - d);
    }
  }
}

function strokeLine(c: Canvas, a: Point, b: Point, width: number, colour: readonly number[]): void {
  const len2 = (b.x - a.x) ** 2 + (b.y - a.y) ** 2;
  for (let y = Math.floor(Math.min(a.y, b.y) - width); y <= Math.max(a.y, b.y) + width; y++) {
    for (let x = Math.floor(Math.min(a.x, b.x) - width); x <= Math.max(a.x, b.x) + width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - a.x) * (b.x - a.x) + (py - a.y) * (b.y - a.y)) / len2)) : 0;
      blend(c, x, y, colour, width / 2 + 0.5 - Math.hypot(px - (a.x + t * (b.x - a.x)), py - (a.y + t * (b.y - a.y))));
    }
  }
}

/** Mean of the six points of an eye ring from iBUG point `from` on. */
function ringCentre(L: (i: number) => Point, from: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i < from + 6; i++) {
    x += L(i).x;
    y += L(i).y;
  }
  return { x: x / 6, y: y / 6 };
}

/**
 * Glasses for identity `id`: two oval rims round the eye rings (0.85 eye widths across, 0.5–0.7
 * high), a bridge and the temples to the jaw contour's ends, in one of four frame colours. Clear
 * lenses.
 */
export function paintGlasses(c: Canvas, L: (i: number) => Point, id: number): void {
  const r = ringCentre(L, 36);
  const l = ringCentre(L, 42);
  const eye = (Math.hypot(L(39).x - L(36).x, L(39).y - L(36).y) + Math.hypot(L(45).x - L(42).x, L(45).y - L(42).y)) / 2;
  const colour = FRAME_COLOURS[Math.floor(hash01(id, 9) * FRAME_COLOURS.length)]!;
  const ax = 0.85 * eye;
  const ay = (0.5 + 0.2 * hash01(id, 10)) * eye;
  const width = Math.max(1, 0.13 * eye);
  const cr = { x: r.x, y: r.y + 0.1 * eye };
  const cl = { x: l.x, y: l.y + 0.1 * eye };
  strokeEllipse(c, cr, ax, ay, width, colour);
  strokeEllipse(c, cl, ax, ay, width, colour);
  strokeLine(c, { x: cr.x + ax, y: cr.y - 0.3 * ay }, { x: cl.x - ax, y: cl.y - 0.3 * ay }, width, colour);
  strokeLine(c, { x: cr.x - ax, y: cr.y - 0.2 * ay }, { x: L(0).x, y: L(0).y - 0.1 * eye }, width, colour);
  strokeLine(c, { x: cl.x + ax, y: cl.y - 0.2 * ay }, { x: L(16).x, y: L(16).y - 0.1 * eye }, width, colour);
}

/**
 * A catchlight in each eye: a small near-white disc (radius 3.5% of an eye's width, at least
 * 0.35 px) up and to the image's left of each pupil centre, as a light above the camera puts on a
 * wet cornea. The renderer has no specular term, so its eyes have none.
 */
export function paintCatchlights(c: Canvas, pupils: readonly Point[], L: (i: number) => Point): void {
  const eye = Math.hypot(L(39).x - L(36).x, L(39).y - L(36).y);
  const radius = Math.max(0.35, 0.035 * eye);
  for (const p of pupils) {
    const centre = { x: p.x - 0.09 * eye, y: p.y - 0.09 * eye };
    for (let y = Math.floor(centre.y - 2); y <= centre.y + 2; y++) {
      for (let x = Math.floor(centre.x - 2); x <= centre.x + 2; x++) {
        blend(c, x, y, [245, 245, 245], 0.75 * (radius + 0.5 - Math.hypot(x + 0.5 - centre.x, y + 0.5 - centre.y)));
      }
    }
  }
}

/**
 * A camera's softness and sensor noise: a separable [0.2, 0.6, 0.2] blur (σ ≈ 0.6 px), then
 * Gaussian noise of sd 4 (of 255) per channel, seeded by `seed`.
 */
export function paintCamera(c: Canvas, seed: number): void {
  const S = c.size;
  const k = [0.2, 0.6, 0.2];
  const tmp = new Float32Array(c.rgb.length);
  const clampI = (v: number) => Math.min(S - 1, Math.max(0, v));
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      for (let ch = 0; ch < 3; ch++) {
        let v = 0;
        for (let d = -1; d <= 1; d++) v += k[d + 1]! * c.rgb[3 * (y * S + clampI(x + d)) + ch]!;
        tmp[3 * (y * S + x) + ch] = v;
      }
    }
  }
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      for (let ch = 0; ch < 3; ch++) {
        let v = 0;
        for (let d = -1; d <= 1; d++) v += k[d + 1]! * tmp[3 * (clampI(y + d) * S + x) + ch]!;
        const u1 = Math.max(1e-9, hash01(seed, y * S + x, ch));
        const u2 = hash01(seed + 7, y * S + x, ch);
        v += 4 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        c.rgb[3 * (y * S + x) + ch] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}
