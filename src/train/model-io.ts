import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../node/index.js';
import type { Network } from '../plan/index.js';
import { networkDef, type Neck, type NetworkDef, type Weights } from './networks.js';
import type { OptimizerState } from './trainer.js';

/** model.json: what a train node's output holds besides weights.bin. */
export interface ModelFile {
  readonly format: 'synx-model';
  readonly version: 1;
  readonly network: Network;
  readonly input: number;
  readonly embedding: number;
  /** Between the embedding layer and the L2 normalisation; absent in models written before it existed ('none'). */
  readonly neck?: Neck;
  /** Parameter names and shapes (trained ones, then measured statistics), in the order their float32 arrays follow each other in weights.bin. */
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

function concat(arrays: readonly Float32Array[]): Buffer {
  const total = arrays.reduce((a, b) => a + b.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return Buffer.from(out.buffer);
}

function floats(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Writes model.json and weights.bin (little-endian float32, parameter after parameter). */
export function writeModel(dir: string, def: NetworkDef, weights: Weights): void {
  mkdirSync(dir, { recursive: true });
  const m: ModelFile = {
    format: 'synx-model',
    version: 1,
    network: def.network,
    input: def.input,
    embedding: def.embedding,
    neck: def.neck,
    params: [...def.params, ...def.stats].map((p) => ({ name: p.name, shape: p.shape })),
  };
  writeFileSync(path.join(dir, WEIGHTS_FILE), concat([...def.params, ...def.stats].map((p) => weights.get(p.name)!)));
  writeFileSync(path.join(dir, MODEL_FILE), `${JSON.stringify(m, null, 1)}\n`);
}

/** Reads a model a train node wrote; a missing or inconsistent one is a NodeFailure naming it. */
export function readModel(dir: string): { def: NetworkDef; weights: Weights } {
  const file = path.join(dir, MODEL_FILE);
  let m: ModelFile;
  let data: Float32Array;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as ModelFile;
    data = floats(path.join(dir, WEIGHTS_FILE));
  } catch (e) {
    throw new NodeFailure(`cannot read the model in ${dir}: ${(e as Error).message}`, 'rerun the train node that made it', 'SX5003');
  }
  if (m.format !== 'synx-model' || m.version !== 1) throw new NodeFailure(`${file} is not a synx model of version 1`, 'rerun the train node that made it', 'SX5003');
  const def = networkDef(m.network, m.input, m.embedding, m.neck ?? 'none');
  const weights: Weights = new Map();
  let o = 0;
  for (const p of [...def.params, ...def.stats]) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const saved = m.params.find((q) => q.name === p.name);
    if (!saved || saved.shape.join('x') !== p.shape.join('x') || o + n > data.length) {
      throw new NodeFailure(`${file}: parameter ${p.name} is missing or has another shape than this synx's ${m.network}`, 'rerun the train node that made it', 'SX5003');
    }
    weights.set(p.name, data.slice(o, o + n));
    o += n;
  }
  return { def, weights };
}

/** One epoch's training state, kept in the node's scratch folder. */
export interface Checkpoint {
  readonly epoch: number;
  readonly weights: Weights;
  readonly head?: Float32Array;
  readonly optimizer: OptimizerState;
  readonly history: readonly unknown[];
}

/**
 * Saves the state after `epoch` as scratch/ckpt-<epoch>, written to a temporary folder and
 * renamed into place so a kill never leaves a half-written checkpoint; older ones are removed.
 */
export function saveCheckpoint(scratch: string, def: NetworkDef, c: Checkpoint): void {
  const tmp = path.join(scratch, `ckpt.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  writeModel(tmp, def, c.weights);
  if (c.head) writeFileSync(path.join(tmp, 'head.bin'), Buffer.from(c.head.buffer.slice(0)));
  writeFileSync(path.join(tmp, 'optimizer.bin'), concat(c.optimizer.slots));
  writeFileSync(
    path.join(tmp, 'state.json'),
    `${JSON.stringify({ epoch: c.epoch, history: c.history, step: c.optimizer.step, slots: c.optimizer.slots.map((a) => a.length) })}\n`,
  );
  const dest = path.join(scratch, `ckpt-${c.epoch}`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  for (const d of readdirSync(scratch)) {
    const m = /^ckpt-(\d+)$/.exec(d);
    if (m && Number(m[1]) < c.epoch) rmSync(path.join(scratch, d), { recursive: true, force: true });
  }
}

/** The latest whole checkpoint in `scratch`, or null. */
export function loadCheckpoint(scratch: string): Checkpoint | null {
  if (!existsSync(scratch)) return null;
  const epochs = readdirSync(scratch)
    .map((d) => /^ckpt-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const e of epochs) {
    const dir = path.join(scratch, `ckpt-${e}`);
    try {
      const { weights } = readModel(dir);
      const st = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { epoch: number; history: unknown[]; step: number; slots: number[] };
      const opt = floats(path.join(dir, 'optimizer.bin'));
      let o = 0;
      const slots = st.slots.map((n) => {
        const data = opt.slice(o, o + n);
        o += n;
        return data;
      });
      const optimizer = { step: st.step, slots };
      const headFile = path.join(dir, 'head.bin');
      return { epoch: st.epoch, weights, optimizer, history: st.history, ...(existsSync(headFile) ? { head: floats(headFile) } : {}) };
    } catch {
      continue;
    }
  }
  return null;
}
