// What a user sees when a backend cannot start, and how synx decides whether webgpu must run here.
// A file of its own: the webgpu case hides every Vulkan driver from this process before Dawn loads.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFailure } from '../../src/node/index.js';
import { lavapipeVulkanVersion, useBackend, webgpuDriver } from '../../src/train/index.js';
import { tmpDir } from '../data/fixtures.js';

async function failure(backend: string): Promise<NodeFailure> {
  const e = await useBackend(backend).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(NodeFailure);
  return e as NodeFailure;
}

/** The ICD manifests as Debian ships them (Mesa 22.3 in bookworm, 25.0 in bookworm-backports). */
function icdDir(files: Record<string, string>): string {
  const dir = path.join(tmpDir(), 'icd.d');
  mkdirSync(dir, { recursive: true });
  for (const [name, api] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), JSON.stringify({ ICD: { api_version: api, library_path: 'libvulkan_lvp.so' }, file_format_version: '1.0.0' }));
  }
  return dir;
}

describe('which Vulkan driver webgpu must run on', () => {
  it("Mesa 22's lavapipe (Vulkan 1.1) is too old; Mesa 25's (1.4) or NVIDIA's must give an adapter", () => {
    const mesa22 = icdDir({ 'lvp_icd.x86_64.json': '1.1.230', 'radeon_icd.x86_64.json': '1.3.230' });
    expect(lavapipeVulkanVersion([mesa22])).toEqual([1, 1]);
    expect(webgpuDriver([mesa22])).toBeNull();
    const mesa25 = icdDir({ 'lvp_icd.json': '1.4.305' });
    expect(lavapipeVulkanVersion([mesa25])).toEqual([1, 4]);
    expect(webgpuDriver([mesa25])).toBe('lavapipe (Mesa software Vulkan 1.4)');
    const nvidia = icdDir({ 'nvidia_icd.json': '1.3.277' });
    expect(webgpuDriver([nvidia])).toBe('the NVIDIA Vulkan driver');
    expect(webgpuDriver([path.join(tmpDir(), 'missing')])).toBeNull();
  });
});

describe('a backend that cannot start', () => {
  it('tfjs-node, not installed: names the package to install and the default', async () => {
    const e = await failure('tfjs-node');
    expect(e.message).toMatch(/^backend 'tfjs-node' is not available: Cannot find (package|module) '@tensorflow\/tfjs-node'/);
    expect(e.hint).toBe('install @tensorflow/tfjs-node (its install downloads libtensorflow), or use backend: wasm');
    expect(e.code).toBe('SX5005');
  });

  it('an unknown name lists the backends', async () => {
    const e = await failure('metal');
    expect(e.message).toBe("unknown backend 'metal'");
    expect(e.hint).toBe('set backend in synx.yaml to one of wasm, cpu, webgpu, tfjs-node, tfjs-node-gpu');
  });

  it('webgpu with no Vulkan driver the loader can see: says so and how to install one', async () => {
    // The Vulkan loader reads these when Dawn creates its instance, i.e. on first use.
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    process.env.VK_DRIVER_FILES = '/nonexistent/icd.json';
    const e = await failure('webgpu');
    const driver = webgpuDriver();
    if (driver) {
      expect(e.message).toBe(`backend 'webgpu' is not available: Dawn found no Vulkan adapter although ${driver} is installed`);
      expect(e.hint).toContain('vulkaninfo --summary');
    } else {
      expect(e.message).toMatch(/^backend 'webgpu' is not available: (no Vulkan driver is installed|the installed lavapipe offers Vulkan 1\.\d, Dawn needs 1\.3)/);
      expect(e.hint).toContain('bash scripts/setup-webgpu.sh');
    }
    expect(e.hint).toContain('or use backend: wasm');
  });
});
