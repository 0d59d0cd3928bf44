import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGrad, conv2dInputGrad, conv2dSame, convPadding, maxPool2, samePadding, useBackend, type ConvPad } from '../../src/train/index.js';

/** Straightforward loops: the filter and input gradients of a 'same' (or 'valid') conv, NHWC / HWIO. */
function naiveGrads(x: Float32Array, xs: number[], dy: Float32Array, w: Float32Array, k: number, cout: number, s: number, pad: ConvPad = 'same') {
  const [n, h, wd, cin] = xs as [number, number, number, number];
  const ph = convPadding(h, k, s, pad);
  const pw = convPadding(wd, k, s, pad);
  const dw = new Float64Array(k * k * cin * cout);
  const dx = new Float64Array(n * h * wd * cin);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ph.out; oy++)
      for (let ox = 0; ox < pw.out; ox++)
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const y = oy * s + i - ph.before;
            const xx = ox * s + j - pw.before;
            if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
            for (let ci = 0; ci < cin; ci++)
              for (let co = 0; co < cout; co++) {
                const g = dy[((b * ph.out + oy) * pw.out + ox) * cout + co]!;
                dw[((i * k + j) * cin + ci) * cout + co]! += x[((b * h + y) * wd + xx) * cin + ci]! * g;
                dx[((b * h + y) * wd + xx) * cin + ci]! += w[((i * k + j) * cin + ci) * cout + co]! * g;
              }
          }
  return { dw, dx };
}

function seq(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5);
}

describe('custom conv gradients on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const [k, s, h, w] of [
    [3, 1, 6, 5],
    [3, 2, 7, 6],
    [1, 1, 4, 4],
    [5, 2, 9, 7],
    [7, 2, 10, 10],
    [1, 2, 8, 8],
    [3, 2, 2, 2],
  ] as const) {
    it(`k=${k} stride=${s} on ${h}×${w}: equal to the loops`, () => {
      const cin = 3;
      const cout = 4;
      const n = 2;
      const ph = samePadding(h, k, s);
      const pw = samePadding(w, k, s);
      expect(convPadding(h, k, s, 'same')).toEqual(ph);
      const x = seq(n * h * w * cin, 1);
      const wt = seq(k * k * cin * cout, 2);
      const dy = seq(n * ph.out * pw.out * cout, 3);
      const ref = naiveGrads(x, [n, h, w, cin], dy, wt, k, cout, s);
      const xt = tf.tensor4d(x, [n, h, w, cin]);
      const dyt = tf.tensor4d(dy, [n, ph.out, pw.out, cout]);
      const dw = conv2dFilterGrad(xt, dyt, k, s).dataSync();
      const dx = conv2dInputGrad(dyt, tf.tensor4d(wt, [k, k, cin, cout]), [n, h, w, cin], s).dataSync();
      ref.dw.forEach((v, i) => expect(dw[i]).toBeCloseTo(v, 4));
      ref.dx.forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 4));
    });
  }

  // face-api's strided convs: 'valid', where the stride can leave trailing rows unread (7×7/2 on
  // 150 px reads 149 rows; 3×3/2 on 35 reads all 35, on 8 only 7).
  for (const [k, s, h, w] of [
    [3, 2, 7, 8],
    [7, 2, 12, 11],
    [3, 1, 5, 6],
    [3, 2, 3, 3],
  ] as const) {
    it(`'valid' k=${k} stride=${s} on ${h}×${w}: the op's tf.grads equal the loops`, () => {
      const cin = 2;
      const cout = 3;
      const n = 2;
      const ph = convPadding(h, k, s, 'valid');
      const pw = convPadding(w, k, s, 'valid');
      expect(ph.out).toBe(Math.floor((h - k) / s) + 1);
      const x = tf.tensor4d(seq(n * h * w * cin, 11), [n, h, w, cin]);
      const wt = tf.tensor4d(seq(k * k * cin * cout, 12), [k, k, cin, cout]);
      const b = tf.tensor1d([0.1, -0.2, 0.3]);
      const dy = seq(n * ph.out * pw.out * cout, 13);
      const dyt = tf.tensor4d(dy, [n, ph.out, pw.out, cout]);
      // d/dy of sum(y · dy) is dy.
      const f = (xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor) => tf.sum(tf.mul(conv2dSame(xa as tf.Tensor4D, wa as tf.Tensor4D, ba as tf.Tensor1D, s, false, true, false, 'valid'), dyt));
      const y = conv2dSame(x, wt, b, s, false, true, false, 'valid');
      expect(y.shape).toEqual([n, ph.out, pw.out, cout]);
      const yRef = tf.add(tf.conv2d(x, wt, s, 'valid'), b);
      expect(tf.max(tf.abs(tf.sub(y, yRef))).dataSync()[0]).toBeLessThan(1e-5);
      const [gx, gw, gb] = tf.grads(f)([x, wt, b]);
      const ref = naiveGrads(x.dataSync() as Float32Array, [n, h, w, cin], dy, wt.dataSync() as Float32Array, k, cout, s, 'valid');
      ref.dw.forEach((v, i) => expect(gw!.dataSync()[i]).toBeCloseTo(v, 4));
      ref.dx.forEach((v, i) => expect(gx!.dataSync()[i]).toBeCloseTo(v, 4));
      const db = [0, 1, 2].map((c) => dy.reduce((a, v, i) => (i % cout === c ? a + v : a), 0));
      db.forEach((v, c) => expect(gb!.dataSync()[c]).toBeCloseTo(v, 4));
    });
  }

  it('conv2dSame: tf.grads through the custom op give the loop gradients, and the bias sum', () => {
    const x = tf.tensor4d(seq(2 * 5 * 5 * 2, 4), [2, 5, 5, 2]);
    const w = tf.tensor4d(seq(3 * 3 * 2 * 3, 5), [3, 3, 2, 3]);
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    // d/dy of sum(y) is all ones.
    const [gx, gw, gb] = tf.grads((xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor) => tf.sum(conv2dSame(xa as tf.Tensor4D, wa as tf.Tensor4D, ba as tf.Tensor1D, 1, false)))([x, w, b]);
    const ref = naiveGrads(x.dataSync() as Float32Array, [2, 5, 5, 2], new Float32Array(2 * 5 * 5 * 3).fill(1), w.dataSync() as Float32Array, 3, 3, 1);
    ref.dw.forEach((v, i) => expect(gw!.dataSync()[i]).toBeCloseTo(v, 4));
    ref.dx.forEach((v, i) => expect(gx!.dataSync()[i]).toBeCloseTo(v, 4));
    expect([...gb!.dataSync()]).toEqual([50, 50, 50]);
  });

  it('conv2dSame with relu: one fused kernel, the values and gradients of relu after the conv', () => {
    const x = tf.tensor4d(seq(2 * 6 * 6 * 3, 7), [2, 6, 6, 3]);
    const w = tf.tensor4d(seq(3 * 3 * 3 * 4, 8), [3, 3, 3, 4]);
    const b = tf.tensor1d([0.1, -0.2, 0.3, 0]);
    // A weighted sum, so every output position has its own upstream gradient.
    const up = tf.tensor4d(seq(2 * 3 * 3 * 4, 9), [2, 3, 3, 4]);
    for (const stride of [1, 2]) {
      const loss = (relu: boolean) => (xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor) => {
        const y = conv2dSame(xa as tf.Tensor4D, wa as tf.Tensor4D, ba as tf.Tensor1D, stride, false, true, relu);
        const out = relu ? y : tf.relu(y);
        return tf.sum(tf.mul(out, stride === 2 ? up : tf.tile(up, [1, 2, 2, 1])));
      };
      const fused = conv2dSame(x, w, b, stride, false, true, true).dataSync();
      const separate = tf.relu(tf.add(tf.conv2d(x, w, stride, 'same'), b)).dataSync();
      expect(fused.some((v) => v === 0) && fused.some((v) => v > 0)).toBe(true);
      separate.forEach((v, i) => expect(fused[i]).toBeCloseTo(v, 4));
      const g1 = tf.grads(loss(true))([x, w, b]);
      const g2 = tf.grads(loss(false))([x, w, b]);
      g1.forEach((g, j) => g2[j]!.dataSync().forEach((v, i) => expect(g.dataSync()[i]).toBeCloseTo(v, 3)));
    }
  });

  it('maxPool2 routes the gradient to each window maximum', () => {
    const x = tf.tensor4d([1, 5, 3, 2, 0, 4, 8, 7, 9, 1, 1, 1, 2, 2, 6, 1], [1, 4, 4, 1]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2(a as tf.Tensor4D, false), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    // windows: [1,5,0,4] max 5; [3,2,8,7] max 8; [9,1,2,2] max 9; [1,1,6,1] max 6.
    expect([...g.dataSync()]).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4, 0]);
    expect([...maxPool2(x, false).dataSync()]).toEqual([5, 8, 9, 6]);
  });
});
