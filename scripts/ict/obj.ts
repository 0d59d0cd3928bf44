/**
 * A small Wavefront OBJ reader for the ICT-FaceKit files: `v` lines (positions) and `f` lines
 * (polygons of any size, `v`, `v/vt`, `v/vt/vn` or `v//vn` corners, 1-based or negative
 * indices); everything else is ignored. Errors name the file and line.
 */

/** Positions and polygons of one OBJ file. */
export interface ObjMesh {
  /** 3V coordinates as written in the file. */
  readonly vertices: Float32Array;
  /** Polygons as 0-based vertex indices, in file order. */
  readonly faces: readonly (readonly number[])[];
}

/** Parses OBJ text; `file` is only for error messages. */
export function parseObj(text: string, file: string): ObjMesh {
  const coords: number[] = [];
  const faces: number[][] = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.startsWith('v ')) {
      const parts = line.trim().split(/\s+/);
      const x = Number(parts[1]);
      const y = Number(parts[2]);
      const z = Number(parts[3]);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
        throw new Error(`${file}:${ln + 1}: a vertex needs three numbers, got '${line.trim()}'`);
      }
      coords.push(x, y, z);
    } else if (line.startsWith('f ')) {
      const parts = line.trim().split(/\s+/).slice(1);
      const face: number[] = [];
      for (const p of parts) {
        const i = Number.parseInt(p.split('/')[0]!, 10);
        const n = coords.length / 3;
        const idx = i < 0 ? n + i : i - 1;
        if (!Number.isInteger(i) || i === 0 || idx < 0) throw new Error(`${file}:${ln + 1}: bad face corner '${p}'`);
        face.push(idx);
      }
      if (face.length < 3) throw new Error(`${file}:${ln + 1}: a face needs at least three corners`);
      faces.push(face);
    }
  }
  const count = coords.length / 3;
  for (const f of faces) {
    for (const i of f) if (i >= count) throw new Error(`${file}: a face refers to vertex ${i + 1}, but the file has ${count} vertices`);
  }
  return { vertices: Float32Array.from(coords), faces };
}

/**
 * Fan-triangulates polygons (each face (a, b, c, d, …) becomes (a, b, c), (a, c, d), …), keeping
 * the winding; ICT's quads are planar enough that the choice of diagonal does not show.
 */
export function triangulate(faces: readonly (readonly number[])[]): Uint32Array {
  let count = 0;
  for (const f of faces) count += f.length - 2;
  const out = new Uint32Array(3 * count);
  let t = 0;
  for (const f of faces) {
    for (let k = 1; k + 1 < f.length; k++) {
      out[t++] = f[0]!;
      out[t++] = f[k]!;
      out[t++] = f[k + 1]!;
    }
  }
  return out;
}
