import { describe, expect, it } from 'vitest';
import { FaceRenderer, VertexNormalCache, loadBuiltinModel, prepareRender, vertexNormals, type RenderedImage } from '../../src/render/index.js';
import type { RenderParams } from '../../src/plan/index.js';
import { referenceParams } from './fixtures.js';

// The renderer's fast path (deferred shading of the shown vertices only, normals on demand,
// blendshapes and per-image colour over the values they move) against the plain one that shades,
// normals and adds everything: the same bytes, labels, maps and frames, image for image.

function sameImage(a: RenderedImage, b: RenderedImage, what: string): void {
  expect(Buffer.compare(Buffer.from(a.rgb), Buffer.from(b.rgb)), `${what}: rgb`).toBe(0);
  expect(a.label, `${what}: label`).toEqual(b.label);
  expect(a.identity, `${what}: identity`).toEqual(b.identity);
  expect(Object.keys(a.maps), `${what}: maps`).toEqual(Object.keys(b.maps));
  for (const k of Object.keys(a.maps) as (keyof typeof a.maps)[]) {
    const x = a.maps[k]!;
    const y = b.maps[k]!;
    expect(Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)), `${what}: ${k} map`).toBe(0);
  }
}

async function compare(p: RenderParams, ids: number[], samples: number): Promise<number> {
  const fast = new FaceRenderer(await prepareRender(p));
  const plain = new FaceRenderer(await prepareRender(p), { fast: false });
  let covered = 0;
  for (const id of ids) {
    for (let s = 0; s < samples; s++) {
      const a = fast.renderWithExtras(id, s);
      const fa = Float32Array.from(a.extras.frame.color);
      const b = plain.renderWithExtras(id, s);
      const what = `${p.model.kind} id ${id} sample ${s}`;
      sameImage(a.image, b.image, what);
      expect(Buffer.compare(Buffer.from(fa.buffer), Buffer.from(Float32Array.from(b.extras.frame.color).buffer)), `${what}: frame`).toBe(0);
      for (const c of b.extras.frame.coverage) covered += c;
    }
  }
  return covered;
}

describe('the fast render path', () => {
  it('renders the same bytes as the plain path, built-in and procedural models, new expression per image', async () => {
    for (const kind of ['builtin', 'procedural'] as const) {
      // Large yaw and pitch, open mouths, both centring modes that use only screen positions.
      const covered = await compare(referenceParams({ model: { kind }, center: kind === 'builtin' ? 'arcface' : 'landmarks' }), [0, 5, 17], 8);
      expect(covered).toBeGreaterThan(1000);
    }
  }, 120_000);

  it('renders the same bytes with a fixed expression, with facebox centring and both maps', async () => {
    const still = { type: 'const' as const, value: 0 };
    const p = referenceParams({ coeffs: { ...referenceParams().coeffs, expression: still } });
    await compare(p, [3, 4], 6);
    await compare({ ...p, center: 'facebox', maps: ['depth', 'normal'] }, [3], 4);
  }, 120_000);
});

describe('VertexNormalCache', () => {
  it('gives the same bits as vertexNormals for every vertex, in any order and after a reset', () => {
    const m = loadBuiltinModel();
    const n = m.vertexCount;
    const full = new Float32Array(3 * n);
    const cache = new VertexNormalCache(m.triangles, n);
    const order = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    for (const bump of [0, 1]) {
      // A second geometry: every normal must be recomputed after the reset.
      const pos = Float32Array.from(m.shape.mean, (v, i) => v + bump * Math.sin(i));
      vertexNormals(pos, m.triangles, full);
      cache.reset(pos);
      cache.ensure(order, n);
      expect(Buffer.compare(Buffer.from(cache.values.buffer, cache.values.byteOffset, cache.values.byteLength), Buffer.from(full.buffer))).toBe(0);
    }
  });
});
