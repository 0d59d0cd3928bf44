// face-api (@vladmandic/face-api 1.7.15): an off-the-shelf detector, 68-point landmarker and
// 128-d recogniser trained on real photos, run offline on synx's tfjs wasm backend.
export { faceApiModelDir, loadFaceApiModule } from './load.js';
export type { FaceApiModule } from './load.js';
export {
  channelsOf,
  descriptorCosine,
  descriptorDistance,
  descriptorOfAlignedCrop,
  descriptorsOfAlignedCrops,
  detectFaces,
  paddedTensor,
  RECOGNISER_INPUT,
  SAME_PERSON_DISTANCE,
} from './detect.js';
export type { DetectedFace, DetectOptions, Detector, Pixels, Point } from './detect.js';
export { alignFace, fivePointsOf68, warpSimilarity } from './align.js';
export type { WarpOptions } from './align.js';
// The template geometry lives in the leaf folder arcface (the renderer uses it too).
export { applySimilarity, ARCFACE_TEMPLATE_112, arcfaceTemplate, fivePointsOfLabel, invertSimilarity, umeyama } from '../arcface/index.js';
export type { Similarity } from '../arcface/index.js';
export { alignDatasetImages } from './align-dataset.js';
