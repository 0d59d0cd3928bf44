/** A point in image pixels (x right, y down). */
export type Point = readonly [number, number];

/**
 * The standard 5-point ArcFace template for 112x112 crops (insightface's `arcface_dst`): eye
 * centres, nose tip, mouth corners, in image order (the eye on the image's left first). Values are
 * OpenCV pixel coordinates, where a pixel's centre is at its integer index.
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The ArcFace template for a `size` x `size` crop, in synx's pixel coordinates (a pixel covers
 * [i, i+1), its centre at i + 0.5, as in render labels and face-api's landmarks): the 112 px
 * template scaled about the crop's corner.
 */
export function arcfaceTemplate(size: number): Point[] {
  const s = size / 112;
  return ARCFACE_TEMPLATE_112.map(([x, y]): Point => [(x + 0.5) * s, (y + 0.5) * s]);
}

/**
 * A 2D similarity transform x' = a*x - b*y + tx, y' = b*x + a*y + ty (rotation and uniform scale
 * sqrt(a²+b²), no reflection).
 */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** Applies `m` to a point. */
export function applySimilarity(m: Similarity, [x, y]: Point): Point {
  return [m.a * x - m.b * y + m.tx, m.b * x + m.a * y + m.ty];
}

/** The inverse of `m`. */
export function invertSimilarity(m: Similarity): Similarity {
  const d = m.a * m.a + m.b * m.b;
  const a = m.a / d;
  const b = -m.b / d;
  return { a, b, tx: -(a * m.tx - b * m.ty), ty: -(b * m.tx + a * m.ty) };
}

/**
 * The least-squares similarity taking `src` onto `dst` (Umeyama 1991, without reflection). In 2D
 * Umeyama's SVD solution has this closed form: with centred points p = src - mean, q = dst - mean,
 * a = Σ(p·q)/Σ|p|², b = Σ(p×q)/Σ|p|², t = mean(dst) - [a -b; b a]·mean(src). A reflection can never
 * is never chosen: it would only fit better for a mirrored configuration, which landmarks are not.
 */
export function umeyama(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  if (n !== dst.length || n < 2) throw new Error(`umeyama needs two lists of the same length >= 2 (got ${n} and ${dst.length})`);
  let mx = 0;
  let my = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < n; i++) {
    mx += src[i]![0];
    my += src[i]![1];
    nx += dst[i]![0];
    ny += dst[i]![1];
  }
  mx /= n;
  my /= n;
  nx /= n;
  ny /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - mx;
    const py = src[i]![1] - my;
    const qx = dst[i]![0] - nx;
    const qy = dst[i]![1] - ny;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (!(norm > 0)) throw new Error('umeyama: the source points all coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: nx - (a * mx - b * my), ty: ny - (b * mx + a * my) };
}

/**
 * The five ArcFace points from a synx render label's named landmarks (pupil centres, nose tip, lip
 * corners). synx names points by the subject's side, so the subject's right (`right.*`) is on the
 * image's left at yaw 0, matching the template's order. Null when a point is missing (a model
 * without those landmarks).
 */
export function fivePointsOfLabel(landmarks: readonly { name: string; x: number; y: number }[]): Point[] | null {
  const names = ['right.eye.pupil.center', 'left.eye.pupil.center', 'center.nose.tip', 'right.lips.corner', 'left.lips.corner'];
  const out: Point[] = [];
  for (const n of names) {
    const l = landmarks.find((m) => m.name === n);
    if (!l) return null;
    out.push([l.x, l.y]);
  }
  return out;
}
