import * as tf from '@tensorflow/tfjs';

/** TensorFlow's 'same' padding for one spatial axis: output size, and padding before/after. */
export function samePadding(size: number, k: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** A conv's padding mode: TensorFlow's 'same', or 'valid' (no padding; trailing rows a stride skips are unread). */
export type ConvPad = 'same' | 'valid';

/** Output size and padding before/after of one spatial axis for `pad` (see samePadding). */
export function convPadding(size: number, k: number, stride: number, pad: ConvPad): { out: number; before: number; after: number } {
  return pad === 'same' ? samePadding(size, k, stride) : { out: Math.floor((size - k) / stride) + 1, before: 0, after: 0 };
}

/**
 * The filter gradient of a 'same' conv2d as one forward convolution: the padded input with batch
 * and channels swapped ([Cin, Hp, Wp, N]) correlated with dy as a filter ([Ho, Wo, N, Cout],
 * dilated by the stride) gives [Cin, k, k, Cout]. This is the kernel tfjs-backend-wasm lacks
 * (Conv2DBackpropFilter); as a conv it runs on XNNPACK at forward-conv speed, faster than an
 * explicit im2col and matMul there.
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number, padMode: ConvPad = 'same'): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, cin] = x.shape;
    const cout = dy.shape[3];
    const ph = convPadding(h, k, stride, padMode);
    const pw = convPadding(w, k, stride, padMode);
    const pad = ph.before + ph.after + pw.before + pw.after > 0;
    const xp: tf.Tensor4D = pad ? tf.pad(x, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]) : x;
    const xc = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    let r = tf.conv2d(xc, f, 1, 'valid', 'NHWC', [stride, stride]);
    // With a stride, 'same' may pad less than the taps reach, and 'valid' leaves trailing rows
    // unread: drop the extra rows and columns.
    if (r.shape[1] !== k || r.shape[2] !== k) r = tf.slice(r, [0, 0, 0, 0], [cin, k, k, cout]);
    return tf.transpose(r, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** The n×n permutation matrix that reverses a vector's order (ones on the anti-diagonal). */
function antiDiagonal(n: number): tf.Tensor2D {
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + (n - 1 - i)] = 1;
  return tf.tensor2d(a, [n, n]);
}

/**
 * The input gradient of a 'same' conv2d as a forward convolution (XNNPACK on wasm; the stock
 * Conv2DBackpropInput there is a slow reference loop): dy dilated by the stride, padded by
 * k − 1 − pad on each side, correlated with the spatially flipped, in/out-swapped filter.
 */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: readonly [number, number, number, number], stride: number, padMode: ConvPad = 'same'): tf.Tensor4D {
  return tf.tidy(() => {
    const k = w.shape[0];
    const [n, h, wd] = xShape;
    const ph = convPadding(h, k, stride, padMode);
    const pw = convPadding(wd, k, stride, padMode);
    const c = dy.shape[3];
    let d: tf.Tensor4D = dy;
    if (stride > 1) {
      // Insert stride − 1 zeros after each row and column, then drop the trailing ones.
      const z = tf.pad(dy.reshape([n, ph.out, 1, pw.out, 1, c]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
      d = tf.slice(z.reshape([n, ph.out * stride, pw.out * stride, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (ph.out - 1) * stride + 1, (pw.out - 1) * stride + 1, c]);
    }
    // Pad to h + k − 1 rows: k − 1 − before on top, the rest below (more than k − 1 − after
    // when 'same' needed no padding, e.g. a strided 1×1 conv on an even size, and for 'valid'
    // rows the stride never reached, whose gradient is 0).
    const top = k - 1 - ph.before;
    const left = k - 1 - pw.before;
    const bottom = h + k - 1 - top - d.shape[1];
    const right = wd + k - 1 - left - d.shape[2];
    const padded = tf.pad(d, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    // Flipping both spatial axes reverses the flattened k·k order: a product with the k²×k²
    // anti-diagonal permutation (on wasm ~25× faster than a gather, and Reverse is slower still).
    const flipped = tf.matMul(antiDiagonal(k * k), w.reshape([k * k, w.shape[2] * w.shape[3]]) as tf.Tensor2D).reshape(w.shape);
    const wf = tf.transpose(flipped, [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(padded as tf.Tensor4D, wf, 1, 'valid');
  });
}

/**
 * The plain custom-gradient path (stock transposed conv for dx, a transposeA im2col matMul for
 * dw, stock pooling): what a straightforward wasm training loop does, ~4× slower. Only the
 * benchmark turns it on, to measure the baseline in the same run.
 */
export const plainConvGrad = { enabled: false };

function plainFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = x.shape;
    const ph = samePadding(h, k, stride);
    const pw = samePadding(w, k, stride);
    const xp = tf.pad(x, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
    const views: tf.Tensor4D[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        views.push(tf.stridedSlice(xp, [0, i, j, 0], [n, i + (ph.out - 1) * stride + 1, j + (pw.out - 1) * stride + 1, cin], [1, stride, stride, 1]) as tf.Tensor4D);
      }
    }
    const cols = tf.concat(views, 3).reshape([n * ph.out * pw.out, k * k * cin]) as tf.Tensor2D;
    return tf.matMul(cols, dy.reshape([n * ph.out * pw.out, dy.shape[3]]) as tf.Tensor2D, true, false).reshape([k, k, cin, dy.shape[3]]) as tf.Tensor4D;
  });
}

/** Whether the active backend has a native filter gradient (wasm does not). */
export function hasNativeFilterGrad(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
}

/**
 * A 'same' conv2d plus bias (and ReLU when `relu`) whose gradients are `conv2dInputGrad`,
 * `conv2dFilterGrad` and a ones-vector matMul for the bias, so it trains on backends without
 * Conv2DBackpropFilter (wasm), and fast there: the forward pass is one fused XNNPACK kernel
 * (conv, bias, ReLU) instead of three passes over the activations, and the ReLU's gradient is a
 * mask of the saved output (y > 0 exactly where the pre-activation is). Backends with the native
 * kernels (`native`) use the stock ops.
 */
export function conv2dSame(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D,
  stride: number,
  native = hasNativeFilterGrad(),
  /** False for a network's first conv: nothing upstream needs dx, so it is not computed. */
  inputGrad = true,
  relu = false,
  /** 'valid' for face-api's strided convs (the name says the usual case). */
  pad: ConvPad = 'same',
): tf.Tensor4D {
  if (native) {
    const y = tf.add(tf.conv2d(x, w, stride, pad), b) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  }
  if (plainConvGrad.enabled && relu) return tf.relu(conv2dSame(x, w, b, stride, native, inputGrad, false, pad));
  const k = w.shape[0];
  const f = tf.customGrad(((xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = xa as tf.Tensor4D;
    const w4 = wa as tf.Tensor4D;
    const y = tf.fused.conv2d({ x: x4, filter: w4, strides: stride, pad, bias: ba, activation: relu ? 'relu' : 'linear' });
    save(relu ? [x4, w4, y] : [x4, w4]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined];
        // ReLU's gradient as TensorFlow defines it: dy where the output is positive, else 0.
        const d4 = (sy ? tf.mul(dy, tf.step(sy)) : dy) as tf.Tensor4D;
        if (plainConvGrad.enabled) {
          if (pad === 'same') return [tf.conv2dTranspose(d4, sw, sx.shape, stride, 'same'), plainFilterGrad(sx, d4, k, stride), tf.sum(d4, [0, 1, 2])];
        }
        const rows = d4.shape[0] * d4.shape[1] * d4.shape[2];
        const db = tf.matMul(tf.ones([1, rows]), d4.reshape([rows, d4.shape[3]]) as tf.Tensor2D).reshape([d4.shape[3]]);
        const dx = inputGrad ? conv2dInputGrad(d4, sw, sx.shape, stride, pad) : tf.zerosLike(sx);
        return [dx, conv2dFilterGrad(sx, d4, k, stride, pad), db];
      },
    };
    // Cast: tfjs types every argument of a custom-gradient function as Tensor | GradSaveFunc;
    // the tensors come first and the save function last, as typed here.
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w, b) as tf.Tensor4D;
}

/**
 * 2×2, stride-2 max-pool whose gradient routes dy to the inputs equal to their window's max (on
 * exact ties to each of them, where TensorFlow picks one), from elementwise ops: wasm's
 * MaxPoolGrad is a slow reference loop. Other pools use the stock op.
 */
export function maxPool2(x: tf.Tensor4D, native = hasNativeFilterGrad()): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (native || plainConvGrad.enabled || h % 2 !== 0 || w % 2 !== 0) return tf.maxPool(x, 2, 2, 'same');
  const f = tf.customGrad(((xa: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.maxPool(xa as tf.Tensor4D, 2, 2, 'valid');
    save([xa, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sy] = saved as [tf.Tensor4D, tf.Tensor4D];
        // Nearest-neighbour 2× upsampling (wasm's Tile is slow; a resize is ~1.3× faster than
        // two concatenations, and broadcasting the comparison ~10× slower).
        const up = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [h, w]);
        return [tf.mul(tf.cast(tf.equal(sx, up(sy)), 'float32'), up(dy))];
      },
    };
    // Cast: tfjs types every argument of a custom-gradient function as Tensor | GradSaveFunc;
    // the tensors come first and the save function last, as typed here.
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
