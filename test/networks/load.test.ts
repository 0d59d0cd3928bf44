import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { digestFiles, loadPretrained, modelFiles, normalization, type PretrainedEmbedder } from '../../src/networks/index.js';
import type { PretrainedNetwork } from '../../src/plan/index.js';
import { useBackend } from '../../src/train/index.js';
import { tmpDir } from '../data/fixtures.js';
import { directEmbeddings, DIM, FLAT, matrix, SIDE, writeGraphModel, writeLayersModel, writeOnnxModel } from './fixtures.js';

const root = tmpDir('synx-networks-');

function network(kind: PretrainedNetwork['kind'], file: string, over: Partial<PretrainedNetwork> = {}): PretrainedNetwork {
  const listed = modelFiles(file);
  if ('problem' in listed) throw new Error(listed.problem);
  const { mean, std } = normalization('facenet')!;
  return { kind, file: path.basename(file), path: file, sha256: digestFiles(listed.files), input: 0, mean, std, channels: 'rgb', ...over };
}

/** n seeded 4 × 4 RGB images. */
function images(n: number): Uint8Array {
  const x = new Uint8Array(n * FLAT);
  for (let i = 0; i < x.length; i++) x[i] = (i * 37 + ((i * i) % 11) * 19) % 256;
  return x;
}

async function embedWith(net: PretrainedNetwork, flip = false): Promise<{ e: Float32Array; embedder: PretrainedEmbedder }> {
  const embedder = await loadPretrained(net);
  try {
    return { e: await embedder.embed(images(5), 5, SIDE, flip), embedder };
  } finally {
    embedder.dispose();
  }
}

const close = (a: Float32Array, b: Float32Array, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(tol);
};

beforeAll(async () => {
  await useBackend('wasm');
});

describe('pretrained networks embed as a direct computation does', () => {
  const w = matrix();
  it('a hand-written TensorFlow.js graph model (NHWC), input size read from the model', async () => {
    const net = network('tfjs', writeGraphModel(path.join(root, 'graph'), w));
    const { e, embedder } = await embedWith(net);
    expect(embedder.dim).toBe(DIM);
    expect(embedder.network.input).toBe(SIDE);
    close(e, directEmbeddings(images(5), 5, w, 'nhwc', 127.5, 128));
  });

  it('a TensorFlow.js layers model saved by tfjs, with bgr channels', async () => {
    const net = network('tfjs', await writeLayersModel(path.join(root, 'layers'), w), { channels: 'bgr', input: SIDE });
    const { e } = await embedWith(net);
    close(e, directEmbeddings(images(5), 5, w, 'nhwc', 127.5, 128, true));
  });

  it('a hand-encoded ONNX model (NCHW, layout read from its input shape) through onnxruntime-node', async () => {
    const net = network('onnx', writeOnnxModel(path.join(root, 'onnx', 'tiny.onnx'), w), { input: SIDE });
    const { e } = await embedWith(net);
    close(e, directEmbeddings(images(5), 5, w, 'nchw', 127.5, 128));
  });

  it('flip adds the mirrored image embedding and re-normalises', async () => {
    const net = network('onnx', writeOnnxModel(path.join(root, 'onnx-flip', 'tiny.onnx'), w));
    const { e } = await embedWith(net, true);
    const x = images(5);
    const mirrored = new Uint8Array(x.length);
    for (let k = 0; k < 5; k++)
      for (let h = 0; h < SIDE; h++)
        for (let c = 0; c < SIDE; c++) for (let ch = 0; ch < 3; ch++) mirrored[k * FLAT + (h * SIDE + c) * 3 + ch] = x[k * FLAT + (h * SIDE + (SIDE - 1 - c)) * 3 + ch]!;
    const a = directEmbeddings(x, 5, w, 'nchw', 127.5, 128);
    const b = directEmbeddings(mirrored, 5, w, 'nchw', 127.5, 128);
    const want = new Float32Array(5 * DIM);
    for (let k = 0; k < 5; k++) {
      let n = 0;
      for (let j = 0; j < DIM; j++) n += (a[k * DIM + j]! + b[k * DIM + j]!) ** 2;
      for (let j = 0; j < DIM; j++) want[k * DIM + j] = (a[k * DIM + j]! + b[k * DIM + j]!) / Math.sqrt(n);
    }
    close(e, want);
  });
});

describe('bad model files fail with their name and what is wrong', () => {
  const w = matrix();
  it('a declared input that the model does not read', async () => {
    const net = network('tfjs', writeGraphModel(path.join(root, 'bad-input'), w), { input: 112, file: 'bad-input/model.json' });
    await expect(loadPretrained(net)).rejects.toThrow('bad-input/model.json: the network reads 4 × 4 images, but the eval declares input 112');
  });

  it('a file that is not an ONNX model', async () => {
    const file = path.join(root, 'junk', 'junk.onnx');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'not a model at all');
    await expect(loadPretrained(network('onnx', file, { input: 4, file: 'junk.onnx' }))).rejects.toThrow(/^junk\.onnx is not an ONNX model onnxruntime can load/);
  });

  it('a model.json whose weights are not what its manifest says', async () => {
    const file = writeGraphModel(path.join(root, 'short'), w);
    writeFileSync(path.join(root, 'short', 'group1-shard1of1.bin'), Buffer.alloc(16));
    await expect(loadPretrained(network('tfjs', file, { file: 'short/model.json' }))).rejects.toThrow(/^short\/model\.json is not a TensorFlow\.js graph model tfjs can load/);
  });

  it('a model whose bytes changed after planning', async () => {
    const file = writeGraphModel(path.join(root, 'changed'), w);
    const net = network('tfjs', file, { file: 'changed/model.json' });
    writeGraphModel(path.join(root, 'changed'), matrix(2));
    await expect(loadPretrained(net)).rejects.toThrow('changed/model.json changed since the experiment was planned');
  });
});

describe('model digests', () => {
  it('cover the weight shards, not the folder the model sits in', () => {
    const a = writeGraphModel(path.join(root, 'digest-a'), matrix());
    const moved = path.join(root, 'elsewhere', 'deeper');
    mkdirSync(moved, { recursive: true });
    for (const f of ['model.json', 'group1-shard1of1.bin']) copyFileSync(path.join(root, 'digest-a', f), path.join(moved, f));
    const b = writeGraphModel(path.join(root, 'digest-b'), matrix(3));
    const files = (f: string) => (modelFiles(f) as { files: string[] }).files;
    expect(files(a)).toHaveLength(2);
    expect(digestFiles(files(path.join(moved, 'model.json')))).toBe(digestFiles(files(a)));
    expect(digestFiles(files(b))).not.toBe(digestFiles(files(a)));
  });

  it('name a missing model, a missing shard and a file that is not a tfjs model', () => {
    expect(modelFiles(path.join(root, 'nowhere.onnx'))).toEqual({ problem: `${path.join(root, 'nowhere.onnx')} does not exist` });
    const file = writeGraphModel(path.join(root, 'no-shard'), matrix());
    copyFileSync(file, path.join(root, 'no-shard', 'alone.json'));
    mkdirSync(path.join(root, 'alone'), { recursive: true });
    copyFileSync(file, path.join(root, 'alone', 'model.json'));
    expect(modelFiles(path.join(root, 'alone', 'model.json'))).toEqual({ problem: `${path.join(root, 'alone', 'model.json')} names the weight file group1-shard1of1.bin, which does not exist beside it` });
    writeFileSync(path.join(root, 'alone', 'other.json'), '{"a": 1}');
    expect(modelFiles(path.join(root, 'alone', 'other.json'))).toEqual({ problem: `${path.join(root, 'alone', 'other.json')} is not a TensorFlow.js model: it has no modelTopology and weightsManifest` });
  });
});

describe('without onnxruntime-node', () => {
  it('an ONNX network fails saying how to install it', async () => {
    vi.resetModules();
    vi.doMock('onnxruntime-node', () => {
      throw new Error("Cannot find package 'onnxruntime-node'");
    });
    try {
      const fresh = await import('../../src/networks/index.js');
      const file = writeOnnxModel(path.join(root, 'no-ort', 'tiny.onnx'), matrix());
      await expect(fresh.loadPretrained(network('onnx', file, { file: 'no-ort/tiny.onnx' }))).rejects.toMatchObject({
        message: expect.stringMatching(/^no-ort\/tiny\.onnx is an ONNX model, but onnxruntime-node is not installed/),
        hint: 'install it beside synx: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node',
      });
    } finally {
      vi.doUnmock('onnxruntime-node');
      vi.resetModules();
    }
  });
});
