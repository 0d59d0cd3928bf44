import type { NodeKind } from '../node/index.js';

/**
 * The node kinds `synx run` uses. Each stage exports its kinds; they are loaded lazily so commands
 * that do not run nodes never load TensorFlow.js or the renderer.
 */
export async function defaultKinds(): Promise<Map<string, NodeKind<never>>> {
  const kinds = new Map<string, NodeKind<never>>();
  const add = (k: NodeKind<never>) => kinds.set(k.kind, k);
  void add;
  // The data kind aligns faces (`align: face-api`) with face-api, loaded only when a dataset asks.
  const { createDataKind } = await import('../data/index.js');
  add(createDataKind(async (job) => (await import('../faceapi/index.js')).alignDatasetImages(job)) as unknown as NodeKind<never>);
  add((await import('../render/index.js')).renderKind as unknown as NodeKind<never>);
  add((await import('../train/index.js')).trainKind as unknown as NodeKind<never>);
  add((await import('../eval/index.js')).evalKind as unknown as NodeKind<never>);
  add((await import('../report/index.js')).reportKind as unknown as NodeKind<never>);
  return kinds;
}
