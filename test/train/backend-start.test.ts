import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/train/index.js';

describe('useBackend', () => {
  it('lets two nodes of one process start the wasm backend at the same time', async () => {
    // Eval nodes at --jobs 2 do this; a second tf.setBackend during wasm's start returned false.
    await expect(Promise.all([useBackend('wasm'), useBackend('wasm'), useBackend('wasm')])).resolves.toEqual(['wasm', 'wasm', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
