/**
 * Lambertian shading with 9-coefficient RGB spherical harmonics (bands 0–2, real basis, the order
 * of Ramamoorthi & Hanrahan and scalismo-faces: Y00, Y1-1, Y10, Y11, Y2-2, Y2-1, Y20, Y21, Y22).
 *
 * synx keeps *shading* coefficients s (27 numbers, index 3k + channel): the factor a vertex's albedo
 * is multiplied by is Σ_k s_k · Y_k(n). Environment maps (.rps files) hold radiance coefficients L;
 * a Lambertian surface turns them into shading by the band kernel (1, 2/3, 1/4) = Â_l / π.
 */

/** The constants of the real SH basis functions of bands 0–2. */
export const SH_CONST = {
  c0: 0.5 * Math.sqrt(1 / Math.PI), // 0.282095
  c1: Math.sqrt(3 / (4 * Math.PI)), // 0.488603
  c2: 0.5 * Math.sqrt(15 / Math.PI), // 1.092548
  c20: 0.25 * Math.sqrt(5 / Math.PI), // 0.315392
  c22: 0.25 * Math.sqrt(15 / Math.PI), // 0.546274
} as const;

/** Per band: the Lambertian kernel over π (radiance → shading). */
export const LAMBERT_BAND = [1, 2 / 3, 1 / 4] as const;
const BAND_OF = [0, 1, 1, 1, 2, 2, 2, 2, 2] as const;

/** The 9 basis functions at the unit vector (x, y, z), into `out`. */
export function shBasis(x: number, y: number, z: number, out: Float64Array = new Float64Array(9)): Float64Array {
  const { c0, c1, c2, c20, c22 } = SH_CONST;
  out[0] = c0;
  out[1] = c1 * y;
  out[2] = c1 * z;
  out[3] = c1 * x;
  out[4] = c2 * x * y;
  out[5] = c2 * y * z;
  out[6] = c20 * (3 * z * z - 1);
  out[7] = c2 * x * z;
  out[8] = c22 * (x * x - y * y);
  return out;
}

/** Σ_k s_k · Y_k(n) per channel, for shading coefficients s (27) at unit normal n. */
export function shade(s: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  const b = shBasis(x, y, z);
  let r = 0;
  let g = 0;
  let bl = 0;
  for (let k = 0; k < 9; k++) {
    r += s[3 * k]! * b[k]!;
    g += s[3 * k + 1]! * b[k]!;
    bl += s[3 * k + 2]! * b[k]!;
  }
  return [r, g, bl];
}

/** Radiance coefficients of an environment map (9 × RGB) → shading coefficients (27). */
export function envToShading(env: readonly (readonly number[])[]): Float64Array {
  const s = new Float64Array(27);
  for (let k = 0; k < 9; k++) {
    const row = env[k];
    const w = LAMBERT_BAND[BAND_OF[k]!];
    for (let c = 0; c < 3; c++) s[3 * k + c] = (row?.[c] ?? 0) * w;
  }
  return s;
}

/** Shading coefficients → radiance coefficients (9 rows of RGB), for .rps export. */
export function shadingToEnv(s: ArrayLike<number>): number[][] {
  const env: number[][] = [];
  for (let k = 0; k < 9; k++) {
    const w = LAMBERT_BAND[BAND_OF[k]!];
    env.push([s[3 * k]! / w, s[3 * k + 1]! / w, s[3 * k + 2]! / w]);
  }
  return env;
}

/**
 * The Blinn-Phong exponent of `specular ~` highlights: n·h ≥ 0.958 (17° off) keeps half the peak.
 * The renderer's shading computes it as four squarings (shadeVertices): change both together.
 */
export const SPECULAR_EXPONENT = 16;

/** What a highlight needs of an image's light: the half vector h (unit) and the light's intensity. */
export interface SpecularLight {
  readonly hx: number;
  readonly hy: number;
  readonly hz: number;
  readonly intensity: number;
}

/**
 * The directional part of shading coefficients `s`, for a highlight. A light from unit direction
 * d with intensity i puts (2π/3)·c1·i·d into band 1 (Y1-1 = c1·y, Y10 = c1·z, Y11 = c1·x; see
 * addDirectional), so the channels' mean band-1 vector gives d and i (an ambient term adds
 * nothing there; of several lights, their sum). The viewer is on +z (camera space, as the shading
 * normals), so h = (d + z) / |d + z|. Null when band 1 is zero or the light is straight behind
 * the head: there is no highlight to draw.
 */
export function specularLight(s: ArrayLike<number>): SpecularLight | null {
  const band1 = (k: number) => (s[3 * k]! + s[3 * k + 1]! + s[3 * k + 2]!) / 3;
  const x = band1(3);
  const y = band1(1);
  const z = band1(2);
  const len = Math.hypot(x, y, z);
  if (!(len > 0)) return null;
  const hx = x / len;
  const hy = y / len;
  const hz = z / len + 1;
  const h = Math.hypot(hx, hy, hz);
  if (!(h > 1e-9)) return null;
  return { hx: hx / h, hy: hy / h, hz: hz / h, intensity: len / (Math.PI * LAMBERT_BAND[1] * SH_CONST.c1) };
}

/** Adds a uniform (ambient) light: shading `rgb` for every normal. */
export function addAmbient(s: Float64Array, rgb: readonly number[]): Float64Array {
  for (let c = 0; c < 3; c++) s[c] = s[c]! + rgb[c]! / SH_CONST.c0;
  return s;
}

/**
 * Adds a directional light from unit direction d (pointing towards the light): its shading is
 * the band-limited max(0, n·d) · rgb, i.e. s_k += Â_l · Y_k(d) · rgb with Â = (π, 2π/3, π/4).
 */
export function addDirectional(s: Float64Array, d: readonly number[], rgb: readonly number[]): Float64Array {
  const b = shBasis(d[0]!, d[1]!, d[2]!);
  for (let k = 0; k < 9; k++) {
    const a = Math.PI * LAMBERT_BAND[BAND_OF[k]!];
    for (let c = 0; c < 3; c++) s[3 * k + c] = s[3 * k + c]! + a * b[k]! * rgb[c]!;
  }
  return s;
}
