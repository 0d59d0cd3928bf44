import { ICT_RANGES, regionOf } from './regions.js';

// The colour contract shared with scripts/ict/colour.ts (the real colour model, built apart): this
// placeholder has the same shape, so the generator switches to the real one by changing an import.

/** What a colour model is built from: the ICT neutral mesh in its upstream numbering. */
export interface IctColourInput {
  /** 3 × 26719 ICT vertex coordinates as in the obj (cm). */
  neutral: Float32Array;
  /** Triangulated ICT faces, full 26719 numbering. */
  triangles: Uint32Array;
  /** The parsed vertex_indices.json. */
  vertexIndices: unknown;
}

/** A linear colour model over the 26719 ICT vertices. */
export interface IctColourModel {
  /** 3 × 26719 linear RGB albedo in [0, 1]. */
  mean: Float32Array;
  /** Displacement of one standard deviation per component; `per` says how often it is drawn. */
  components: { name: string; field: Float32Array; per: 'identity' | 'image' }[];
  note: string;
}

/**
 * A plain placeholder until the real colour model lands: one skin tone with dark mouth and eye
 * sockets, light teeth, pink gums, white sclera and a dark iris and pupil; identity components for
 * overall skin tone, warmth and lip redness, one per-image component for flush.
 */
export function buildPlaceholderColourModel(input: IctColourInput): IctColourModel {
  const v = input.neutral;
  const n = v.length / 3;
  const mean = new Float32Array(3 * n);
  const skin: [number, number, number] = [0.62, 0.43, 0.34];
  const skinMask = new Float32Array(n);
  const lipMask = new Float32Array(n);
  const cheekMask = new Float32Array(n);
  const lm = ((input.vertexIndices as { idx_to_landmark_verts?: number[] }).idx_to_landmark_verts ?? []) as number[];
  const at = (k: number): [number, number, number] => {
    const i = lm[k - 1] ?? 0;
    return [v[3 * i]!, v[3 * i + 1]!, v[3 * i + 2]!];
  };
  const mouthL = at(49);
  const mouthR = at(55);
  const lipTop = at(52);
  const lipBottom = at(58);
  const mouthCx = (mouthL[0] + mouthR[0]) / 2;
  const mouthCy = (lipTop[1] + lipBottom[1]) / 2;
  const mouthHw = Math.abs(mouthR[0] - mouthL[0]) / 2;
  const mouthHh = Math.abs(lipTop[1] - lipBottom[1]) / 2;
  const eyeballCentre = (a: number, b: number) => {
    let front = a;
    for (let i = a; i <= b; i++) if (v[3 * i + 2]! > v[3 * front + 2]!) front = i;
    return front;
  };
  const fronts = [eyeballCentre(...ICT_RANGES.eyeballLeft), eyeballCentre(...ICT_RANGES.eyeballRight)];
  for (let i = 0; i < n; i++) {
    const r = regionOf(i);
    let c: [number, number, number] = skin;
    const x = v[3 * i]!;
    const y = v[3 * i + 1]!;
    const z = v[3 * i + 2]!;
    if (r === 'face' || r === 'headNeck') {
      skinMask[i] = 1;
      // Lips: an ellipse around the mouth landmarks, on the front of the face.
      const e = ((x - mouthCx) / (mouthHw * 1.05)) ** 2 + ((y - mouthCy) / (mouthHh * 1.1)) ** 2;
      if (e < 1 && z > lipBottom[2] - 1.2) {
        lipMask[i] = 1 - e;
        c = [skin[0] * 0.95, skin[1] * 0.72, skin[2] * 0.75];
      }
      for (const side of [-1, 1]) {
        const d2 = ((x - side * 4.5) / 2.2) ** 2 + ((y - (mouthCy + 3)) / 2.2) ** 2;
        cheekMask[i] = Math.max(cheekMask[i]!, Math.exp(-d2));
      }
    } else if (r === 'mouthSocket') c = [0.16, 0.05, 0.05];
    else if (r === 'eyeSockets') c = [0.1, 0.06, 0.05];
    else if (r === 'gumsTongue') c = [0.55, 0.22, 0.22];
    else if (r === 'teeth') c = [0.8, 0.76, 0.66];
    else if (r === 'eyeballLeft' || r === 'eyeballRight') {
      const f = fronts[r === 'eyeballLeft' ? 0 : 1]!;
      const d = Math.hypot(x - v[3 * f]!, y - v[3 * f + 1]!);
      // Distances in cm: pupil radius ~2 mm, iris ~6 mm.
      c = d < 0.2 ? [0.02, 0.02, 0.02] : d < 0.6 ? [0.25, 0.14, 0.07] : [0.78, 0.76, 0.72];
    } else c = [0, 0, 0];
    mean.set(c, 3 * i);
  }
  const field = (f: (i: number) => [number, number, number]) => {
    const out = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) out.set(f(i), 3 * i);
    return out;
  };
  return {
    mean,
    components: [
      { name: 'skin tone', per: 'identity', field: field((i) => [-0.16 * skinMask[i]! * mean[3 * i]!, -0.16 * skinMask[i]! * mean[3 * i + 1]! * 1.1, -0.16 * skinMask[i]! * mean[3 * i + 2]! * 1.15]) },
      { name: 'skin warmth', per: 'identity', field: field((i) => [0.02 * skinMask[i]!, 0.004 * skinMask[i]!, -0.03 * skinMask[i]!]) },
      { name: 'lip redness', per: 'identity', field: field((i) => [0.05 * lipMask[i]!, -0.03 * lipMask[i]!, -0.015 * lipMask[i]!]) },
      { name: 'flush', per: 'image', field: field((i) => [0.02 * cheekMask[i]!, -0.006 * cheekMask[i]!, -0.004 * cheekMask[i]!]) },
    ],
    note: 'Placeholder colour model (plain skin tone, regional constants) until scripts/ict/colour.ts lands.',
  };
}
