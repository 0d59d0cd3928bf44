/**
 * A physically based skin-tone prior: diffuse reflectance of a two-layer skin (melanin in the
 * epidermis, blood in the dermis) from Kubelka–Munk theory, turned into the renderer's colours.
 *
 * Chromophores and scattering follow the values collected by Jacques (2013, "Optical properties of
 * biological tissues: a review", Phys. Med. Biol. 58 R37) and used by Donner & Jensen (2006, "A
 * spectral BSSRDF for shading human skin") and Jimenez et al. (2010, "A practical appearance
 * model for dynamic facial color"):
 *   eumelanin   μa = 6.6e10 · λ^-3.33 mm⁻¹,   pheomelanin μa = 2.9e14 · λ^-4.75 mm⁻¹ (λ in nm);
 *   skin baseline μa = 0.0244 + 8.53 · exp(-(λ - 154) / 66.2) mm⁻¹;
 *   blood μa = ln 10 · (S·ε_HbO2 + (1-S)·ε_Hb) · 150 g/L / 64500 g/mol (Prahl's tabulated molar
 *   extinction of haemoglobin, OMLC, compiled from Gratzer and Kollias), oxygen saturation S = 0.75;
 *   reduced scattering μs' = 4.6 · (λ / 500 nm)^-1.421 mm⁻¹ (Jacques' average for skin).
 * The two layers are combined with Kubelka–Munk (K = 2 μa, S = 0.75 μs'; Doi & Tominaga 2003 used
 * the same two-layer form for skin): the epidermis a slab of thickness 0.1 mm over a
 * semi-infinite dermis, R = R_e + T_e² R_d / (1 - R_e R_d).
 * Colour: CIE 1931 2° colour matching functions in the multi-lobe Gaussian fit of Wyman, Sloan &
 * Shirley (2013), an equal-energy illuminant with the camera white-balanced on it (a perfect white
 * reflector gives RGB (1, 1, 1)), sRGB primaries and the sRGB transfer curve (see `encodeSrgb`).
 */

/** Wavelengths of the spectral grid (nm): 400, 410, …, 700. */
export const WAVELENGTHS: readonly number[] = Array.from({ length: 31 }, (_, i) => 400 + 10 * i);

/**
 * Molar extinction of oxy- and deoxyhaemoglobin (cm⁻¹/M) at WAVELENGTHS, from Scott Prahl's table
 * (omlc.org/spectra/hemoglobin/summary.html).
 */
const HBO2 = [266232, 466840, 480360, 246072, 102580, 62816, 44480, 33209.2, 26629.2, 23684.4, 20932.8, 20035.2, 24202.4, 39956.8, 53236, 43016, 32613.2, 44496, 50104, 14400.8, 3200, 1506, 942, 610, 442, 368, 319.6, 294, 277.6, 276, 290];
const HB = [223296, 303956, 407560, 528600, 413280, 103292, 23388.8, 16156.4, 14550, 16684, 20862, 25773.6, 31589.6, 39036.4, 46592, 53412, 53788, 45072, 37020, 28324.4, 14677.2, 9443.6, 6509.6, 5148.8, 4345.2, 3750.12, 3226.56, 2795.12, 2407.92, 2051.96, 1794.28];

/** The parameters of one skin. */
export interface SkinParams {
  /** Volume fraction of melanin in the epidermis (≈ 0.01 very light … 0.4 very dark). */
  readonly melanin: number;
  /** Fraction of the melanin that is eumelanin (the rest pheomelanin, yellow-red). */
  readonly eumelanin: number;
  /** Volume fraction of blood in the dermis (≈ 0.002 … 0.07). */
  readonly blood: number;
}

const EPIDERMIS_MM = 0.1;
const SATURATION = 0.75;

/** Kubelka–Munk reflectance and transmittance of a slab (K, S per mm, thickness d mm). */
function slab(k: number, s: number, d: number): { r: number; t: number } {
  const a = 1 + k / s;
  const b = Math.sqrt(a * a - 1);
  const bsd = b * s * d;
  const sinh = Math.sinh(bsd);
  const cosh = Math.cosh(bsd);
  const den = a * sinh + b * cosh;
  return { r: sinh / den, t: b / den };
}

/** Diffuse reflectance spectrum of a skin at WAVELENGTHS. */
export function skinReflectance(p: SkinParams): Float64Array {
  const out = new Float64Array(WAVELENGTHS.length);
  WAVELENGTHS.forEach((l, i) => {
    const eu = 6.6e10 * l ** -3.33;
    const pheo = 2.9e14 * l ** -4.75;
    const base = 0.0244 + 8.53 * Math.exp(-(l - 154) / 66.2);
    const mel = p.eumelanin * eu + (1 - p.eumelanin) * pheo;
    const muaEpi = p.melanin * mel + (1 - p.melanin) * base;
    // ε in cm⁻¹/M → μa in mm⁻¹: × ln 10 × (150 / 64500) M, ÷ 10 mm/cm.
    const eps = SATURATION * HBO2[i]! + (1 - SATURATION) * HB[i]!;
    const muaBlood = (Math.LN10 * eps * (150 / 64500)) / 10;
    const muaDerm = p.blood * muaBlood + (1 - p.blood) * base;
    const mus = 4.6 * (l / 500) ** -1.421;
    const s = 0.75 * mus;
    const epi = slab(2 * muaEpi, s, EPIDERMIS_MM);
    const kd = 2 * muaDerm;
    const rd = 1 + kd / s - Math.sqrt((kd / s) ** 2 + (2 * kd) / s);
    out[i] = epi.r + (epi.t * epi.t * rd) / (1 - epi.r * rd);
  });
  return out;
}

/** One lobe of Wyman, Sloan & Shirley's fit: a Gaussian with different widths either side. */
function lobe(l: number, mu: number, s1: number, s2: number): number {
  const t = (l - mu) / (l < mu ? s1 : s2);
  return Math.exp(-0.5 * t * t);
}

/** CIE 1931 2° colour matching functions (Wyman, Sloan & Shirley 2013, multi-lobe fit). */
export function cmf(l: number): [number, number, number] {
  return [
    1.056 * lobe(l, 599.8, 37.9, 31.0) + 0.362 * lobe(l, 442.0, 16.0, 26.7) - 0.065 * lobe(l, 501.1, 20.4, 26.2),
    0.821 * lobe(l, 568.8, 46.9, 40.5) + 0.286 * lobe(l, 530.9, 16.3, 31.1),
    1.217 * lobe(l, 437.0, 11.8, 36.0) + 0.681 * lobe(l, 459.0, 26.0, 13.8),
  ];
}

/** XYZ → linear sRGB (IEC 61966-2-1). */
const XYZ_TO_RGB = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.204, 1.057];

function spectrumToXyz(r: ArrayLike<number>): [number, number, number] {
  let x = 0;
  let y = 0;
  let z = 0;
  WAVELENGTHS.forEach((l, i) => {
    const c = cmf(l);
    x += c[0] * r[i]!;
    y += c[1] * r[i]!;
    z += c[2] * r[i]!;
  });
  return [x, y, z];
}

function xyzToLinear(xyz: readonly number[]): [number, number, number] {
  const m = XYZ_TO_RGB;
  return [0, 1, 2].map((k) => m[3 * k]! * xyz[0]! + m[3 * k + 1]! * xyz[1]! + m[3 * k + 2]! * xyz[2]!) as [number, number, number];
}

const WHITE_LINEAR = xyzToLinear(spectrumToXyz(new Float64Array(WAVELENGTHS.length).fill(1)));

/** Linear RGB of a reflectance spectrum, white-balanced so that a perfect reflector is (1, 1, 1). */
export function spectrumToLinearRgb(r: ArrayLike<number>): [number, number, number] {
  const c = xyzToLinear(spectrumToXyz(r));
  return [c[0] / WHITE_LINEAR[0], c[1] / WHITE_LINEAR[1], c[2] / WHITE_LINEAR[2]];
}

/** The sRGB transfer curve: linear light → encoded value. */
export function encodeSrgb(v: number): number {
  const c = Math.max(0, v);
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** Inverse of `encodeSrgb`. */
export function decodeSrgb(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** The skin's colour in the renderer's colour space (sRGB-encoded values, see colour.ts). */
export function skinColour(p: SkinParams): [number, number, number] {
  const lin = spectrumToLinearRgb(skinReflectance(p));
  return [encodeSrgb(lin[0]), encodeSrgb(lin[1]), encodeSrgb(lin[2])];
}

/** CIELAB (D65 white) of an sRGB-encoded colour. */
export function srgbToLab(rgb: readonly number[]): [number, number, number] {
  const r = decodeSrgb(rgb[0]!);
  const g = decodeSrgb(rgb[1]!);
  const b = decodeSrgb(rgb[2]!);
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/**
 * Individual typology angle ITA° = atan((L* - 50) / b*) · 180/π (Chardon, Cretois & Hourseau 1991):
 * > 55 very light, 41–55 light, 28–41 intermediate, 10–28 tan, -30–10 brown, < -30 dark
 * (the categories of Del Bino & Bernerd 2013).
 */
export function ita(rgb: readonly number[]): number {
  const [l, , b] = srgbToLab(rgb);
  return (Math.atan2(l - 50, b) * 180) / Math.PI;
}
