import type { AnyNodeKind } from '../node/index.js';

/**
 * The node kinds `synx run` uses. Each stage exports its kinds; they are loaded lazily so commands
 * that do not run nodes never load TensorFlow.js or the renderer.
 */
export async function defaultKinds(): Promise<Map<string, AnyNodeKind>> {
  const kinds = new Map<string, AnyNodeKind>();
  const add = (k: AnyNodeKind) => kinds.set(k.kind, k);
  // The data kind aligns faces (`align: face-api`) with face-api, loaded only when a dataset asks.
  const { createDataKind } = await import('../data/index.js');
  add(createDataKind(async (job) => (await import('../faceapi/index.js')).alignDatasetImages(job)));
  add((await import('../render/index.js')).renderKind);
  add((await import('../train/index.js')).trainKind);
  add((await import('../eval/index.js')).evalKind);
  add((await import('../report/index.js')).reportKind);
  return kinds;
}
