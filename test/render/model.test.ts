import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { FaceRenderer, encodePng, loadBuiltinModel, prepareRender, reconstruct, renderContactSheet, vertexNormals } from '../../src/render/index.js';
import { baseParams, referenceParams } from './fixtures.js';
import { keyedRng } from '../../src/rng/index.js';

describe('the built-in model', () => {
  const m = loadBuiltinModel();

  it('is a face-sized mesh with named landmarks and shape, colour and expression components', () => {
    expect(m.vertexCount).toBeGreaterThan(3000);
    expect(m.vertexCount).toBeLessThan(60000);
    expect(m.triangles.length / 3).toBeGreaterThan(5000);
    expect(m.shape.components).toBeGreaterThanOrEqual(20);
    expect(m.color.components).toBeGreaterThanOrEqual(3);
    expect(m.expression.components).toBeGreaterThanOrEqual(5);
    const names = m.landmarks.map((l) => l.name);
    for (const n of ['center.nose.tip', 'left.eye.corner_outer', 'right.eye.corner_outer', 'left.lips.corner', 'center.chin.tip']) expect(names).toContain(n);
    // Real proportions in millimetres (adult means: outer eye corners ~90 mm apart, nose tip to
    // chin ~70 mm, mouth ~50 mm wide).
    const p = (name: string) => {
      const v = m.landmarks.find((l) => l.name === name)!.vertex;
      return [m.shape.mean[3 * v]!, m.shape.mean[3 * v + 1]!, m.shape.mean[3 * v + 2]!];
    };
    const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    expect(dist(p('left.eye.corner_outer'), p('right.eye.corner_outer'))).toBeGreaterThan(75);
    expect(dist(p('left.eye.corner_outer'), p('right.eye.corner_outer'))).toBeLessThan(105);
    expect(dist(p('center.nose.tip'), p('center.chin.tip'))).toBeGreaterThan(55);
    expect(dist(p('center.nose.tip'), p('center.chin.tip'))).toBeLessThan(90);
    expect(dist(p('left.lips.corner'), p('right.lips.corner'))).toBeGreaterThan(35);
    expect(dist(p('left.lips.corner'), p('right.lips.corner'))).toBeLessThan(65);
  });

  it('has unit basis columns and normals pointing out of the face', () => {
    const n3 = 3 * m.vertexCount;
    for (const b of [m.shape, m.color, m.expression]) {
      for (let j = 0; j < b.components; j++) {
        let s = 0;
        for (let i = 0; i < n3; i++) s += b.basis[j * n3 + i]! ** 2;
        expect(s).toBeCloseTo(1, 3);
      }
    }
    const normals = vertexNormals(m.shape.mean, m.triangles, new Float32Array(n3));
    const at = (name: string) => m.landmarks.find((l) => l.name === name)!.vertex;
    expect(normals[3 * at('center.forehead') + 2]).toBeGreaterThan(0.8);
    expect(normals[3 * at('center.nose.tip') + 2]).toBeGreaterThan(0.5);
    // Beside the eyes the face turns sideways: the subject's left (+x) side's normals point to +x.
    expect(normals[3 * at('left.ear.tragus')]).toBeGreaterThan(0.5);
    expect(normals[3 * at('right.ear.tragus')]).toBeLessThan(-0.5);
  });

  it('gives different identities different shapes and colours', () => {
    const a = reconstruct(m.shape, [1, -1, 0.5, 2], new Float32Array(3 * m.vertexCount));
    const b = reconstruct(m.shape, [-1, 1, -0.5, -2], new Float32Array(3 * m.vertexCount));
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
    expect(d).toBeGreaterThan(3); // millimetres
    const light = reconstruct(m.color, [-2], new Float32Array(3 * m.vertexCount));
    const dark = reconstruct(m.color, [2], new Float32Array(3 * m.vertexCount));
    const tip = m.landmarks.find((l) => l.name === 'center.nose.tip')!.vertex;
    expect(light[3 * tip]! - dark[3 * tip]!).toBeGreaterThan(0.2);
  });
});

describe('renderContactSheet', () => {
  it('tiles rows of identities and columns of samples into a PNG, same bytes each time', async () => {
    const params = referenceParams({ size: 40, dims: { shape: 10, color: 10, expression: 0 } });
    const png = await renderContactSheet(params, 2, 3);
    const img = PNG.sync.read(png);
    expect(img.width).toBe(3 * 40 + 4 * 2);
    expect(img.height).toBe(2 * 40 + 3 * 2);
    expect((await renderContactSheet(params, 2, 3)).equals(png)).toBe(true);
    // Tile (row 1, column 2) is identity firstId + 1, sample 2.
    const single = new FaceRenderer(await prepareRender(params)).render(1, 2).rgb;
    const ox = 2 + 2 * 42;
    const oy = 2 + 42;
    for (const [x, y] of [[5, 5], [20, 20], [33, 12]] as const) {
      const p = 4 * ((oy + y) * img.width + ox + x);
      expect([img.data[p], img.data[p + 1], img.data[p + 2]]).toEqual([...single.subarray(3 * (y * 40 + x), 3 * (y * 40 + x) + 3)]);
    }
  });

  it('encodes PNGs that a standard decoder reads back exactly', () => {
    const rgb = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
    const back = PNG.sync.read(encodePng(rgb, 5, 3));
    for (let p = 0; p < 15; p++) expect([back.data[4 * p], back.data[4 * p + 1], back.data[4 * p + 2], back.data[4 * p + 3]]).toEqual([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255]);
  });

  it('renders the reference defaults without error for a few identities', async () => {
    const r = new FaceRenderer(await prepareRender(baseParams({ dims: { shape: 199, color: 199, expression: 100 } })));
    expect(r.render(3, 0).rgb.length).toBe(112 * 112 * 3);
  });
});

describe('SIMD reconstruction', () => {
  it('gives the same bits as the plain-JS path', async () => {
    const { syntheticModel, shareModel, claimSlot, simdKernel } = await import('../../src/render/index.js');
    const plain = syntheticModel({ vertices: 1001, triangles: 1900, shape: 37, color: 5, expression: 3 });
    const shared = shareModel(plain, 1);
    const kernel = simdKernel(shared.arena!.memory);
    expect(kernel).not.toBeNull();
    const slot = claimSlot(shared.arena!)!;
    const alpha = Array.from({ length: 37 }, (_, j) => Math.sin(j * 1.7) * 2);
    const viaSimd = reconstruct(shared.shape, alpha, slot[0]!.subarray(0, 3003), false, kernel);
    const viaJs = reconstruct(shared.shape, alpha, new Float32Array(3003));
    expect(Buffer.from(viaSimd.buffer, viaSimd.byteOffset, viaSimd.byteLength).equals(Buffer.from(viaJs.buffer))).toBe(true);
    // The shared basis is int16 codes: a direct float64 computation from the unquantised basis
    // agrees to within half a code step per component (plus float32 rounding).
    const n3 = 3003;
    const unquantised = reconstruct(plain.shape, alpha, new Float32Array(3003));
    let bound = 0;
    for (let j = 0; j < 37; j++) {
      let max = 0;
      for (let i = 0; i < n3; i++) max = Math.max(max, Math.abs(plain.shape.basis[j * n3 + i]!));
      bound += (Math.abs(Math.sqrt(plain.shape.variance[j]!) * alpha[j]!) * max) / 32767 / 2;
    }
    let worst = 0;
    for (let i = 0; i < n3; i++) {
      let v = plain.shape.mean[i]!;
      for (let j = 0; j < 37; j++) v += plain.shape.basis[j * n3 + i]! * Math.sqrt(plain.shape.variance[j]!) * alpha[j]!;
      expect(unquantised[i]).toBeCloseTo(v, 2);
      worst = Math.max(worst, Math.abs(viaJs[i]! - v));
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(bound + 1e-3);
    // The shape's values are ~100 mm here: the quantisation moves a vertex by well under 0.01 mm.
    expect(worst).toBeLessThan(0.01);
    // No slot left: a renderer falls back to JS and still renders the same bytes.
    const params = baseParams({ size: 32, dims: { shape: 37, color: 5, expression: 3 } });
    const a = new FaceRenderer(await prepareRender(params, plain, 1)).render(2, 1).rgb;
    const setup = await prepareRender(params, plain, 1);
    new FaceRenderer(setup);
    const b = new FaceRenderer(setup).render(2, 1).rgb;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('the SIMD kernel’s addFrom', () => {
  it('gives the bits of a copy followed by axpy, including where the codes are 0', async () => {
    const { syntheticModel, shareModel, claimSlot, simdKernel, axpyReference } = await import('../../src/render/index.js');
    const shared = shareModel(syntheticModel({ vertices: 1001, triangles: 1900, shape: 4, color: 5, expression: 3 }), 1);
    const kernel = simdKernel(shared.arena!.memory)!;
    const [, out, , src] = claimSlot(shared.arena!)!;
    const block = shared.color;
    const n = 3 * 1001;
    const rng = keyedRng(4);
    // Values of every size and sign, and exact zeros (+0 only: adding ±0 keeps them).
    for (let i = 0; i < n; i++) src![i] = i % 17 === 0 ? 0 : (rng.uniform() - 0.5) * 10 ** (rng.int(9) - 4);
    for (const [j, w] of [[0, 0.37], [2, -1.9e-3], [4, 0]] as const) {
      const col = j * block.stride!;
      // A span from 8 to the end: the last step runs into the padding past 3N.
      kernel.addFrom(out!.byteOffset + 32, src!.byteOffset + 32, block.codes!.byteOffset + 2 * (col + 8), Math.ceil((n - 8) / 8), w);
      const expected = Float32Array.from(src!.subarray(0, n));
      axpyReference(expected.subarray(8), block.codes!, col + 8, n - 8, w);
      expect(Buffer.from(out!.buffer, out!.byteOffset + 32, 4 * (n - 8)).equals(Buffer.from(expected.buffer, 32, 4 * (n - 8))), `component ${j}`).toBe(true);
    }
  });
});

describe('reconstruct onto an existing shape (add)', () => {
  // out + mean in float32, value by value; a mean of +0 keeps every value but turns -0 into +0.
  const plainSum = (out: Float32Array, mean: Float32Array) => Float32Array.from(out, (v, i) => v + mean[i]!);
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  const start = () => new Float32Array([-0, 0, 1.5, -2.25, -0, 3e-39, -1e30, 7]);

  it('with a mean of all +0 gives the plain sum bits: -0 becomes +0, nothing else changes', () => {
    const mean = new Float32Array(8);
    const block = { mean, basis: new Float32Array(0), variance: new Float32Array(0), components: 0 };
    const out = start();
    reconstruct(block, [], out, true);
    expect(bits(out)).toEqual(bits(plainSum(start(), mean)));
    expect(Object.is(out[0], 0) && Object.is(out[4], 0)).toBe(true);
    expect(Array.from(out.slice(2))).toEqual([1.5, -2.25, 0, 3e-39, -1e30, 7].map(Math.fround));
  });

  it('with a mean holding -0 or other values adds value by value', () => {
    const mean = new Float32Array([-0, -0, 0.25, 0, 0, -3e-39, 1, 0.1]);
    const block = { mean, basis: new Float32Array(0), variance: new Float32Array(0), components: 0 };
    const out = start();
    reconstruct(block, [], out, true);
    expect(bits(out)).toEqual(bits(plainSum(start(), mean)));
    // -0 + -0 stays -0.
    expect(Object.is(out[0], -0)).toBe(true);
  });
});
