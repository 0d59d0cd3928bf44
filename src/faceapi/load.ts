import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NodeFailure } from '../node/index.js';
import { useBackend } from '../train/index.js';

/**
 * The part of @vladmandic/face-api's API that synx calls. Declared here rather than imported from
 * the package's .d.ts, which references a webgpu typings file the npm package does not ship.
 */
export interface FaceApiModule {
  readonly version: string;
  readonly nets: {
    readonly ssdMobilenetv1: FaceApiNet;
    readonly tinyFaceDetector: FaceApiNet;
    readonly faceLandmark68Net: FaceApiNet;
    readonly faceRecognitionNet: FaceApiNet & {
      computeFaceDescriptor(input: tf.Tensor3D | tf.Tensor3D[]): Promise<Float32Array | Float32Array[]>;
    };
  };
  SsdMobilenetv1Options: new (o: { minConfidence?: number; maxResults?: number }) => unknown;
  TinyFaceDetectorOptions: new (o: { inputSize?: number; scoreThreshold?: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): FaceApiDetectTask;
}

interface FaceApiNet {
  readonly isLoaded: boolean;
  loadFromDisk(dir: string): Promise<void>;
}

/** face-api's box, in the pixels of the tensor it was given. */
export interface FaceApiBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface FaceApiDetection {
  readonly score: number;
  readonly box: FaceApiBox;
}

export interface FaceApiDetectTask extends PromiseLike<FaceApiDetection[]> {
  withFaceLandmarks(): PromiseLike<Array<{ detection: FaceApiDetection; landmarks: { positions: Array<{ x: number; y: number }> } }>> & {
    withFaceDescriptors(): PromiseLike<
      Array<{ detection: FaceApiDetection; landmarks: { positions: Array<{ x: number; y: number }> }; descriptor: Float32Array }>
    >;
  };
}

const require = createRequire(import.meta.url);

/** The folder of face-api's weights inside its npm package (nothing is downloaded). */
export function faceApiModelDir(): string {
  // The package has no `exports` map, so its package.json resolves and locates model/.
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

let loading: Promise<FaceApiModule> | null = null;

/**
 * Loads face-api's node-wasm build and its four networks (SSD MobileNet v1 and tiny detectors,
 * 68-point landmarks, 128-d recogniser), once per thread. The node-wasm build requires
 * `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` by name, so it shares synx's single
 * tfjs 4.22 copy and its wasm backend instead of bundling a second one.
 */
export function loadFaceApiModule(): Promise<FaceApiModule> {
  if (!loading) {
    loading = load().catch((e: unknown) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

async function load(): Promise<FaceApiModule> {
  await useBackend('wasm');
  let api: FaceApiModule;
  try {
    api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  } catch (e) {
    throw new NodeFailure(
      `cannot load @vladmandic/face-api: ${(e as Error).message.split('\n')[0]}`,
      'reinstall synx (face-api 1.7.15 is one of its dependencies)',
      'SX5003',
    );
  }
  const dir = faceApiModelDir();
  const nets: Array<[FaceApiNet, string]> = [
    [api.nets.ssdMobilenetv1, 'ssd_mobilenetv1_model'],
    [api.nets.tinyFaceDetector, 'tiny_face_detector_model'],
    [api.nets.faceLandmark68Net, 'face_landmark_68_model'],
    [api.nets.faceRecognitionNet, 'face_recognition_model'],
  ];
  for (const [net, name] of nets) {
    if (net.isLoaded) continue;
    const manifest = path.join(dir, `${name}-weights_manifest.json`);
    if (!existsSync(manifest)) {
      throw new NodeFailure(`face-api weights missing: ${manifest}`, 'reinstall @vladmandic/face-api 1.7.15 (its npm package ships model/)', 'SX5003');
    }
    await net.loadFromDisk(dir);
  }
  return api;
}
