import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { PretrainedNetwork } from '../params/index.js';
import { asRows, makeEmbedder, NetworkError, type PretrainedEmbedder } from './embedder.js';
import { faceApiForward, readFaceApiWeights } from './face-api.js';
import { digestFiles, modelFiles, weightFiles } from './files.js';
import { optionalImport } from '../util/index.js';

type Layout = 'nhwc' | 'nchw';

/**
 * Loads a pretrained network and runs it once on a blank image, so a file that is not a model,
 * reads another input shape, or gives no embedding fails here with its name, before any test
 * image is read. The bytes must still be those the plan digested (else the cached result would
 * be keyed on other weights).
 */
export async function loadPretrained(net: PretrainedNetwork): Promise<PretrainedEmbedder> {
  const listed = net.kind === 'face-api' ? weightFiles(net.path) : modelFiles(net.path);
  if ('problem' in listed) throw new NetworkError(listed.problem, 'fix the network path in the eval clause');
  const now = digestFiles(listed.files);
  if (now !== net.sha256) {
    throw new NetworkError(`${net.file} changed since the experiment was planned`, 'run again: the new bytes are planned as a new evaluation');
  }
  if (net.kind === 'face-api') return faceApi(net);
  if (net.kind === 'onnx') return onnx(net);
  return tfjsModel(net);
}

/** A static H (= W) and the layout from an input shape [n, h, w, 3] or [n, 3, h, w]; -1 or null dims are dynamic. */
function readShape(shape: readonly (number | string | null | undefined)[], fallback: Layout): { layout: Layout; size: number | undefined } | { problem: string } {
  const dims = shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
  if (shape.length !== 4) return { problem: `its input has shape [${shape.join(', ')}], not an image batch of rank 4` };
  const layout: Layout = dims[3] === 3 ? 'nhwc' : dims[1] === 3 ? 'nchw' : fallback;
  const [h, w] = layout === 'nhwc' ? [dims[1], dims[2]] : [dims[2], dims[3]];
  if (h !== undefined && w !== undefined && h !== w) return { problem: `its input is ${h} × ${w}; synx feeds square crops` };
  return { layout, size: h ?? w };
}

function resolveInput(net: PretrainedNetwork, shape: readonly (number | string | null | undefined)[], fallback: Layout): { net: PretrainedNetwork; layout: Layout } {
  const r = readShape(shape, fallback);
  if ('problem' in r) throw new NetworkError(`${net.file}: ${r.problem}`, 'synx feeds batches of square RGB images, [n, h, w, 3] or [n, 3, h, w]');
  if (net.input > 0 && r.size !== undefined && r.size !== net.input) {
    throw new NetworkError(`${net.file}: the network reads ${r.size} × ${r.size} images, but the eval declares input ${net.input}`, `write input ${r.size}, or give the network that reads ${net.input} px`);
  }
  const input = net.input > 0 ? net.input : r.size;
  if (input === undefined) throw new NetworkError(`${net.file}: its input size is not fixed in the model`, 'declare it in the eval clause, e.g. with network "model.onnx", input 112, normalize arcface');
  return { net: { ...net, input }, layout: r.layout };
}

/** Runs `forward` on one blank image to learn the embedding width (and to fail early on a bad model). */
async function probe(net: PretrainedNetwork, layout: Layout, forward: (x: tf.Tensor4D) => Promise<tf.Tensor2D>): Promise<number> {
  const s = net.input;
  const blank = layout === 'nhwc' ? tf.zeros([1, s, s, 3]) : tf.zeros([1, 3, s, s]);
  try {
    const out = await forward(blank as tf.Tensor4D);
    const d = out.shape[1];
    out.dispose();
    return d;
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new NetworkError(`${net.file}: running the network on a ${s} × ${s} image failed: ${(e as Error).message.split('\n')[0]}`, 'check the input size and that the model is an image-to-embedding network');
  } finally {
    blank.dispose();
  }
}

async function faceApi(net: PretrainedNetwork): Promise<PretrainedEmbedder> {
  const weights = readFaceApiWeights(net.path);
  const forward = async (x: tf.Tensor4D) => faceApiForward(weights, x);
  const dim = await probe(net, 'nhwc', forward);
  return makeEmbedder(net, dim, 'nhwc', forward, () => {
    for (const t of Object.values(weights)) t.dispose();
  });
}

/** A model.json (graph or layers model) read from disk through an in-memory IOHandler: synx runs without tfjs-node, so no file:// handler exists. */
async function tfjsModel(net0: PretrainedNetwork): Promise<PretrainedEmbedder> {
  const json = JSON.parse(readFileSync(net0.path, 'utf8')) as tf.io.ModelJSON;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(readFileSync(path.join(path.dirname(net0.path), p)));
  }
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) (weightData.set(b, at), (at += b.length));
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    ...(json.format ? { format: json.format } : {}),
    ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
    ...(json.signature ? { signature: json.signature } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
    ...(json.modelInitializer ? { modelInitializer: json.modelInitializer } : {}),
    weightSpecs: specs,
    weightData: weightData.buffer,
  };
  const topo = json.modelTopology as { node?: unknown } | undefined;
  const isGraph = json.format === 'graph-model' || (topo !== undefined && Array.isArray(topo.node));
  let model: tf.GraphModel | tf.LayersModel;
  try {
    model = isGraph ? await tf.loadGraphModel(tf.io.fromMemory(artifacts)) : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new NetworkError(`${net0.file} is not a TensorFlow.js ${isGraph ? 'graph' : 'layers'} model tfjs can load: ${(e as Error).message.split('\n')[0]}`, 'export it with tensorflowjs_converter (graph or layers model) and keep its weight files beside it');
  }
  const inputs = model.inputs;
  if (inputs.length !== 1) {
    model.dispose();
    throw new NetworkError(`${net0.file}: the network has ${inputs.length} inputs; synx feeds one image batch`, 'export a model with a single image input');
  }
  const { net, layout } = resolveInput(net0, inputs[0]!.shape ?? [], 'nhwc');
  const forward = async (x: tf.Tensor4D): Promise<tf.Tensor2D> => {
    const n = x.shape[0];
    // execute() runs graphs without control flow; executeAsync() the rest (it warns on the former).
    const run = (g: tf.GraphModel) => {
      try {
        return g.execute(x);
      } catch {
        return g.executeAsync(x);
      }
    };
    const out = model instanceof tf.GraphModel ? await run(model) : model.predict(x);
    const first = Array.isArray(out) ? out[0]! : (out as tf.Tensor);
    if (Array.isArray(out)) for (const o of out.slice(1)) o.dispose();
    const rows = asRows(first, n);
    if (!rows) {
      first.dispose();
      throw new NetworkError(`${net.file}: the network's output has shape [${first.shape.join(', ')}], not one embedding per image`, 'give a network whose (first) output is [batch, d]');
    }
    if (rows !== first) first.dispose();
    return rows;
  };
  const dim = await probe(net, layout, forward);
  return makeEmbedder(net, dim, layout, forward, () => model.dispose());
}

/**
 * The part of onnxruntime-node's API synx uses, typed here rather than imported: the package is
 * an optional dependency, and where npm drops it (its install script fails without network) the
 * build must still compile (see optionalImport).
 */
interface OrtTensor {
  readonly type: string;
  readonly dims: readonly (number | bigint)[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ({ readonly isTensor: false } | { readonly isTensor: true; readonly shape: readonly (number | string)[] })[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options: { readonly intraOpNumThreads: number }): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}
/** onnxruntime-node, an optional dependency: loaded only when an ONNX network is evaluated. */
async function onnxRuntime(file: string): Promise<OrtModule> {
  try {
    return (await optionalImport('onnxruntime-node')) as OrtModule;
  } catch (e) {
    throw new NetworkError(
      `${file} is an ONNX model, but onnxruntime-node is not installed (${(e as Error).message.split('\n')[0]})`,
      'install it beside synx: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node',
    );
  }
}

async function onnx(net0: PretrainedNetwork): Promise<PretrainedEmbedder> {
  const ort = await onnxRuntime(net0.file);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(readFileSync(net0.path), { intraOpNumThreads: 1 });
  } catch (e) {
    throw new NetworkError(`${net0.file} is not an ONNX model onnxruntime can load: ${(e as Error).message.split('\n')[0]}`, 'export the network with torch.onnx.export (or check the file is complete)');
  }
  if (session.inputNames.length !== 1) {
    await session.release();
    throw new NetworkError(`${net0.file}: the network has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); synx feeds one image batch`, 'export a model with a single image input');
  }
  const meta = session.inputMetadata[0];
  const shape = meta && meta.isTensor ? meta.shape : [];
  const { net, layout } = resolveInput(net0, shape.length === 0 ? [undefined, undefined, undefined, undefined] : shape, 'nchw');
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const forward = async (x: tf.Tensor4D): Promise<tf.Tensor2D> => {
    const n = x.shape[0];
    const data = (await x.data()) as Float32Array;
    let result: Record<string, OrtTensor>;
    try {
      result = await session.run({ [inputName]: new ort.Tensor('float32', data, x.shape) });
    } catch (e) {
      throw new NetworkError(`${net.file}: onnxruntime could not run the network on [${x.shape.join(', ')}]: ${(e as Error).message.split('\n')[0]}`, 'check the declared input size and that the model takes a float32 image batch');
    }
    const out = result[outputName]!;
    const dims = out.dims.map(Number);
    if (out.type !== 'float32' || dims[0] !== n) {
      throw new NetworkError(`${net.file}: the network's output is ${out.type} [${dims.join(', ')}], not one float embedding per image`, 'give a network whose first output is [batch, d]');
    }
    return tf.tensor2d(out.data as Float32Array, [n, (out.data as Float32Array).length / n]);
  };
  const dim = await probe(net, layout, forward);
  return makeEmbedder(net, dim, layout, forward, () => void session.release());
}
