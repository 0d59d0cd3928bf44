import * as tf from '@tensorflow/tfjs';
import { loadFaceApiModule } from './load.js';
import type { FaceApiModule } from './load.js';

/** An image as 8-bit pixels, row-major, RGB or RGBA (alpha is ignored). */
export interface Pixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

import type { Point } from '../arcface/index.js';

export type { Point };

/** A face face-api found, in the pixels of the image it was given (padding already undone). */
export interface DetectedFace {
  readonly score: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /** The 68 iBUG / Multi-PIE points, face-api's order (0-16 jaw, 36-41 and 42-47 eye rings, 30 nose tip, 48/54 mouth corners). */
  readonly landmarks?: readonly Point[];
  /** face-api's 128-d descriptor (not normalised); 0.6 euclidean is its usual same-person distance. */
  readonly descriptor?: Float32Array;
}

export type Detector = 'ssd' | 'tiny';

export interface DetectOptions {
  /** SSD MobileNet v1 (more accurate, default) or the tiny detector. */
  readonly detector?: Detector;
  /** Lowest detection score kept (0.5, face-api's default for both detectors). */
  readonly minConfidence?: number;
  /**
   * Side of the neutral grey canvas the image is centred on, as a multiple of the image's size
   * (default 3). Both detectors miss faces that fill the frame (they are trained on photos where a
   * face is a part of the scene); 1 turns padding off, right for photos of whole scenes.
   */
  readonly pad?: number;
  /** The tiny detector's input side (multiple of 32; face-api's default 416). */
  readonly tinyInputSize?: number;
  /** Also find the 68 landmarks (default true). */
  readonly landmarks?: boolean;
  /** Also compute the 128-d descriptor (default true; needs landmarks). */
  readonly descriptors?: boolean;
}

/** face-api's usual same-person threshold on the euclidean distance between descriptors. */
export const SAME_PERSON_DISTANCE = 0.6;

/** The grey of the padding canvas: neutral, so it neither looks like skin nor like a dark frame. */
const PAD_GREY = 128;

/** Channels per pixel of `img` (3 or 4), or an error naming the sizes that disagree. */
export function channelsOf(img: Pixels): 3 | 4 {
  const n = img.width * img.height;
  if (!(img.width > 0 && img.height > 0 && Number.isInteger(img.width) && Number.isInteger(img.height))) {
    throw new Error(`image size ${img.width}x${img.height} is not a positive whole number of pixels`);
  }
  if (img.data.length === n * 3) return 3;
  if (img.data.length === n * 4) return 4;
  throw new Error(`image of ${img.width}x${img.height} pixels has ${img.data.length} bytes, neither RGB (${n * 3}) nor RGBA (${n * 4})`);
}

/**
 * The image as an int32 [H', W', 3] tensor centred on a grey canvas `pad` times its size, and the
 * offset of its top-left corner on that canvas.
 */
export function paddedTensor(img: Pixels, pad = 3): { tensor: tf.Tensor3D; dx: number; dy: number } {
  const ch = channelsOf(img);
  const p = Math.max(1, pad);
  const W = Math.round(img.width * p);
  const H = Math.round(img.height * p);
  const dx = Math.floor((W - img.width) / 2);
  const dy = Math.floor((H - img.height) / 2);
  const out = new Int32Array(W * H * 3);
  if (W !== img.width || H !== img.height) out.fill(PAD_GREY);
  for (let y = 0; y < img.height; y++) {
    let s = y * img.width * ch;
    let d = ((y + dy) * W + dx) * 3;
    for (let x = 0; x < img.width; x++, s += ch, d += 3) {
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { tensor: tf.tensor3d(out, [H, W, 3], 'int32'), dx, dy };
}

function detectorOptions(api: FaceApiModule, o: DetectOptions): unknown {
  const minConfidence = o.minConfidence ?? 0.5;
  return (o.detector ?? 'ssd') === 'ssd'
    ? new api.SsdMobilenetv1Options({ minConfidence, maxResults: 100 })
    : new api.TinyFaceDetectorOptions({ inputSize: o.tinyInputSize ?? 416, scoreThreshold: minConfidence });
}

/**
 * Finds the faces in `img` with face-api, and by default their 68 landmarks and 128-d
 * descriptors. Boxes and landmarks are in `img`'s pixels; faces are sorted by score, best first.
 */
export async function detectFaces(img: Pixels, options: DetectOptions = {}): Promise<DetectedFace[]> {
  const api = await loadFaceApiModule();
  const { tensor, dx, dy } = paddedTensor(img, options.pad ?? 3);
  try {
    const task = api.detectAllFaces(tensor, detectorOptions(api, options));
    const wantLandmarks = options.landmarks ?? true;
    const wantDescriptors = wantLandmarks && (options.descriptors ?? true);
    const unpad = (b: { x: number; y: number; width: number; height: number }) => ({ x: b.x - dx, y: b.y - dy, width: b.width, height: b.height });
    let faces: DetectedFace[];
    if (!wantLandmarks) {
      const found = await task;
      faces = found.map((d) => ({ score: d.score, box: unpad(d.box) }));
    } else {
      const withLm = task.withFaceLandmarks();
      const found = wantDescriptors ? await withLm.withFaceDescriptors() : await withLm;
      faces = found.map((f) => ({
        score: f.detection.score,
        box: unpad(f.detection.box),
        landmarks: f.landmarks.positions.map((p): Point => [p.x - dx, p.y - dy]),
        ...('descriptor' in f ? { descriptor: Float32Array.from((f as { descriptor: Float32Array }).descriptor) } : {}),
      }));
    }
    return faces.sort((a, b) => b.score - a.score);
  } finally {
    tensor.dispose();
  }
}

/** The side of the square crop face-api's recogniser reads (other sizes are resized to it). */
export const RECOGNISER_INPUT = 150;

/**
 * face-api's 128-d descriptor of an already aligned face crop (RGB or RGBA bytes, any size; the
 * recogniser pads it square and resizes it to 150x150, as face-api does for its own crops).
 * No detection: this is the raw recogniser, for evaluating it on synx's aligned renders.
 */
export async function descriptorOfAlignedCrop(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number): Promise<Float32Array> {
  const [d] = await descriptorsOfAlignedCrops([{ data: rgb, width, height }]);
  return d!;
}

/** descriptorOfAlignedCrop for several crops in one batch (faster per crop than one at a time). */
export async function descriptorsOfAlignedCrops(crops: readonly Pixels[]): Promise<Float32Array[]> {
  if (crops.length === 0) return [];
  const api = await loadFaceApiModule();
  const tensors = crops.map((c) => paddedTensor(c, 1).tensor);
  try {
    // face-api returns a bare array for a single tensor input and an array of arrays otherwise.
    const out = await api.nets.faceRecognitionNet.computeFaceDescriptor(tensors.length === 1 ? tensors[0]! : tensors);
    const list = out instanceof Float32Array ? [out] : out;
    return list.map((d) => Float32Array.from(d));
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** Euclidean distance between two descriptors. */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Cosine similarity between two descriptors. */
export function descriptorCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
