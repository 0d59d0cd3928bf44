// Pretrained networks synx did not train: face-api's recogniser, TensorFlow.js and ONNX files.
export { modelFileKind, modelFiles, weightFiles, faceApiRecogniserManifest, digestFiles, combineDigests } from './files.js';
export type { ModelFileKind } from './files.js';
export { NORMALIZATIONS, normalization, FACE_API_NORMALIZATION, FACE_API_INPUT, FACE_API_EMBEDDING } from './normalize.js';
export { NetworkError } from './errors.js';
export type { PretrainedEmbedder } from './embedder.js';

/** Loads a pretrained network (tfjs and onnxruntime are imported only when one is evaluated). */
export async function loadPretrained(net: import('../params/index.js').PretrainedNetwork): Promise<import('./embedder.js').PretrainedEmbedder> {
  return (await import('./load.js')).loadPretrained(net);
}

/**
 * face-api's recogniser weights as plain arrays by face-api's names (`conv32_1/conv1/conv/filters`,
 * ..., `fc`), for a training run that starts from them. The bytes must be those the plan digested.
 */
export async function readFaceApiRecogniserWeights(net: import('../params/index.js').PretrainedNetwork): Promise<Map<string, Float32Array>> {
  const { weightFiles, digestFiles } = await import('./files.js');
  const listed = weightFiles(net.path);
  const { NetworkError } = await import('./errors.js');
  if ('problem' in listed) throw new NetworkError(listed.problem, 'reinstall @vladmandic/face-api (npm install)');
  if (digestFiles(listed.files) !== net.sha256) throw new NetworkError(`${net.file} changed since the experiment was planned`, 'run again: the new weights are planned as a new training');
  const { readFaceApiWeights } = await import('./face-api.js');
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(readFaceApiWeights(net.path))) {
    out.set(name, Float32Array.from(t.dataSync()));
    t.dispose();
  }
  return out;
}
