import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NodeFailure } from '../node/index.js';
import { optionalImport, optionalModuleInstalled } from '../util/index.js';

/** The TensorFlow.js backends synx can train on. */
export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tfjs-node', 'tfjs-node-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * Makes `name` the active TensorFlow.js backend (once per thread). wasm and cpu ship with synx;
 * webgpu needs the optional packages `webgpu` (Dawn) and `@tensorflow/tfjs-backend-webgpu` and a
 * Vulkan driver (scripts/setup-webgpu.sh); tfjs-node(-gpu) are used when the user has installed
 * them. A backend that cannot start is a NodeFailure saying what to install.
 */
export function useBackend(name: string): Promise<BackendName> {
  // Two nodes of one process starting at once (eval nodes at --jobs 2) must share one start: a
  // second tf.setBackend while the first still initialises wasm returns false.
  let starting = startingBackends.get(name);
  if (!starting) {
    starting = startBackend(name).finally(() => startingBackends.delete(name));
    startingBackends.set(name, starting);
  }
  return starting;
}

const startingBackends = new Map<string, Promise<BackendName>>();

async function startBackend(name: string): Promise<BackendName> {
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
    if (e instanceof NodeFailure) throw e;
    throw new NodeFailure(`backend '${b}' is not available: ${(e as Error).message.split('\n')[0]}`, b === 'webgpu' || b.startsWith('tfjs-node') ? `${installHint(b)}, or use backend: wasm` : 'reinstall synx', 'SX5005');
  }
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new NodeFailure(`backend '${b}' failed to start`, 'use backend: wasm (the CPU default)', 'SX5005');
  await tf.ready();
  return b;
}

/**
 * Whether the active backend can read a tensor back synchronously (`dataSync`). webgpu cannot
 * under Node: tfjs-backend-webgpu's readSync copies through an OffscreenCanvas, which Node lacks,
 * and Dawn has no blocking buffer map. Code on the training path reads asynchronously, or mines
 * triplets ahead, when this is false.
 */
export function readsSynchronously(): boolean {
  return tf.getBackend() !== 'webgpu';
}

/** Where the Vulkan loader finds driver (ICD) manifests. */
export const ICD_DIRS: readonly string[] = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/**
 * The Vulkan version of the installed lavapipe driver (its ICD manifest's api_version: 1.1 on
 * Debian 12's Mesa 22.3, whose manifest is lvp_icd.x86_64.json; 1.4 on Mesa 25 from
 * bookworm-backports, lvp_icd.json), or null when none is installed.
 */
export function lavapipeVulkanVersion(dirs: readonly string[] = ICD_DIRS): [number, number] | null {
  let best: [number, number] | null = null;
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.startsWith('lvp_icd') && f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        const icd = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { ICD?: { api_version?: string } };
        const m = /^(\d+)\.(\d+)/.exec(icd.ICD?.api_version ?? '');
        if (m && (!best || vulkanRank(best) < vulkanRank([+m[1]!, +m[2]!]))) best = [+m[1]!, +m[2]!];
      } catch {
        // An unreadable manifest is no driver the loader could use either.
      }
    }
  }
  return best;
}

/** A Vulkan version as one comparable number (1.3 → 1003). */
const vulkanRank = (v: readonly [number, number]) => v[0] * 1000 + v[1];

/**
 * The installed Vulkan driver Dawn should find an adapter on, in words, or null when there is
 * none: lavapipe offering Vulkan >= 1.3 (Mesa >= 24; Dawn finds no adapter on older ones), or
 * NVIDIA's driver. Mesa's other ICDs (radeon, intel) come with mesa-vulkan-drivers whether or
 * not that hardware is there, so they say nothing.
 */
export function webgpuDriver(dirs: readonly string[] = ICD_DIRS): string | null {
  const lvp = lavapipeVulkanVersion(dirs);
  if (lvp && vulkanRank(lvp) >= 1003) return `lavapipe (Mesa software Vulkan ${lvp.join('.')})`;
  for (const dir of dirs) if (existsSync(path.join(dir, 'nvidia_icd.json'))) return 'the NVIDIA Vulkan driver';
  return null;
}

/**
 * Opens Dawn (the `webgpu` package) as navigator.gpu and checks that it has an adapter before
 * tfjs-backend-webgpu registers itself (it registers only when navigator.gpu exists, and without
 * an adapter fails to start with nothing but console warnings).
 */
async function initWebgpu(): Promise<void> {
  const dawn = (await optionalImport('webgpu')) as { create(opts: string[]): GpuLike; globals: Record<string, unknown> };
  Object.assign(globalThis, dawn.globals);
  // Cast: lib ES2023 (no DOM lib) declares no navigator; dawn's globals add navigator.gpu at run time.
  const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  const gpu = g.navigator!.gpu ?? dawn.create([]);
  g.navigator!.gpu = gpu;
  if ((await gpu.requestAdapter({ powerPreference: 'high-performance' })) !== null) {
    await optionalImport('@tensorflow/tfjs-backend-webgpu');
    return;
  }
  const driver = webgpuDriver();
  const lvp = lavapipeVulkanVersion();
  if (driver) {
    throw new NodeFailure(
      `backend 'webgpu' is not available: Dawn found no Vulkan adapter although ${driver} is installed`,
      'check what the Vulkan loader sees (`vulkaninfo --summary`; VK_ICD_FILENAMES or VK_DRIVER_FILES narrow its search), or use backend: wasm',
      'SX5005',
    );
  }
  throw new NodeFailure(
    lvp
      ? `backend 'webgpu' is not available: the installed lavapipe offers Vulkan ${lvp.join('.')}, Dawn needs 1.3 (Mesa >= 24)`
      : "backend 'webgpu' is not available: no Vulkan driver is installed (no GPU driver, no lavapipe)",
    "install a Vulkan driver: the GPU vendor's, or on a CPU machine Mesa >= 24 lavapipe (`bash scripts/setup-webgpu.sh` installs Mesa 25 on Debian 12); or use backend: wasm",
    'SX5005',
  );
}

/** What to install for an optional backend (webgpu, tfjs-node, tfjs-node-gpu). */
function installHint(name: string): string {
  return name === 'webgpu'
    ? 'install the optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu` (`npm install` without --omit=optional) and a Vulkan driver (scripts/setup-webgpu.sh)'
    : `install @tensorflow/${name} (its install downloads libtensorflow)`;
}

/**
 * Why backend `name` cannot start here, found without starting it: its packages are not
 * installed. Undefined when they are (a missing Vulkan adapter still shows only when the backend
 * starts: only Dawn can tell whether a Mesa driver has hardware under it). `synx run` asks before
 * any work, so a missing backend does not stop a run after its renders.
 */
export function backendProblem(name: string): { message: string; hint: string } | undefined {
  const packages = name === 'webgpu' ? ['webgpu', '@tensorflow/tfjs-backend-webgpu'] : name === 'tfjs-node' || name === 'tfjs-node-gpu' ? [`@tensorflow/${name}`] : [];
  const missing = packages.filter((p) => !optionalModuleInstalled(p));
  if (missing.length > 0) {
    return {
      message: `backend '${name}' is not available: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed`,
      hint: `${installHint(name)}, or use --backend wasm`,
    };
  }
  return undefined;
}

/** The part of navigator.gpu used here. */
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<unknown>;
}
