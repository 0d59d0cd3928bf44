// Generates lib/models/builtin-face.{json,bin.gz}, synx's built-in face model, from ICT Face Model
// Light (ICT-FaceKit, MIT license), and copies its LICENSE and CREDITS.md beside it.
// Run: npx tsx scripts/gen-ict-model.ts [path/to/ICT-FaceKit] [--out folder]
// The folder defaults to ../shared/reference/ict-facekit (relative to the repository) when present.
// Deterministic: same input files, same bytes. Bad input stops with a message naming the file, and
// nothing is written: every output goes to a temporary name first and is renamed at the end.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_MODEL_NAME, encodeBuiltinModel } from '../src/render/builtin-model.js';
import { buildIctModel, type IctBuildOptions, type InteriorReport } from './ict/build.js';
import { IctInputError } from './ict/read-input.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');

/** Builds the model from `root` and writes it (and the upstream license files) into `outDir`. */
export function generateIctModel(root: string, outDir: string, opts: IctBuildOptions = {}): { bytes: number; vertices: number; triangles: number; interior: InteriorReport } {
  const license = path.join(root, 'LICENSE');
  const credits = path.join(root, 'CREDITS.md');
  for (const f of [license, credits]) if (!existsSync(f)) throw new IctInputError(f, 'missing: the MIT license and credits must ship with anything derived from ICT-FaceKit');
  const src = buildIctModel(root, opts);
  const { header, body } = encodeBuiltinModel(src);
  const files: [string, string | Buffer][] = [
    [`${BUILTIN_MODEL_NAME}.json`, `${JSON.stringify(header, null, 1)}\n`],
    [`${BUILTIN_MODEL_NAME}.bin.gz`, body],
    ['LICENSE-ICT-FaceKit', readFileSync(license)],
    ['CREDITS.md', readFileSync(credits)],
  ];
  mkdirSync(outDir, { recursive: true });
  const tmp = files.map(([name]) => path.join(outDir, `.${name}.tmp-${process.pid}`));
  try {
    files.forEach(([, data], i) => writeFileSync(tmp[i]!, data));
    files.forEach(([name], i) => renameSync(tmp[i]!, path.join(outDir, name)));
  } finally {
    for (const t of tmp) rmSync(t, { force: true });
  }
  return { bytes: body.length, vertices: header.vertices, triangles: header.triangles, interior: src.interior };
}

function main(argv: string[]): number {
  let root: string | undefined;
  let out = path.join(repo, 'lib', 'models');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = path.resolve(argv[++i] ?? '');
    else root = path.resolve(argv[i]!);
  }
  root ??= path.join(repo, '..', 'shared', 'reference', 'ict-facekit');
  if (!existsSync(root)) {
    process.stderr.write(`gen-ict-model: ${root}: no ICT-FaceKit folder here; pass its path (the folder holding FaceXModel/)\n`);
    return 2;
  }
  try {
    const r = generateIctModel(root, out);
    process.stdout.write(`wrote ${r.vertices} vertices, ${r.triangles} triangles, ${r.bytes} bytes to ${out}\n`);
    for (const p of r.interior) {
      process.stdout.write(`  ${p.name}: ${p.trianglesBefore} -> ${p.trianglesAfter} triangles, ${p.verticesBefore} -> ${p.verticesAfter} vertices\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof IctInputError) {
      process.stderr.write(`gen-ict-model: ${e.message}\nnothing was written\n`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
