/**
 * The gl raster target: the same contract as `createRasterTarget` (raster-wasm.ts) — the vertex
 * stage fills `screen`, `draw()` fills `frame` — with the triangles rasterised by headless-gl.
 * Everything before (projection, shading) and after (background, compose, post) stays the shared
 * JS, so only rasterisation differs, and only at edges and depth ties (docs/render.md "gl backend").
 *
 * Mapping of the software rasteriser's conventions onto WebGL 1:
 *  - positions go in as clip coordinates with w = depth = 1 / iw, so GL's perspective-correct
 *    interpolation of the colour (rw/iw) computes exactly Σλ·rw / Σλ·iw like raster.ts;
 *  - 1 / depth is gl_FragCoord.w, which GL interpolates linearly in screen space like raster.ts;
 *  - image rows are y-down, GL's are y-up: y is flipped in the vertex shader, rows on readback,
 *    and the flip turns raster.ts's front faces (negative area, y down) into GL's CCW front faces;
 *  - pixel centres are at +0.5 in both; a centre exactly on an edge is drawn by raster.ts for both
 *    triangles (first one kept) and by GL's top-left rule for one of them, so such pixels may
 *    show the other triangle (or, on a silhouette, none);
 *  - the depth test keeps the largest 1/depth, strictly (GL LESS on a depth that falls with 1/depth),
 *    so of two equal depths the first triangle drawn stays, as in raster.ts;
 *  - triangles with a vertex behind the near plane (iw ≤ 0) are left out of the index buffer.
 * Colour and 1/depth come back as one RGBA float32 texture: rgb = colour, a = 1/depth (0 = empty).
 */
import { createFrame, createScreenVertices, type Frame, type ScreenVertices } from './raster.js';
import { requireGl, type GL } from './gl-context.js';

const VERTEX_SHADER = `
precision highp float;
attribute float aX, aY, aIw, aR, aG, aB;
// (2 / size, -2 / size, depth slope, depth offset): pixels → NDC, 1/depth → NDC depth.
uniform vec4 uMap;
varying vec3 vColor;
void main() {
  float w = 1.0 / aIw;
  vColor = vec3(aR, aG, aB) * w;
  gl_Position = vec4((aX * uMap.x - 1.0) * w, (1.0 + aY * uMap.y) * w, (uMap.z * aIw + uMap.w) * w, w);
}`;

const FRAGMENT_SHADER = `
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif
varying vec3 vColor;
void main() {
  gl_FragColor = vec4(vColor, gl_FragCoord.w);
}`;

const ATTRIBUTES = ['aX', 'aY', 'aIw', 'aR', 'aG', 'aB'] as const;

/** A raster target drawn by headless-gl; `dispose` frees its GL objects (else the GC does). */
export interface GlRasterTarget {
  readonly frame: Frame;
  readonly screen: ScreenVertices;
  readonly triangles: Uint32Array;
  /** Always false: the field says whether the WebAssembly rasteriser runs. */
  readonly wasm: false;
  /** The GL renderer string, for logs. */
  readonly renderer: string;
  /** Bits of the depth buffer (24 where the driver offers a depth-stencil buffer, else 16). */
  readonly depthBits: number;
  /** Clears the frame and draws the triangles. */
  draw(): void;
  dispose(): void;
}

interface Program {
  readonly program: unknown;
  readonly attributes: readonly number[];
  readonly map: unknown;
}

const programs = new WeakMap<GL, Program>();

function compile(gl: GL, type: number, source: string): unknown {
  const s = gl.createShader(type);
  gl.shaderSource(s, source);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`gl raster: shader does not compile: ${gl.getShaderInfoLog(s)}`);
  return s;
}

function programFor(gl: GL): Program {
  let p = programs.get(gl);
  if (p) return p;
  const program = gl.createProgram();
  const vs = compile(gl, gl.VERTEX_SHADER, VERTEX_SHADER);
  const fs = compile(gl, gl.FRAGMENT_SHADER, FRAGMENT_SHADER);
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`gl raster: program does not link: ${gl.getProgramInfoLog(program)}`);
  gl.deleteShader(vs);
  gl.deleteShader(fs);
  p = { program, attributes: ATTRIBUTES.map((a) => gl.getAttribLocation(program, a)), map: gl.getUniformLocation(program, 'uMap') };
  programs.set(gl, p);
  return p;
}

interface GlObjects {
  readonly gl: GL;
  readonly buffers: unknown[];
  readonly texture: unknown;
  readonly depth: unknown;
  readonly framebuffer: unknown;
}

function free(o: GlObjects): void {
  const { gl } = o;
  for (const b of o.buffers) gl.deleteBuffer(b);
  gl.deleteTexture(o.texture);
  gl.deleteRenderbuffer(o.depth);
  gl.deleteFramebuffer(o.framebuffer);
}

// A FaceRenderer has no close(): targets dropped without `dispose` free their GL objects when
// collected (finalisers run on the thread that owns the context).
const finalizer = new FinalizationRegistry<GlObjects>((o) => free(o));

/**
 * A gl raster target for `size` × `size` images of a `vertices`-vertex mesh, on this thread's
 * shared context. Throws a NodeFailure (what to install, that a display is needed) when gl cannot
 * start.
 */
export function createGlRasterTarget(size: number, vertices: number, triangles: Uint32Array): GlRasterTarget {
  const { gl, renderer } = requireGl();
  const n = vertices;
  const frame = createFrame(size);
  const screen = createScreenVertices(n);
  const tri = new Uint32Array(triangles);
  const { program, attributes, map } = programFor(gl);

  // One buffer per ScreenVertices array: uploads are straight copies of the vertex stage's output.
  const arrays = [screen.x, screen.y, screen.iw, screen.rw, screen.gw, screen.bw];
  const buffers = arrays.map((a) => {
    const b = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, b);
    gl.bufferData(gl.ARRAY_BUFFER, a.byteLength, gl.DYNAMIC_DRAW);
    return b;
  });
  const indices = gl.createBuffer();
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, tri, gl.DYNAMIC_DRAW);
  buffers.push(indices);
  // Scratch for the index buffer of frames with vertices behind the near plane.
  const kept = new Uint32Array(tri.length);
  let uploaded: 'all' | 'kept' = 'all';

  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, size, size, 0, gl.RGBA, gl.FLOAT, null);
  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  // WebGL 1's only sized depth renderbuffer is 16 bits; DEPTH_STENCIL is 24 bits where offered.
  const depth = gl.createRenderbuffer();
  gl.bindRenderbuffer(gl.RENDERBUFFER, depth);
  gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_STENCIL, size, size);
  gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_STENCIL_ATTACHMENT, gl.RENDERBUFFER, depth);
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) {
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_STENCIL_ATTACHMENT, gl.RENDERBUFFER, null);
    gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_COMPONENT16, size, size);
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, depth);
  }
  const objects: GlObjects = { gl, buffers, texture, depth, framebuffer };
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) {
    free(objects);
    throw new Error(`gl raster: ${renderer} cannot render into a float texture (framebuffer incomplete)`);
  }
  const depthBits = Number(gl.getParameter(gl.DEPTH_BITS));
  const pixels = new Float32Array(4 * size * size);

  const target: GlRasterTarget = {
    frame,
    screen,
    triangles: tri,
    wasm: false,
    renderer,
    depthBits,
    draw() {
      const iw = screen.iw;
      // The depth range is fitted to this frame's 1/depth range, so a 16- or 24-bit buffer
      // resolves the face's ~0.2 m of depth finely; the nearest vertex maps to -0.999.
      let lo = Infinity;
      let hi = -Infinity;
      let behind = false;
      for (let i = 0; i < n; i++) {
        const w = iw[i]!;
        if (w <= 0) behind = true;
        else {
          if (w < lo) lo = w;
          if (w > hi) hi = w;
        }
      }
      let count = tri.length;
      if (behind) {
        count = 0;
        for (let t = 0; t < tri.length; t += 3) {
          const a = tri[t]!, b = tri[t + 1]!, c = tri[t + 2]!;
          if (iw[a]! <= 0 || iw[b]! <= 0 || iw[c]! <= 0) continue;
          kept[count++] = a;
          kept[count++] = b;
          kept[count++] = c;
        }
      }
      gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
      gl.viewport(0, 0, size, size);
      gl.clearColor(0, 0, 0, 0);
      gl.clearDepth(1);
      gl.depthMask(true);
      gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
      if (count > 0) {
        gl.useProgram(program);
        const slope = hi > lo ? -1.998 / (hi - lo) : 0;
        gl.uniform4f(map, 2 / size, -2 / size, slope, 0.999 - slope * lo);
        for (let k = 0; k < arrays.length; k++) {
          gl.bindBuffer(gl.ARRAY_BUFFER, buffers[k]);
          gl.bufferSubData(gl.ARRAY_BUFFER, 0, arrays[k]!);
          gl.enableVertexAttribArray(attributes[k]!);
          gl.vertexAttribPointer(attributes[k]!, 1, gl.FLOAT, false, 0, 0);
        }
        gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
        if (behind) {
          gl.bufferSubData(gl.ELEMENT_ARRAY_BUFFER, 0, kept.subarray(0, count));
          uploaded = 'kept';
        } else if (uploaded === 'kept') {
          gl.bufferSubData(gl.ELEMENT_ARRAY_BUFFER, 0, tri);
          uploaded = 'all';
        }
        gl.enable(gl.DEPTH_TEST);
        gl.depthFunc(gl.LESS);
        gl.enable(gl.CULL_FACE);
        gl.cullFace(gl.BACK);
        gl.frontFace(gl.CCW);
        gl.disable(gl.BLEND);
        gl.disable(gl.DITHER);
        gl.drawElements(gl.TRIANGLES, count, gl.UNSIGNED_INT, 0);
      }
      gl.readPixels(0, 0, size, size, gl.RGBA, gl.FLOAT, pixels);
      const err = gl.getError();
      if (err !== gl.NO_ERROR) throw new Error(`gl raster: GL error 0x${err.toString(16)} drawing on ${renderer}`);
      const { color, invDepth, coverage } = frame;
      for (let glRow = 0; glRow < size; glRow++) {
        const row = size - 1 - glRow;
        for (let x = 0; x < size; x++) {
          const q = 4 * (glRow * size + x);
          const p = row * size + x;
          const a = pixels[q + 3]!;
          if (a > 0) {
            coverage[p] = 1;
            invDepth[p] = a;
            color[3 * p] = pixels[q]!;
            color[3 * p + 1] = pixels[q + 1]!;
            color[3 * p + 2] = pixels[q + 2]!;
          } else {
            coverage[p] = 0;
            invDepth[p] = 0;
            color[3 * p] = 0;
            color[3 * p + 1] = 0;
            color[3 * p + 2] = 0;
          }
        }
      }
    },
    dispose() {
      finalizer.unregister(target);
      free(objects);
    },
  };
  finalizer.register(target, objects, target);
  return target;
}
