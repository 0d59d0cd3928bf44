import * as tf from '@tensorflow/tfjs';
import { NodeFailure } from '../exec/kind.js';

/** The TensorFlow.js backends synx can train on. */
export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tfjs-node', 'tfjs-node-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Imports a module only some users install, by a name TypeScript does not try to resolve. */
async function optionalImport(name: string): Promise<unknown> {
  return import(name);
}

/**
 * Makes `name` the active TensorFlow.js backend (once per thread). wasm and cpu ship with synx;
 * webgpu needs the `webgpu` (Dawn) and `@tensorflow/tfjs-backend-webgpu` packages and a Vulkan
 * driver (scripts/setup-webgpu.sh); tfjs-node(-gpu) are used when the user has installed them.
 * A backend that cannot start is a NodeFailure saying what to install.
 */
export async function useBackend(name: string): Promise<BackendName> {
  // PROD silences tfjs's console nags ("install tfjs-node") and its debug checks.
  tf.env().set('PROD', true);
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new NodeFailure(`unknown backend '${name}'`, `set backend in synx.yaml to one of ${BACKENDS.join(', ')}`, 'SX5005');
  }
  const b = name as BackendName;
  const tfName = b === 'tfjs-node' || b === 'tfjs-node-gpu' ? 'tensorflow' : b;
  if (tf.getBackend() === tfName) return b;
  try {
    if (b === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    else if (b === 'webgpu') await initWebgpu();
    else if (b === 'tfjs-node') await optionalImport('@tensorflow/tfjs-node');
    else if (b === 'tfjs-node-gpu') await optionalImport('@tensorflow/tfjs-node-gpu');
  } catch (e) {
    throw new NodeFailure(
      `backend '${b}' is not available: ${(e as Error).message.split('\n')[0]}`,
      b === 'webgpu'
        ? 'install the optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu` and a Vulkan driver (see scripts/setup-webgpu.sh), or use backend: wasm'
        : b.startsWith('tfjs-node')
          ? `install @tensorflow/${b} (it downloads libtensorflow), or use backend: wasm`
          : 'reinstall synx',
      'SX5005',
    );
  }
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new NodeFailure(`backend '${b}' failed to start`, 'use backend: wasm (the CPU default)', 'SX5005');
  await tf.ready();
  return b;
}

async function initWebgpu(): Promise<void> {
  const dawn = (await optionalImport('webgpu')) as { create(opts: string[]): unknown; globals: Record<string, unknown> };
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = dawn.create([]);
  await optionalImport('@tensorflow/tfjs-backend-webgpu');
}
