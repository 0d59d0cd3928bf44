import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ambientOcclusion, vertexNormals } from '../../scripts/ict/colour-geometry.js';
import { decodeSrgb, encodeSrgb, ita, skinColour, skinReflectance, spectrumToLinearRgb, srgbToLab, WAVELENGTHS } from '../../scripts/ict/colour-skin.js';
import { bloodDirection, buildIctColourModel, COLOUR_SETTINGS, ICT_RANGES, ICT_VERTEX_COUNT, regionOf, skinTonePrior, symmetricEigen3, type IctColourModel } from '../../scripts/ict/colour.js';
import { parseObj, triangulate } from '../../scripts/ict/obj.js';

describe('skin colour pipeline (hand-computed references)', () => {
  it('a perfect white reflector is RGB (1, 1, 1) and L* 100; an 18% grey is sRGB 0.4614 and L* 49.5', () => {
    const white = spectrumToLinearRgb(new Float64Array(WAVELENGTHS.length).fill(1));
    white.forEach((c) => expect(c).toBeCloseTo(1, 12));
    const grey = spectrumToLinearRgb(new Float64Array(WAVELENGTHS.length).fill(0.18));
    grey.forEach((c) => expect(c).toBeCloseTo(0.18, 12));
    // 1.055 · 0.18^(1/2.4) - 0.055 = 0.46135; L* = 116 · 0.18^(1/3) - 16 = 49.50.
    expect(encodeSrgb(0.18)).toBeCloseTo(0.46135, 4);
    expect(decodeSrgb(encodeSrgb(0.18))).toBeCloseTo(0.18, 10);
    const lab = srgbToLab([encodeSrgb(0.18), encodeSrgb(0.18), encodeSrgb(0.18)]);
    expect(lab[0]).toBeCloseTo(49.5, 1);
    expect(Math.abs(lab[1])).toBeLessThan(0.05);
    expect(Math.abs(lab[2])).toBeLessThan(0.05);
    expect(srgbToLab([1, 1, 1])[0]).toBeCloseTo(100, 2);
  });

  it('ITA° follows its definition atan((L* - 50) / b*)', () => {
    const c = [0.8, 0.6, 0.5];
    const [l, , b] = srgbToLab(c);
    expect(ita(c)).toBeCloseTo((Math.atan((l - 50) / b) * 180) / Math.PI, 10);
  });

  it('skin with no melanin and no blood approaches the Kubelka–Munk R∞ of the baseline dermis', () => {
    // Both layers are then the same material, so the two-layer sum must give the semi-infinite
    // R∞. At 700 nm: baseline μa = 0.0244 + 8.53 · exp(-(700 - 154) / 66.2) = 0.026632 mm⁻¹,
    // μs' = 4.6 · 1.4^-1.421 = 2.8519 mm⁻¹, K/S = 2 · 0.026632 / (0.75 · 2.8519) = 0.024903,
    // R∞ = 1 + K/S - sqrt((K/S)² + 2 K/S) = 0.80035.
    const r = skinReflectance({ melanin: 0, eumelanin: 1, blood: 0 });
    expect(r[WAVELENGTHS.indexOf(700)]!).toBeCloseTo(0.80035, 4);
  });

  it('melanin darkens every wavelength, blood absorbs green (the haemoglobin Q bands) more than red', () => {
    const light = skinReflectance({ melanin: 0.02, eumelanin: 0.8, blood: 0.01 });
    const dark = skinReflectance({ melanin: 0.2, eumelanin: 0.8, blood: 0.01 });
    light.forEach((x, i) => expect(dark[i]!).toBeLessThan(x));
    const pale = skinReflectance({ melanin: 0.02, eumelanin: 0.8, blood: 0.002 });
    const flushed = skinReflectance({ melanin: 0.02, eumelanin: 0.8, blood: 0.05 });
    const at = (r: Float64Array, l: number) => r[WAVELENGTHS.indexOf(l)]!;
    expect(at(pale, 540) - at(flushed, 540)).toBeGreaterThan(3 * (at(pale, 680) - at(flushed, 680)));
    expect(srgbToLab(skinColour({ melanin: 0.02, eumelanin: 0.8, blood: 0.05 }))[1]).toBeGreaterThan(srgbToLab(skinColour({ melanin: 0.02, eumelanin: 0.8, blood: 0.002 }))[1]);
  });

  it('the skin-tone axis spans very light (ITA° > 55) to dark (ITA° < -30) at ±2 sd, and holds most of the variance', () => {
    const p = skinTonePrior();
    const at = (c: number) => p.mean.map((m, k) => m + c * p.axes[0]![k]!);
    // Del Bino & Bernerd (2013) categories: very light > 55°, dark < -30°.
    expect(ita(at(-2))).toBeGreaterThan(55);
    expect(ita(at(2))).toBeLessThan(-30);
    // The mean is a mid tone (intermediate or tan: 10°–41°).
    expect(ita(p.mean)).toBeGreaterThan(10);
    expect(ita(p.mean)).toBeLessThan(41);
    for (const c of [-2, 2]) {
      for (const x of at(c)) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(1);
      }
    }
    expect(p.shares[0]!).toBeGreaterThan(0.95);
    expect(p.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    // The population itself reaches both ends.
    const itas = p.samples.map(ita);
    expect(Math.max(...itas)).toBeGreaterThan(55);
    expect(Math.min(...itas)).toBeLessThan(-30);
  });

  it("a face's blood range (the skinBlood setting) brings -1 sd of the melanin axis to measured faces' lightness and redness; the shipped forearm range is paler", () => {
    // Bare faces of 543 Korean women: group means L* 60.7 / 63.9 / 66.7, about 3 apart (Biomed.
    // Dermatol. 2017, doi:10.1186/s41702-017-0002-7); facial redness a* is at least about 10.
    const minusOne = (p: ReturnType<typeof skinTonePrior>) => srgbToLab(p.mean.map((m, k) => m - p.axes[0]![k]!));
    const [L, a] = minusOne(skinTonePrior({ melanin: [0.015, 0.25], blood: [0.015, 0.08] }));
    expect(L).toBeGreaterThan(60.7);
    expect(L).toBeLessThan(66.7 + 3);
    expect(a).toBeGreaterThan(9);
    // The shipped prior (forearm-like blood, 0.4-5%): lighter and less red than those faces.
    const [L0, a0] = minusOne(skinTonePrior());
    expect(L0).toBeGreaterThan(66.7 + 3);
    expect(a0).toBeLessThan(9);
    // The setting reaches the built model: same ranges as the default, same prior.
    expect(skinTonePrior({ melanin: COLOUR_SETTINGS.skinMelanin, blood: COLOUR_SETTINGS.skinBlood }).mean).toEqual(skinTonePrior().mean);
  });

  it('redness follows blood: more blood darkens green most (the haemoglobin bands), so less of it pales rather than greens', () => {
    const d = bloodDirection();
    expect(Math.hypot(...d)).toBeCloseTo(1, 12);
    expect(d[1]).toBeLessThan(d[0]);
    expect(d[1]).toBeLessThan(d[2]);
    for (const x of d) expect(x).toBeLessThan(0);
  });

  it('symmetricEigen3 diagonalises a known matrix', () => {
    // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1.
    const { values, vectors } = symmetricEigen3(new Float64Array([2, 1, 0, 1, 2, 0, 0, 0, 5]));
    expect(values[0]).toBeCloseTo(5, 10);
    expect(values[1]).toBeCloseTo(3, 10);
    expect(values[2]).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[1]![0]!)).toBeCloseTo(Math.SQRT1_2, 10);
    expect(Math.abs(vectors[1]![1]!)).toBeCloseTo(Math.SQRT1_2, 10);
  });
});

describe('ambient occlusion', () => {
  it('matches the view factor of an open square box seen from the centre of its floor', () => {
    // Floor z = 0 (a square of half side 1 cm around the target vertex), walls up to h = 1 cm,
    // open top. The cosine-weighted share of rays that escape is the view factor from a
    // differential area to a parallel square of half side a at height h (four corner rectangles):
    // F = 4 · 1/(2π) · 2 · X/√(1+X²) · atan(X/√(1+X²)) with X = a/h = 1, i.e. 0.5541.
    const pos = new Float32Array([
      0, 0, 0, // target
      -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0, // floor corners
      -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1, // wall tops
    ]);
    const tris = new Uint32Array([
      0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 1,
      1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 4, 8, 3, 8, 7, 4, 1, 5, 4, 5, 8,
    ]);
    const normals = new Float32Array(pos.length);
    normals[2] = 1;
    const ao = ambientOcclusion(pos, normals, tris, [0], 20000, 100, 7);
    expect(ao[0]!).toBeCloseTo(0.5541, 1);
    expect(Math.abs(ao[0]! - 0.5541)).toBeLessThan(0.012);
  });
});

describe('OBJ reader', () => {
  it('reads v and f lines with v/vt corners and negative indices, and fan-triangulates', () => {
    const text = ['# c', 'v 0 0 0', 'v 1 0 0', 'v 1 1 0', 'v 0 1 0', 'vt 0 0', 'f 1/1 2/1 3/1 4/1', 'f -4 -3 -1'].join('\n');
    const m = parseObj(text, 'x.obj');
    expect(Array.from(m.vertices)).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
    expect(m.faces).toEqual([[0, 1, 2, 3], [0, 1, 3]]);
    expect(Array.from(triangulate(m.faces))).toEqual([0, 1, 2, 0, 2, 3, 0, 1, 3]);
  });

  it('names the file and line of a bad vertex or face', () => {
    expect(() => parseObj('v 1 2\n', 'a.obj')).toThrow(/a\.obj:1: a vertex needs three numbers/);
    expect(() => parseObj('v 0 0 0\nf 1 2 3\n', 'b.obj')).toThrow(/b\.obj: a face refers to vertex 2, but the file has 1 vertices/);
  });
});

const ICT_DIR = path.join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'ict-facekit', 'FaceXModel');
const haveIct = existsSync(path.join(ICT_DIR, 'generic_neutral_mesh.obj'));

describe.skipIf(!haveIct)(`ICT colour model on the ICT neutral mesh (${haveIct ? ICT_DIR : 'ICT-FaceKit not found beside the repository'})`, () => {
  let neutral: Float32Array;
  let triangles: Uint32Array;
  let vertexIndices: unknown;
  let model: IctColourModel;
  let landmark: (k: number) => [number, number, number];

  beforeAll(() => {
    const obj = parseObj(readFileSync(path.join(ICT_DIR, 'generic_neutral_mesh.obj'), 'utf8'), 'generic_neutral_mesh.obj');
    neutral = obj.vertices;
    triangles = triangulate(obj.faces);
    vertexIndices = JSON.parse(readFileSync(path.join(ICT_DIR, 'vertex_indices.json'), 'utf8'));
    model = buildIctColourModel({ neutral, triangles, vertexIndices });
    const lm = (vertexIndices as { idx_to_landmark_verts: number[] }).idx_to_landmark_verts;
    landmark = (k) => [neutral[3 * lm[k]!]!, neutral[3 * lm[k]! + 1]!, neutral[3 * lm[k]! + 2]!];
    // A build takes about 4 s alone, several times that on a loaded machine.
  }, 240_000);

  it('reads the upstream mesh: 26,719 vertices, 25,836 quads + 548 triangles = 52,220 triangles', () => {
    expect(neutral.length).toBe(3 * ICT_VERTEX_COUNT);
    expect(triangles.length).toBe(3 * (2 * 25836 + 548));
  });

  it('is deterministic: a second build gives the same bytes', () => {
    const again = buildIctColourModel({ neutral, triangles, vertexIndices });
    expect(Buffer.from(again.mean.buffer).equals(Buffer.from(model.mean.buffer))).toBe(true);
    expect(again.components.map((c) => c.name)).toEqual(model.components.map((c) => c.name));
    again.components.forEach((c, j) => expect(Buffer.from(c.field.buffer).equals(Buffer.from(model.components[j]!.field.buffer))).toBe(true));
    expect(again.note).toBe(model.note);
  }, 240_000);

  it('has the contract shape: 3N arrays, identity components before image ones', () => {
    expect(model.mean.length).toBe(3 * ICT_VERTEX_COUNT);
    model.components.forEach((c) => expect(c.field.length).toBe(3 * ICT_VERTEX_COUNT));
    const pers = model.components.map((c) => c.per);
    expect(pers.indexOf('image')).toBeGreaterThan(10);
    expect(pers.slice(pers.indexOf('image')).every((p) => p === 'image')).toBe(true);
    expect(model.components[0]!.name).toMatch(/skin tone/);
  });

  it('keeps the mean, and the mean ± 2 sd of every component, inside [0, 1]', () => {
    const out: string[] = [];
    for (let i = 0; i < model.mean.length; i++) {
      if (!(model.mean[i]! >= 0 && model.mean[i]! <= 1)) out.push(`mean[${i}] = ${model.mean[i]}`);
    }
    for (const c of model.components) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < model.mean.length; i++) {
        lo = Math.min(lo, model.mean[i]! - 2 * Math.abs(c.field[i]!));
        hi = Math.max(hi, model.mean[i]! + 2 * Math.abs(c.field[i]!));
      }
      if (lo < -0.002 || hi > 1.002) out.push(`${c.name}: [${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
    }
    expect(out).toEqual([]);
  });

  it('every component changes only the regions it claims', () => {
    const brow = (landmark(19)[1] + landmark(24)[1]) / 2;
    const eyeTop = Math.max(...[37, 38, 43, 44].map((k) => landmark(k)[1]));
    const lipsTop = landmark(50)[1];
    const lipsBottom = landmark(57)[1];
    const mouthHalf = landmark(54)[0];
    const noseTip = landmark(30);
    const eyeCentres = [[36, 39], [42, 45]].map(([a, b]) => [(landmark(a!)[0] + landmark(b!)[0]) / 2, (landmark(a!)[1] + landmark(b!)[1]) / 2] as const);
    const chin = landmark(8)[1];
    const skin = (v: number) => regionOf(v) === 'face' || regionOf(v) === 'headNeck';
    const eyeball = (v: number) => regionOf(v) === 'eyeballLeft' || regionOf(v) === 'eyeballRight';
    const x = (v: number) => neutral[3 * v]!;
    const y = (v: number) => neutral[3 * v + 1]!;
    const z = (v: number) => neutral[3 * v + 2]!;
    const nearEye = (v: number, r: number) => eyeCentres.some(([cx, cy]) => Math.hypot(x(v) - cx, y(v) - cy) < r);
    // Claims, written from the anatomy rather than from the code's masks.
    const claims: [RegExp, (v: number) => boolean][] = [
      [/skin tone \(warmth\)|skin tone \(redness\)|skin texture/, (v) => skin(v)],
      // The melanin axis also darkens hair, so eyelashes too.
      [/skin tone \(melanin\)/, (v) => skin(v) || regionOf(v) === 'eyelashes'],
      [/^lip/, (v) => skin(v) && y(v) < lipsTop + 0.3 && y(v) > lipsBottom - 0.3 && Math.abs(x(v)) < mouthHalf + 0.3],
      [/^iris/, (v) => eyeball(v) && z(v) > 8.5],
      [/^beard/, (v) => skin(v) && y(v) < landmark(1)[1] + 0.8 && y(v) > chin - 5],
      [/^brow/, (v) => skin(v) && y(v) > eyeTop - 0.3 && y(v) < brow + 1.5 && Math.abs(x(v)) < landmark(45)[0] + 2 && z(v) > 5],
      // 1.5 cm above the brows, the sides of the head from mid-ear up (sideburns), or behind the ears.
      [/^scalp|^hairline|^hair length/, (v) => skin(v) && (y(v) > brow + 1.5 || (Math.abs(x(v)) > 5.5 && y(v) > landmark(2)[1] - 1) || z(v) < landmark(0)[2])],
      [/^hair colour/, (v) => skin(v) || regionOf(v) === 'eyelashes'],
      [/^cheek flush/, (v) => skin(v) && y(v) > lipsBottom - 2 && y(v) < eyeTop + 1 && z(v) > 3],
      [/^lash density/, (v) => skin(v) && nearEye(v, 2)],
      [/^under-eye/, (v) => skin(v) && nearEye(v, 3.5)],
      [/^nose and ear/, (v) => skin(v) && (Math.hypot(x(v) - noseTip[0], y(v) - noseTip[1]) < 3.5 || Math.abs(x(v)) > 5)],
      [/^flush \(per image\)/, (v) => skin(v) && (Math.hypot(x(v) - noseTip[0], y(v) - noseTip[1]) < 3.5 || Math.abs(x(v)) > 5 || (y(v) > lipsBottom - 2 && y(v) < eyeTop + 1))],
      [/^tan/, (v) => skin(v) && z(v) > 0],
    ];
    const unclaimed = model.components.filter((c) => !claims.some(([re]) => re.test(c.name))).map((c) => c.name);
    expect(unclaimed).toEqual([]);
    for (const c of model.components) {
      const claim = claims.find(([re]) => re.test(c.name))![1];
      let worst = 0;
      let inside = 0;
      for (let v = 0; v < ICT_VERTEX_COUNT; v++) {
        const m = Math.max(Math.abs(c.field[3 * v]!), Math.abs(c.field[3 * v + 1]!), Math.abs(c.field[3 * v + 2]!));
        if (claim(v)) inside = Math.max(inside, m);
        else worst = Math.max(worst, m);
      }
      // Outside: below a quarter of an 8-bit level at 1 sd; inside: it does something.
      expect({ name: c.name, outside: worst < 1e-3 }).toEqual({ name: c.name, outside: true });
      expect({ name: c.name, inside: inside > 0.005 }).toEqual({ name: c.name, inside: true });
    }
  });

  it('the beard settings change only the beard region', () => {
    // The normal beard prior the model had before (0.15 ± 0.1 cover: some shadow on 93% of faces;
    // docs/realism.md, "The colour model's parts at profile"), against the shipped rectified one
    // (\`model\`: none on half the faces, 0.18 cover per sd on the rest).
    const before = buildIctColourModel({ neutral, triangles, vertexIndices }, { ...COLOUR_SETTINGS, beardCover: 0.15, beardSd: 0.1, beardRectified: 0 });
    const chin = landmark(8)[1];
    // The beard's claim in 'every component changes only the regions it claims', from the anatomy.
    const beardRegion = (v: number) => (regionOf(v) === 'face' || regionOf(v) === 'headNeck') && neutral[3 * v + 1]! < landmark(1)[1] + 0.8 && neutral[3 * v + 1]! > chin - 5;
    const changed = (a: Float32Array, b: Float32Array) => {
      const out = { inside: 0, outside: 0 };
      for (let v = 0; v < ICT_VERTEX_COUNT; v++) {
        const d = Math.max(...[0, 1, 2].map((k) => Math.abs(a[3 * v + k]! - b[3 * v + k]!)));
        if (beardRegion(v)) out.inside = Math.max(out.inside, d);
        else out.outside = Math.max(out.outside, d);
      }
      return out;
    };
    const mean = changed(before.mean, model.mean);
    expect(mean.outside).toBe(0);
    expect(mean.inside).toBeGreaterThan(0.01);
    const touched = model.components.filter((c, j) => {
      const d = changed(before.components[j]!.field, c.field);
      expect({ name: c.name, outside: d.outside }).toEqual({ name: c.name, outside: 0 });
      return d.inside > 0;
    });
    // Inside it, less hair cover also means more skin for the fields painted on skin (tone, texture, tints).
    expect(touched.map((c) => c.name)).toContain('beard');
    expect(touched.map((c) => c.name)).toContain('skin tone (melanin)');
    expect(touched.map((c) => c.name)).not.toContain('iris lightness');
    // The shipped beard field is 1.8 times the old one (0.18 cover per sd instead of 0.1), and it
    // alone is rectified.
    const j = model.components.findIndex((c) => c.name === 'beard');
    let ratio = 0;
    for (let i = 0; i < model.mean.length; i++) if (Math.abs(before.components[j]!.field[i]!) > 1e-3) ratio = Math.max(ratio, Math.abs(model.components[j]!.field[i]! / before.components[j]!.field[i]! - 1.8));
    expect(ratio).toBeLessThan(1e-5);
    expect(model.components.flatMap((c) => (c.prior === 'rectified' ? [c.name] : []))).toEqual(['beard']);
    expect(before.components.some((c) => c.prior)).toBe(false);
  }, 240_000);

  it('paints eyes, mouth and teeth plausibly: white sclera, dark pupil, light teeth, dark mouth socket', () => {
    const avg = (lo: number, hi: number, pick: (v: number) => boolean) => {
      const s = [0, 0, 0];
      let n = 0;
      for (let v = lo; v <= hi; v++) {
        if (!pick(v)) continue;
        for (let k = 0; k < 3; k++) s[k] = s[k]! + model.mean[3 * v + k]!;
        n++;
      }
      return s.map((x) => x / n);
    };
    const [a, b] = ICT_RANGES.eyeballLeft;
    let front = a;
    for (let v = a; v <= b; v++) if (neutral[3 * v + 2]! > neutral[3 * front + 2]!) front = v;
    const pupil = avg(front, front, () => true);
    expect(Math.max(...pupil)).toBeLessThan(0.1);
    // Visible sclera: eyeball vertices inside the eye opening (landmarks 42–47), off the iris.
    const opening = [42, 43, 44, 45, 46, 47].map((k) => landmark(k));
    const inOpening = (v: number) => {
      const px = neutral[3 * v]!;
      const py = neutral[3 * v + 1]!;
      let inside = false;
      for (let i = 0, j = opening.length - 1; i < opening.length; j = i++) {
        const [xi, yi] = opening[i]!;
        const [xj, yj] = opening[j]!;
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    };
    const frontZ = neutral[3 * front + 2]!;
    const sclera = avg(a, b, (v) => inOpening(v) && neutral[3 * v + 2]! > frontZ - 1 && Math.hypot(neutral[3 * v]! - neutral[3 * front]!, neutral[3 * v + 1]! - neutral[3 * front + 1]!) > 0.75);
    expect(Math.min(...sclera)).toBeGreaterThan(0.55);
    // Front teeth facing the camera (an open mouth shows them): light, not occluded black. They
    // take half the closed mouth's occlusion: a tooth the lips hide fully, open to 90% among the
    // teeth, keeps 0.74 · (1 - 0.85 · (1 - 0.45)) = 0.39 of blue; fully occluded would be 0.11.
    const normals = vertexNormals(neutral, triangles);
    const teeth: number[] = [];
    for (let v = ICT_RANGES.teeth[0]; v <= ICT_RANGES.teeth[1]; v++) {
      if (neutral[3 * v + 2]! > 10.3 && normals[3 * v + 2]! > 0.5) teeth.push(Math.min(model.mean[3 * v]!, model.mean[3 * v + 1]!, model.mean[3 * v + 2]!));
    }
    teeth.sort((p, q) => p - q);
    expect(teeth.length).toBeGreaterThan(50);
    expect(teeth[teeth.length >> 1]!).toBeGreaterThan(0.35);
    const socket = avg(...ICT_RANGES.mouthSocket, () => true);
    expect(Math.max(...socket)).toBeLessThan(0.4);
  });

  it('bakes ambient occlusion: nostrils and mouth darker than the open cheek', () => {
    // The iBUG nose-base landmark 33 sits between the nostrils; the cheek below the eye is open.
    const lm = (vertexIndices as { idx_to_landmark_verts: number[] }).idx_to_landmark_verts;
    const lum = (v: number) => model.mean[3 * v]! + model.mean[3 * v + 1]! + model.mean[3 * v + 2]!;
    let cheek = -1;
    let best = Infinity;
    const target = [landmark(41)[0] - 0.3, landmark(41)[1] - 2.2];
    for (let v = 0; v <= ICT_RANGES.face[1]; v++) {
      const d = Math.hypot(neutral[3 * v]! - target[0]!, neutral[3 * v + 1]! - target[1]!) - (neutral[3 * v + 2]! > 8 ? 0 : 100);
      if (d < best) [best, cheek] = [d, v];
    }
    // Darkest vertex within 1 cm of the nostrils (below the nose tip, beside landmark 33).
    let nostril = Infinity;
    for (let v = 0; v <= ICT_RANGES.face[1]; v++) {
      const dx = neutral[3 * v]! - landmark(33)[0];
      const dy = neutral[3 * v + 1]! - landmark(33)[1];
      if (Math.hypot(dx, dy) < 1 && neutral[3 * v + 2]! > landmark(33)[2] - 1.5) nostril = Math.min(nostril, lum(v));
    }
    expect(nostril).toBeLessThan(0.6 * lum(cheek));
    expect(lm.length).toBe(68);
  });

  it('rejects a mesh of the wrong size or a vertex_indices.json without the 68 landmarks', () => {
    expect(() => buildIctColourModel({ neutral: new Float32Array(30), triangles, vertexIndices })).toThrow(/neutral mesh has 10 vertices, expected 26719/);
    expect(() => buildIctColourModel({ neutral, triangles, vertexIndices: { idx_to_landmark_verts: [1, 2] } })).toThrow(/idx_to_landmark_verts' must list 68 vertex indices/);
  });
});
