import type { NodeKind } from '../exec/kind.js';

/**
 * The node kinds `synx run` uses. Each stage exports its kinds; they are loaded lazily so commands
 * that do not run nodes never load TensorFlow.js or the renderer.
 */
export async function defaultKinds(): Promise<Map<string, NodeKind<never>>> {
  const kinds = new Map<string, NodeKind<never>>();
  const add = (k: NodeKind<never>) => kinds.set(k.kind, k);
  void add;
  return kinds;
}
