import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendProblem } from '../../src/train/index.js';
import { optionalModuleInstalled } from '../../src/util/index.js';
import { synx } from '../cli/cli-io.js';

describe('backendProblem', () => {
  it('finds nothing to say of the backends synx ships, and names the package a missing one needs', () => {
    expect(backendProblem('wasm')).toBeUndefined();
    expect(backendProblem('cpu')).toBeUndefined();
    expect(optionalModuleInstalled('@tensorflow/tfjs')).toBe(true);
    expect(optionalModuleInstalled('@tensorflow/no-such-backend')).toBe(false);
    // tfjs-node-gpu needs CUDA and is never installed here.
    expect(backendProblem('tfjs-node-gpu')).toEqual({
      message: "backend 'tfjs-node-gpu' is not available: @tensorflow/tfjs-node-gpu is not installed",
      hint: 'install @tensorflow/tfjs-node-gpu (its install downloads libtensorflow), or use --backend wasm',
    });
    if (optionalModuleInstalled('webgpu') && optionalModuleInstalled('@tensorflow/tfjs-backend-webgpu')) expect(backendProblem('webgpu')).toBeUndefined();
  });

  it('stops synx run before any render when a node that would start it is not cached', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synx-backend-problem-'));
    try {
      writeFileSync(path.join(dir, 'synx.yaml'), 'threads: 1\n');
      writeFileSync(path.join(dir, 'e.synexp'), 'sample 8 ids x 2 imgs\nimage 32px\npretrain with small, epochs 1, input 32px\n');
      const r = await synx(dir, 'run', 'e.synexp', '--backend', 'tfjs-node-gpu');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "synx run: error: backend 'tfjs-node-gpu' is not available: @tensorflow/tfjs-node-gpu is not installed\n  hint: install @tensorflow/tfjs-node-gpu (its install downloads libtensorflow), or use --backend wasm\n",
      );
      // Nothing ran: no node started, and the cache holds no entry.
      expect(r.stdout).toBe('');
      const ls = await synx(dir, 'cache', 'ls');
      expect(ls.stdout).toContain('0 entries');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
