import { existsSync, readFileSync } from 'node:fs';

/** A bad ICT-FaceKit input: the message names the file and what to fix. */
export class IctInputError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'IctInputError';
  }
}

function readText(file: string): string {
  if (!existsSync(file)) throw new IctInputError(file, 'missing (expected the ICT-FaceKit upstream layout: FaceXModel/<name>.obj)');
  return readFileSync(file, 'utf8');
}

/**
 * The `v x y z` lines of an OBJ file as float64 (cm, as the toolkit stores them). `expected` is the
 * neutral mesh's vertex count: a file with fewer or more vertices is an error naming both counts.
 */
export function readObjVertices(file: string, expected?: number): Float64Array {
  const text = readText(file);
  const out: number[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.charCodeAt(0) !== 118 /* v */ || raw.charCodeAt(1) !== 32) continue;
    const parts = raw.trim().split(/\s+/);
    const x = Number(parts[1]);
    const y = Number(parts[2]);
    const z = Number(parts[3]);
    if (parts.length < 4 || !Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new IctInputError(file, `line ${line}: a vertex needs three numbers, got '${raw.trim()}'`);
    }
    out.push(x, y, z);
  }
  const n = out.length / 3;
  if (n === 0) throw new IctInputError(file, 'holds no vertices (v lines); is it a truncated download?');
  if (expected !== undefined && n !== expected) {
    throw new IctInputError(file, `has ${n} vertices, but the neutral mesh generic_neutral_mesh.obj has ${expected} (a short or foreign file: re-fetch it from ICT-FaceKit)`);
  }
  return Float64Array.from(out);
}

/** The polygons (`f a/at b/bt …`, 1-based) of an OBJ file as 0-based vertex index lists. */
export function readObjPolygons(file: string, vertexCount: number): number[][] {
  const text = readText(file);
  const out: number[][] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.charCodeAt(0) !== 102 /* f */ || raw.charCodeAt(1) !== 32) continue;
    const idx = raw
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((t) => Number(t.split('/')[0]) - 1);
    if (idx.length < 3 || idx.some((i) => !Number.isInteger(i) || i < 0 || i >= vertexCount)) {
      throw new IctInputError(file, `line ${line}: a face needs three or more vertex indices from 1 to ${vertexCount}, got '${raw.trim()}'`);
    }
    out.push(idx);
  }
  if (out.length === 0) throw new IctInputError(file, 'holds no faces (f lines): the neutral mesh must be the full upstream generic_neutral_mesh.obj');
  return out;
}

/** Reads and parses a JSON file, naming the file on failure. */
export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new IctInputError(file, `is not valid JSON (${(e as Error).message})`);
  }
}
