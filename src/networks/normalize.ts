/** Named input normalisations of 0..255 pixels, (x - mean) / std per channel. */
export const NORMALIZATIONS: Readonly<Record<string, { readonly mean: number; readonly std: number | readonly [number, number, number]; readonly meanRgb?: readonly [number, number, number]; readonly why: string }>> = {
  // insightface's ArcFace ONNX models (input_mean = input_std = 127.5): pixels to [-1, 1].
  arcface: { mean: 127.5, std: 127.5, why: '(x - 127.5) / 127.5, as insightface feeds its ArcFace models' },
  // FaceNet's fixed_image_standardization.
  facenet: { mean: 127.5, std: 128, why: "(x - 127.5) / 128, FaceNet's fixed image standardisation" },
  unit: { mean: 0, std: 255, why: 'x / 255, pixels to [0, 1]' },
  imagenet: { mean: 0, std: [58.395, 57.12, 57.375], meanRgb: [123.675, 116.28, 103.53], why: 'ImageNet mean and std per RGB channel' },
  none: { mean: 0, std: 1, why: 'pixels as they are, 0..255' },
};

/** The mean and std per channel, in RGB order, of a named normalisation. */
export function normalization(name: string): { mean: [number, number, number]; std: [number, number, number] } | undefined {
  const n = NORMALIZATIONS[name];
  if (!n) return undefined;
  const three = (v: number | readonly [number, number, number]): [number, number, number] => (typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);
  return { mean: n.meanRgb ? three(n.meanRgb) : three(n.mean), std: three(n.std) };
}

/** face-api's recogniser: its mean RGB subtracted, then divided by 255 (FaceRecognitionNet.forwardInput). */
export const FACE_API_NORMALIZATION = { mean: [122.782, 117.001, 104.298] as [number, number, number], std: [255, 255, 255] as [number, number, number] };
/** face-api's recogniser reads 150 × 150 crops. */
export const FACE_API_INPUT = 150;

/** The width of face-api's descriptor (its `fc` layer maps 256 pooled channels to 128). */
export const FACE_API_EMBEDDING = 128;
