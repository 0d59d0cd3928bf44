import { describe, expect, it } from 'vitest';
import { VertexNormalCache, loadBuiltinModel, vertexNormals } from '../../src/render/index.js';
import { keyedRng } from '../../src/rng/index.js';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('VertexNormalCache (WebAssembly kernel and plain JS)', () => {
  it('gives a hand-checked normal: a unit right triangle in the xy plane, counter-clockwise, faces +z', () => {
    for (const useWasm of [true, false]) {
      const cache = new VertexNormalCache(new Uint32Array([0, 1, 2]), 3, useWasm);
      // Node has WebAssembly: a silent fallback would make the two paths one.
      expect(cache.wasm).toBe(useWasm);
      cache.reset(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]));
      cache.ensure(new Int32Array([2, 0, 1]), 3);
      expect(Array.from(cache.values)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
    }
  });

  it('gives the same bits both ways and as vertexNormals, on rough geometry with degenerate and repeated corners', () => {
    const m = loadBuiltinModel();
    const n = m.vertexCount;
    // Two degenerate triangles (a vertex listed twice; three equal corners) on top of the mesh.
    const tris = new Uint32Array([...m.triangles, 5, 5, 6, 7, 7, 7]);
    const rng = keyedRng(3);
    const pos = Float32Array.from(m.shape.mean, (v) => v + 20 * (rng.uniform() - 0.5));
    const full = vertexNormals(pos, tris, new Float32Array(3 * n));
    const order = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const results = [true, false].map((useWasm) => {
      const cache = new VertexNormalCache(tris, n, useWasm);
      // First a stale geometry, then the real one: the reset must invalidate every normal.
      cache.reset(new Float32Array(3 * n).fill(1));
      cache.ensure(order, 100);
      cache.reset(pos);
      // In two calls, the second repeating part of the first: computed once, the same bits.
      cache.ensure(order.subarray(0, 5000), 5000);
      cache.ensure(order.subarray(4000), n - 4000);
      return Float32Array.from(cache.values);
    });
    expect(bytes(results[0]!).equals(bytes(full))).toBe(true);
    expect(bytes(results[1]!).equals(bytes(full))).toBe(true);
  });

  it('reads positions written in place into its own buffer', () => {
    const m = loadBuiltinModel();
    const n = m.vertexCount;
    const cache = new VertexNormalCache(m.triangles, n);
    cache.positions.set(m.shape.mean);
    cache.reset(cache.positions);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    cache.ensure(all, n);
    const full = vertexNormals(m.shape.mean, m.triangles, new Float32Array(3 * n));
    expect(bytes(cache.values).equals(bytes(full))).toBe(true);
  });
});
