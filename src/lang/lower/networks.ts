// Pretrained networks: face-api's recogniser (as a finetune's start or an eval's network) and
// model files named in an eval (`with network "m.onnx", input 112, normalize arcface`), with the
// input size, normalisation and channel order they expect and the files whose bytes make them up.
import { didYouMean, type Range } from '../../diag/index.js';
import { FACE_API_INPUT, FACE_API_NORMALIZATION, NORMALIZATIONS, faceApiRecogniserManifest, modelFileKind, modelFiles, normalization, weightFiles } from '../../networks/index.js';
import type { StageOption } from '../ast.js';
import type { NetworkSpec } from '../spec.js';
import type { Reader } from './values.js';

/** Pretrained networks known by name (the rest are files). */
const NAMED_NETWORKS = ['face-api'];
const NETWORK_HINT = 'e.g. with network face-api, or with network "arcface.onnx", input 112, normalize arcface';

/** face-api's recogniser as a checked network (its weight files listed), or undefined (reported at `range`). */
export function faceApiSpec(r: Reader, range: Range): NetworkSpec | undefined {
  const manifest = faceApiRecogniserManifest();
  const listed = weightFiles(manifest);
  if ('problem' in listed) {
    r.report('SX5003', range, `face-api's recogniser weights cannot be read: ${listed.problem}`, 'reinstall @vladmandic/face-api (npm install)');
    return undefined;
  }
  return { kind: 'face-api', file: 'face-api', path: manifest, files: listed.files, input: FACE_API_INPUT, mean: FACE_API_NORMALIZATION.mean, std: FACE_API_NORMALIZATION.std, channels: 'rgb' };
}

/**
 * The pretrained network of an eval's options (`network face-api`, or `network "m.onnx",
 * input 112, normalize arcface, channels bgr`): undefined when there is none, null when it is
 * wrong (reported).
 */
export function evalNetwork(r: Reader, options: readonly StageOption[]): NetworkSpec | undefined | null {
  const opt = (name: string) => options.find((o) => o.name === name);
  const net = opt('network');
  const extras = ['input', 'normalize', 'mean', 'std', 'channels'].map(opt).filter((o): o is StageOption => o !== undefined);
  if (!net) {
    for (const o of extras) r.report('SX2014', o.nameRange, `${o.name} describes a pretrained network's input, but the eval has no network option`, NETWORK_HINT);
    return extras.length > 0 ? null : undefined;
  }
  if (!net.value) {
    r.report('SX2010', net.nameRange, 'network needs a pretrained network: face-api or the path of a model file in quotes', NETWORK_HINT);
    return null;
  }
  const v = r.picked(net.value);
  if (v.type === 'error') return null;
  if (v.type === 'name' && !v.arg) {
    if (!NAMED_NETWORKS.includes(v.name)) {
      r.report('SX2001', v.range, `unknown network '${v.name}'${didYouMean(v.name, NAMED_NETWORKS)}`, `pretrained networks are ${NAMED_NETWORKS.join(', ')}, or a model file in quotes ("model.json", "model.onnx")`);
      return null;
    }
    // face-api's recogniser fixes its input and normalisation: nothing to declare.
    for (const o of extras) r.report('SX2014', o.nameRange, `face-api's recogniser reads ${FACE_API_INPUT} px crops normalised its own way; ${o.name} cannot change that`, 'remove it');
    if (extras.length > 0) return null;
    return faceApiSpec(r, v.range) ?? null;
  }
  if (v.type !== 'string') {
    r.report('SX2010', v.range, `network is face-api or the path of a model file in quotes, not '${r.text(v)}'`, NETWORK_HINT);
    return null;
  }
  const kind = modelFileKind(v.value);
  if (!kind) {
    r.report('SX5003', v.range, `'${v.value}' is neither a TensorFlow.js model (model.json) nor an ONNX model (.onnx)`, 'give the model.json of a tfjs graph or layers model, or a .onnx file');
    return null;
  }
  const file = r.resolvePath(v.value);
  const listed = modelFiles(file);
  if ('problem' in listed) {
    r.report('SX5003', v.range, `network '${v.value}': ${listed.problem.replace(file, 'the file')}`, 'paths are relative to the .synexp file');
    return null;
  }
  let failed = false;
  let input = 0;
  const inputOpt = opt('input');
  if (inputOpt) {
    const n = inputOpt.value ? r.count(inputOpt.value, 'the network input size') : undefined;
    if (!inputOpt.value) r.report('SX2010', inputOpt.nameRange, 'input needs the size in pixels of the square images the network reads', 'e.g. input 112');
    if (n === undefined) failed = true;
    else input = n;
  }
  const normOpt = opt('normalize');
  const meanOpt = opt('mean');
  const stdOpt = opt('std');
  let mean: [number, number, number] | undefined;
  let std: [number, number, number] | undefined;
  const normHint = `write normalize ${Object.keys(NORMALIZATIONS).join('|')}, or mean M, std S (of 0..255 pixels); see the README's Pretrained networks`;
  if (normOpt) {
    if (meanOpt || stdOpt) {
      r.report('SX2014', (meanOpt ?? stdOpt)!.nameRange, 'give either normalize or mean and std, not both', normHint);
      failed = true;
    }
    const name = normOpt.value ? r.nameOf(normOpt.value, 'normalisation', Object.keys(NORMALIZATIONS)) : undefined;
    if (!normOpt.value) r.report('SX2010', normOpt.nameRange, 'normalize needs the name of a normalisation', normHint);
    if (name === undefined) failed = true;
    else ({ mean, std } = normalization(name)!);
  } else if (meanOpt || stdOpt) {
    const read = (o: StageOption | undefined, what: string, fallback: number): number | undefined => {
      if (!o) return fallback;
      if (!o.value) {
        r.report('SX2010', o.nameRange, `${what} needs a number`, normHint);
        return undefined;
      }
      return r.number(o.value, what, [''], normHint);
    };
    const m = read(meanOpt, 'mean', 0);
    const sd = read(stdOpt, 'std', 1);
    if (sd !== undefined && !(sd > 0)) {
      r.report('SX2010', r.picked(stdOpt!.value!).range, `std must be above 0, not ${sd}`, normHint);
      failed = true;
    } else if (m === undefined || sd === undefined) failed = true;
    else [mean, std] = [[m, m, m], [sd, sd, sd]];
  } else {
    // A silent default would evaluate a network on pixels it never saw, and look merely bad.
    r.report('SX2015', v.range, `network '${v.value}': say how it expects its pixels`, normHint);
    failed = true;
  }
  let channels: 'rgb' | 'bgr' = 'rgb';
  const chOpt = opt('channels');
  if (chOpt) {
    const c = chOpt.value ? r.nameOf(chOpt.value, 'channel order', ['rgb', 'bgr']) : undefined;
    if (!chOpt.value) r.report('SX2010', chOpt.nameRange, 'channels needs the colour order the network reads', 'channels rgb or channels bgr');
    if (c === undefined) failed = true;
    else channels = c as 'rgb' | 'bgr';
  }
  if (failed || !mean || !std) return null;
  return { kind, file: v.value, path: file, files: listed.files, input, mean, std, channels };
}
