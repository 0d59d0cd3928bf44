/**
 * Vertex normals on demand: the same bits as `vertexNormals` (model.ts) for the vertices asked for,
 * without the pass over every triangle. At 112 px a face shows about a fifth of its vertices, and
 * only those (and the landmarks) need normals, so a renderer that knows which vertices it shades
 * computes a fraction of the work.
 *
 * `vertexNormals` sums, per vertex, the area-weighted face normals of its triangles in triangle
 * order, rounding to float32 after each addition, then normalises. Here each vertex walks its
 * triangles in that same order (an incidence list built once per mesh) and adds the same float64
 * face normals (cached per triangle), so each normal comes out bit for bit the same.
 */
export class VertexNormalCache {
  /** Unit normals (3N); valid for the vertices computed since the last `reset`. */
  readonly normals: Float32Array;
  private positions: Float32Array = new Float32Array(0);
  /** Incidence lists: the triangles (offsets into the index list) of vertex v are at start[v] … start[v + 1]. */
  private readonly start: Int32Array;
  private readonly incident: Int32Array;
  private readonly face: Float64Array;
  private readonly faceStamp: Int32Array;
  private readonly vertexStamp: Int32Array;
  private stamp = 0;
  private readonly one = new Int32Array(1);

  constructor(
    private readonly triangles: Uint32Array,
    vertexCount: number,
  ) {
    this.normals = new Float32Array(3 * vertexCount);
    const start = new Int32Array(vertexCount + 1);
    for (let t = 0; t < triangles.length; t++) start[triangles[t]! + 1]!++;
    for (let v = 0; v < vertexCount; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, vertexCount);
    // A triangle listing a vertex twice is listed twice for it, as vertexNormals adds it twice.
    const incident = new Int32Array(triangles.length);
    for (let t = 0; t < triangles.length; t += 3) {
      for (let k = 0; k < 3; k++) incident[fill[triangles[t + k]!]!++] = t;
    }
    this.start = start;
    this.incident = incident;
    this.face = new Float64Array(triangles.length);
    // Indexed like `face` (by the triangle's offset), so no division in the loop.
    this.faceStamp = new Int32Array(triangles.length);
    this.vertexStamp = new Int32Array(vertexCount);
    warmNormals();
  }

  /** New geometry: every normal is stale. `positions` must not change until the next reset. */
  reset(positions: Float32Array): void {
    this.positions = positions;
    this.stamp++;
  }

  /** Computes the normals of `vertices[0 … count)` (those not computed since the reset). */
  ensure(vertices: Int32Array, count: number): void {
    computeNormals(vertices, count, this.stamp, this.positions, this.triangles, this.start, this.incident, this.face, this.faceStamp, this.vertexStamp, this.normals);
  }

  /** Computes the normal of vertex v unless it is already computed since the reset. */
  ensureOne(v: number): void {
    this.one[0] = v;
    this.ensure(this.one, 1);
  }
}

/** See VertexNormalCache; one function with everything in locals, so V8 keeps the loop tight. */
function computeNormals(
  vertices: Int32Array, count: number, stamp: number, positions: Float32Array, triangles: Uint32Array,
  start: Int32Array, incident: Int32Array, face: Float64Array, faceStamp: Int32Array, vertexStamp: Int32Array, normals: Float32Array,
): void {
  for (let i = 0; i < count; i++) {
    const v = vertices[i]!;
    if (vertexStamp[v] === stamp) continue;
    vertexStamp[v] = stamp;
    let x = 0;
    let y = 0;
    let z = 0;
    for (let k = start[v]!, end = start[v + 1]!; k < end; k++) {
      const t = incident[k]!;
      if (faceStamp[t] !== stamp) {
        // The unnormalised face normal, as vertexNormals computes it.
        faceStamp[t] = stamp;
        const a = 3 * triangles[t]!;
        const b = 3 * triangles[t + 1]!;
        const c = 3 * triangles[t + 2]!;
        const ax = positions[a]!;
        const ay = positions[a + 1]!;
        const az = positions[a + 2]!;
        const ux = positions[b]! - ax;
        const uy = positions[b + 1]! - ay;
        const uz = positions[b + 2]! - az;
        const vx = positions[c]! - ax;
        const vy = positions[c + 1]! - ay;
        const vz = positions[c + 2]! - az;
        face[t] = uy * vz - uz * vy;
        face[t + 1] = uz * vx - ux * vz;
        face[t + 2] = ux * vy - uy * vx;
      }
      x = Math.fround(x + face[t]!);
      y = Math.fround(y + face[t + 1]!);
      z = Math.fround(z + face[t + 2]!);
    }
    const l = Math.sqrt(x * x + y * y + z * z);
    const o = 3 * v;
    if (l > 0) {
      normals[o] = x / l;
      normals[o + 1] = y / l;
      normals[o + 2] = z / l;
    } else {
      normals[o] = x;
      normals[o + 1] = y;
      normals[o + 2] = 1;
    }
  }
}

/**
 * Runs computeNormals on a small mesh until V8 has compiled it: compiled first by on-stack
 * replacement inside a call over a whole face, the loop stays about half as fast (as renderer.ts's
 * vertex stage, measured 3.6 vs 6.5 ms for all 24,591 normals of the built-in model).
 */
function warmNormals(): void {
  if (normalsWarm) return;
  normalsWarm = true;
  const tri = new Uint32Array([0, 1, 2, 0, 2, 3]);
  const pos = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
  const cache = new VertexNormalCache(tri, 4);
  const all = new Int32Array([0, 1, 2, 3]);
  for (let t = 0; t < 3000; t++) {
    cache.reset(pos);
    cache.ensure(all, 4);
  }
}
let normalsWarm = false;
