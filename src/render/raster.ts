/**
 * The software rasteriser: z-buffer, back-face culling, perspective-correct colour
 * interpolation, pixel centres at (x + 0.5, y + 0.5). Everything is typed arrays and one tight loop
 * per triangle; at 112 px most triangles of a face cover a pixel or less, so the per-triangle set-up
 * is what costs and is kept minimal.
 */

/** The render target of one image; reused across images so memory stays flat. */
export interface Frame {
  readonly size: number;
  /** RGB per pixel, row-major, top row first. */
  readonly color: Float32Array;
  /** 1 / depth (mm⁻¹) of the nearest surface per pixel; 0 where nothing was drawn. */
  readonly invDepth: Float32Array;
  /** 1 where the face covers the pixel, else 0. */
  readonly coverage: Uint8Array;
}

/** A frame of `size` × `size` pixels. */
export function createFrame(size: number): Frame {
  return {
    size,
    color: new Float32Array(size * size * 3),
    invDepth: new Float32Array(size * size),
    coverage: new Uint8Array(size * size),
  };
}

/** Resets a frame to no coverage, infinite depth and black. */
export function clearFrame(f: Frame): void {
  f.color.fill(0);
  f.invDepth.fill(0);
  f.coverage.fill(0);
}

/** Projected vertices: screen position, 1/depth, and colour already multiplied by 1/depth. */
export interface ScreenVertices {
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** 1 / depth; ≤ 0 marks a vertex behind the near plane (its triangles are skipped). */
  readonly iw: Float32Array;
  readonly rw: Float32Array;
  readonly gw: Float32Array;
  readonly bw: Float32Array;
  /** Scratch: the first/last pixel-centre column and row at or after/before each vertex. */
  readonly cx: Int32Array;
  readonly fx: Int32Array;
  readonly cy: Int32Array;
  readonly fy: Int32Array;
}

/** Room for the projected vertices of an n-vertex mesh. */
export function createScreenVertices(n: number): ScreenVertices {
  return {
    x: new Float32Array(n),
    y: new Float32Array(n),
    iw: new Float32Array(n),
    rw: new Float32Array(n),
    gw: new Float32Array(n),
    bw: new Float32Array(n),
    cx: new Int32Array(n),
    fx: new Int32Array(n),
    cy: new Int32Array(n),
    fy: new Int32Array(n),
  };
}

/**
 * Draws the triangles whose screen winding is clockwise in y-down pixel coordinates — i.e.
 * counter-clockwise seen from outside with y up, the model convention — and culls the rest.
 */
export function rasterize(frame: Frame, v: ScreenVertices, triangles: Uint32Array): void {
  const size = frame.size;
  const { color, invDepth, coverage } = frame;
  const { x: vx, y: vy, iw: viw, rw, gw, bw, cx, fx, cy, fy } = v;
  // Snap once per vertex: ceil/floor are monotonic, so a triangle's pixel-centre range is the
  // min of its vertices' ceilings to the max of their floors, in integers.
  const nv = vx.length;
  for (let i = 0; i < nv; i++) {
    // Clamped so that the integers stay far inside int32 for vertices projected near infinity.
    const x = Math.min(Math.max(vx[i]! - 0.5, -1e6), 1e6);
    const y = Math.min(Math.max(vy[i]! - 0.5, -1e6), 1e6);
    cx[i] = Math.ceil(x);
    fx[i] = Math.floor(x);
    cy[i] = Math.ceil(y);
    fy[i] = Math.floor(y);
  }
  const nt = triangles.length;
  for (let t = 0; t < nt; t += 3) {
    const i0 = triangles[t]!;
    const i1 = triangles[t + 1]!;
    const i2 = triangles[t + 2]!;
    // Pixel centres inside the bounding box; most triangles of a face at 112 px have none or one.
    let minX = cx[i0]!;
    if (cx[i1]! < minX) minX = cx[i1]!;
    if (cx[i2]! < minX) minX = cx[i2]!;
    let maxX = fx[i0]!;
    if (fx[i1]! > maxX) maxX = fx[i1]!;
    if (fx[i2]! > maxX) maxX = fx[i2]!;
    if (minX > maxX) continue;
    let minY = cy[i0]!;
    if (cy[i1]! < minY) minY = cy[i1]!;
    if (cy[i2]! < minY) minY = cy[i2]!;
    let maxY = fy[i0]!;
    if (fy[i1]! > maxY) maxY = fy[i1]!;
    if (fy[i2]! > maxY) maxY = fy[i2]!;
    if (minY > maxY) continue;
    const x0 = vx[i0]!;
    const y0 = vy[i0]!;
    const x1 = vx[i1]!;
    const y1 = vy[i1]!;
    const x2 = vx[i2]!;
    const y2 = vy[i2]!;
    // Negative area in y-down coordinates = front-facing; back faces and slivers are dropped.
    const area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (!(area < 0)) continue;
    if (minX < 0) minX = 0;
    if (minY < 0) minY = 0;
    if (maxX >= size) maxX = size - 1;
    if (maxY >= size) maxY = size - 1;
    if (minX > maxX || minY > maxY) continue;
    const iw0 = viw[i0]!;
    const iw1 = viw[i1]!;
    const iw2 = viw[i2]!;
    if (iw0 <= 0 || iw1 <= 0 || iw2 <= 0) continue;
    // Edge functions, negated so that inside is ≥ 0 for front faces; e_k weights vertex k.
    const a0 = y2 - y1;
    const b0 = x1 - x2;
    const a1 = y0 - y2;
    const b1 = x2 - x0;
    const a2 = y1 - y0;
    const b2 = x0 - x1;
    const inv = -1 / area;
    const px0 = minX + 0.5;
    for (let py = minY; py <= maxY; py++) {
      const fy = py + 0.5;
      let e0 = a0 * (px0 - x1) + b0 * (fy - y1);
      let e1 = a1 * (px0 - x2) + b1 * (fy - y2);
      let e2 = a2 * (px0 - x0) + b2 * (fy - y0);
      let p = py * size + minX;
      for (let px = minX; px <= maxX; px++, p++, e0 += a0, e1 += a1, e2 += a2) {
        if (e0 < 0 || e1 < 0 || e2 < 0) continue;
        const l0 = e0 * inv;
        const l1 = e1 * inv;
        const l2 = e2 * inv;
        const z = l0 * iw0 + l1 * iw1 + l2 * iw2;
        if (z <= invDepth[p]!) continue;
        invDepth[p] = z;
        coverage[p] = 1;
        const rz = 1 / z;
        const c = 3 * p;
        color[c] = (l0 * rw[i0]! + l1 * rw[i1]! + l2 * rw[i2]!) * rz;
        color[c + 1] = (l0 * gw[i0]! + l1 * gw[i1]! + l2 * gw[i2]!) * rz;
        color[c + 2] = (l0 * bw[i0]! + l1 * bw[i1]! + l2 * bw[i2]!) * rz;
      }
    }
  }
}
