// Pretrained networks synx did not train: face-api's recogniser, TensorFlow.js and ONNX files.
export { modelFileKind, modelFiles, weightFiles, faceApiRecogniserManifest, digestFiles, combineDigests } from './files.js';
export type { ModelFileKind } from './files.js';
export { NORMALIZATIONS, normalization, FACE_API_NORMALIZATION, FACE_API_INPUT } from './normalize.js';
export { NetworkError } from './errors.js';
export type { PretrainedEmbedder } from './embedder.js';

/** Loads a pretrained network (tfjs and onnxruntime are imported only when one is evaluated). */
export async function loadPretrained(net: import('../plan/params.js').PretrainedNetwork): Promise<import('./embedder.js').PretrainedEmbedder> {
  return (await import('./load.js')).loadPretrained(net);
}
