import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The kinds of model file synx reads, by their name. */
export type ModelFileKind = 'tfjs' | 'onnx';

/** What a model file is, from its name: `.json` a TensorFlow.js model, `.onnx` an ONNX one. */
export function modelFileKind(file: string): ModelFileKind | undefined {
  if (/\.json$/i.test(file)) return 'tfjs';
  if (/\.onnx$/i.test(file)) return 'onnx';
  return undefined;
}

/**
 * Every file whose bytes make up a model: a model.json and the weight shards its
 * weightsManifest names (relative to it), or the .onnx file alone. A problem is a sentence
 * naming the file and what is wrong, for a diagnostic.
 */
export function modelFiles(file: string): { files: string[] } | { problem: string } {
  if (!existsSync(file)) return { problem: `${file} does not exist` };
  if (statSync(file).isDirectory()) return { problem: `${file} is a folder, not a model file` };
  if (modelFileKind(file) !== 'tfjs') return { files: [file] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { problem: `${file} is not a TensorFlow.js model: not JSON (${(e as Error).message})` };
  }
  const m = json as { modelTopology?: unknown; weightsManifest?: { paths?: unknown }[] };
  if (typeof m !== 'object' || m === null || m.modelTopology === undefined || !Array.isArray(m.weightsManifest)) {
    return { problem: `${file} is not a TensorFlow.js model: it has no modelTopology and weightsManifest` };
  }
  const files = [file];
  for (const group of m.weightsManifest) {
    for (const p of Array.isArray(group.paths) ? group.paths : []) {
      const shard = path.join(path.dirname(file), String(p));
      if (!existsSync(shard)) return { problem: `${file} names the weight file ${String(p)}, which does not exist beside it` };
      files.push(shard);
    }
  }
  return { files };
}

/** A bare tfjs weights manifest (face-api ships these) and the shards it names. */
export function weightFiles(manifest: string): { files: string[] } | { problem: string } {
  if (!existsSync(manifest)) return { problem: `${manifest} does not exist` };
  let groups: unknown;
  try {
    groups = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    return { problem: `${manifest} is not a weights manifest: not JSON (${(e as Error).message})` };
  }
  if (!Array.isArray(groups)) return { problem: `${manifest} is not a weights manifest (a list of weight groups)` };
  const files = [manifest];
  for (const g of groups as { paths?: unknown }[]) {
    for (const p of Array.isArray(g.paths) ? g.paths : []) {
      const shard = path.join(path.dirname(manifest), String(p));
      if (!existsSync(shard)) return { problem: `${manifest} names the weight file ${String(p)}, which does not exist beside it` };
      files.push(shard);
    }
  }
  return { files };
}

/** The manifest of face-api's recogniser, in its npm package (its weights sit beside it). */
export function faceApiRecogniserManifest(): string {
  const pkg = createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json');
  return path.join(path.dirname(pkg), 'model', 'face_recognition_model-weights_manifest.json');
}

/**
 * The digest of a model made of several files: sha256 over each file's sha256 (hex, one a line,
 * in the order the model lists them). A file's own digest is the sha256 of its bytes, as the
 * planner's content digests are, so plan and run compute the same value; paths are not hashed.
 */
export function combineDigests(fileDigests: readonly string[]): string {
  return createHash('sha256').update(fileDigests.map((d) => `${d}\n`).join('')).digest('hex');
}

/** The digest of a model's files, read now (at run time, to check they are what was planned). */
export function digestFiles(files: readonly string[]): string {
  return combineDigests(files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex')));
}
