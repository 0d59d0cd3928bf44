/**
 * The optional headless-gl (`gl` npm package) side of the renderer: loading it, making a context,
 * and deciding whether render nodes should use it (`renderer` in synx.yaml). headless-gl is a
 * native addon built from source (scripts/setup-gl.sh), and needs an X display; nothing here
 * throws when it is missing: `probeGl` says why it cannot be used.
 */
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import type { ProjectConfig, RendererSetting } from '../config/index.js';
import { NodeFailure } from '../node/index.js';

/** The rasteriser a render node runs: the result of resolving `renderer`. */
export type RasterBackend = 'software' | 'gl';

/**
 * The part of a WebGL 1 context the gl backend uses (headless-gl implements the whole of it);
 * declared here because the project's TypeScript lib has no DOM types.
 */
export interface GL {
  readonly TRIANGLES: number;
  readonly ARRAY_BUFFER: number;
  readonly ELEMENT_ARRAY_BUFFER: number;
  readonly STATIC_DRAW: number;
  readonly DYNAMIC_DRAW: number;
  readonly FLOAT: number;
  readonly UNSIGNED_INT: number;
  readonly RGBA: number;
  readonly TEXTURE_2D: number;
  readonly TEXTURE_MIN_FILTER: number;
  readonly TEXTURE_MAG_FILTER: number;
  readonly NEAREST: number;
  readonly FRAMEBUFFER: number;
  readonly FRAMEBUFFER_COMPLETE: number;
  readonly RENDERBUFFER: number;
  readonly COLOR_ATTACHMENT0: number;
  readonly DEPTH_ATTACHMENT: number;
  readonly DEPTH_STENCIL_ATTACHMENT: number;
  readonly DEPTH_COMPONENT16: number;
  readonly DEPTH_STENCIL: number;
  readonly DEPTH_BITS: number;
  readonly COLOR_BUFFER_BIT: number;
  readonly DEPTH_BUFFER_BIT: number;
  readonly DEPTH_TEST: number;
  readonly CULL_FACE: number;
  readonly BLEND: number;
  readonly DITHER: number;
  readonly BACK: number;
  readonly CCW: number;
  readonly LESS: number;
  readonly VERTEX_SHADER: number;
  readonly FRAGMENT_SHADER: number;
  readonly COMPILE_STATUS: number;
  readonly LINK_STATUS: number;
  readonly NO_ERROR: number;
  readonly RENDERER: number;
  readonly VERSION: number;
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
  getError(): number;
  createShader(type: number): unknown;
  shaderSource(s: unknown, src: string): void;
  compileShader(s: unknown): void;
  getShaderParameter(s: unknown, p: number): unknown;
  getShaderInfoLog(s: unknown): string | null;
  createProgram(): unknown;
  attachShader(p: unknown, s: unknown): void;
  linkProgram(p: unknown): void;
  getProgramParameter(p: unknown, q: number): unknown;
  getProgramInfoLog(p: unknown): string | null;
  useProgram(p: unknown): void;
  getAttribLocation(p: unknown, name: string): number;
  getUniformLocation(p: unknown, name: string): unknown;
  uniform4f(loc: unknown, x: number, y: number, z: number, w: number): void;
  createBuffer(): unknown;
  bindBuffer(target: number, b: unknown): void;
  bufferData(target: number, dataOrSize: ArrayBufferView | number, usage: number): void;
  bufferSubData(target: number, offset: number, data: ArrayBufferView): void;
  enableVertexAttribArray(i: number): void;
  vertexAttribPointer(i: number, size: number, type: number, normalized: boolean, stride: number, offset: number): void;
  createTexture(): unknown;
  bindTexture(target: number, t: unknown): void;
  texParameteri(target: number, p: number, v: number): void;
  texImage2D(target: number, level: number, internal: number, w: number, h: number, border: number, format: number, type: number, data: ArrayBufferView | null): void;
  createFramebuffer(): unknown;
  bindFramebuffer(target: number, f: unknown): void;
  framebufferTexture2D(target: number, attachment: number, texTarget: number, t: unknown, level: number): void;
  createRenderbuffer(): unknown;
  bindRenderbuffer(target: number, r: unknown): void;
  renderbufferStorage(target: number, format: number, w: number, h: number): void;
  framebufferRenderbuffer(target: number, attachment: number, rbTarget: number, r: unknown): void;
  checkFramebufferStatus(target: number): number;
  viewport(x: number, y: number, w: number, h: number): void;
  clearColor(r: number, g: number, b: number, a: number): void;
  clearDepth(d: number): void;
  clear(mask: number): void;
  enable(cap: number): void;
  disable(cap: number): void;
  depthFunc(f: number): void;
  depthMask(on: boolean): void;
  cullFace(mode: number): void;
  frontFace(mode: number): void;
  drawElements(mode: number, count: number, type: number, offset: number): void;
  readPixels(x: number, y: number, w: number, h: number, format: number, type: number, out: ArrayBufferView): void;
  deleteBuffer(b: unknown): void;
  deleteTexture(t: unknown): void;
  deleteFramebuffer(f: unknown): void;
  deleteRenderbuffer(r: unknown): void;
  deleteShader(s: unknown): void;
  deleteProgram(p: unknown): void;
}

type CreateGl = (width: number, height: number, options?: Record<string, unknown>) => GL | null;

/** What `probeGl` found: a usable context, or why there is none. */
export type GlProbe =
  | {
      readonly ok: true;
      readonly gl: GL;
      /** The GL renderer string (the unmasked one where the driver gives it), e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`. */
      readonly renderer: string;
      /** Whether that renderer is a software GL (Mesa llvmpipe/softpipe, SwiftShader …), not a GPU. */
      readonly software: boolean;
    }
  | {
      readonly ok: false;
      /** What is missing, for messages: "the optional package 'gl' is not installed". */
      readonly problem: string;
      /** What to do about it. */
      readonly hint: string;
    };

/** The software GL implementations: on them the software rasteriser is faster (docs/render.md). */
export const SOFTWARE_GL = /llvmpipe|softpipe|swrast|lavapipe|swiftshader|software/i;

const INSTALL_HINT =
  'install it with `bash scripts/setup-gl.sh` (builds gl@8.1.6 from source, ~6 min, and installs Xvfb), ' +
  'and run with an X display: under `xvfb-run -a synx …`, or with Xvfb started and DISPLAY set';

/** Options of `probeGl`; the defaults are the real module and environment (tests change them). */
export interface ProbeOptions {
  /** The package to load (default `gl`). */
  readonly moduleName?: string;
  /**
   * The environment whose DISPLAY is checked and named in messages (default `process.env`; the
   * addon itself always reads the process's real DISPLAY).
   */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Loads headless-gl and creates a context on this thread, checking the extensions the gl
 * backend needs. Never throws: a missing package, display or extension comes back as a problem
 * with a hint. The context is the caller's (see `sharedGl` for the one the renderer reuses).
 */
export function probeGl(options: ProbeOptions = {}): GlProbe {
  const moduleName = options.moduleName ?? 'gl';
  const env = options.env ?? process.env;
  const require = createRequire(import.meta.url);
  const notInstalled = { ok: false, problem: `the optional package '${moduleName}' (headless-gl) is not installed`, hint: INSTALL_HINT } as const;
  try {
    require.resolve(moduleName);
  } catch {
    return notInstalled;
  }
  // On Linux headless-gl makes contexts through GLX only: without DISPLAY it would return null
  // anyway, so the addon is not even loaded (that saves every CLI command ~0.2 s there).
  if (process.platform === 'linux' && !env.DISPLAY) return noDisplay(undefined);
  let createGl: CreateGl;
  try {
    createGl = require(moduleName) as CreateGl;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND') return notInstalled;
    // Installed but not loadable: typically built for another Node version, or loaded in a worker
    // thread (its native addon is not context-aware).
    const first = String(err.message).split('\n')[0];
    const where = isMainThread ? '' : ' in a worker thread';
    return { ok: false, problem: `the package '${moduleName}' (headless-gl) is installed but does not load${where}: ${first}`, hint: `rebuild it with \`npm rebuild ${moduleName}\` or \`bash scripts/setup-gl.sh\`` };
  }
  let gl: GL | null = null;
  try {
    // The drawing buffer is never drawn to: the backend renders into float framebuffers.
    gl = createGl(1, 1, { alpha: true, depth: false, stencil: false, antialias: false, preserveDrawingBuffer: false });
  } catch {
    gl = null;
  }
  // headless-gl returns null, with no reason, when it cannot open the X display.
  if (!gl) return noDisplay(env.DISPLAY);
  for (const ext of ['OES_texture_float', 'OES_element_index_uint']) {
    if (!gl.getExtension(ext)) {
      destroyGl(gl);
      return { ok: false, problem: `the GL context has no ${ext}, which the gl backend needs`, hint: 'use `renderer: software`' };
    }
  }
  const renderer = rendererString(gl);
  return { ok: true, gl, renderer, software: SOFTWARE_GL.test(renderer) };
}

/**
 * The driver's renderer string. headless-gl answers RENDERER with a constant 'ANGLE' and has no
 * WEBGL_debug_renderer_info, but its context class extends the native one, whose getParameter
 * returns ANGLE's real string, e.g. `ANGLE (Mesa llvmpipe (LLVM 15.0.6, 256 bits) OpenGL 4.5 core)`.
 */
function rendererString(gl: GL): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  if (info) return String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
  const native = Object.getPrototypeOf(Object.getPrototypeOf(gl)) as { getParameter?: (this: GL, p: number) => unknown } | null;
  try {
    const s = native?.getParameter?.call(gl, gl.RENDERER);
    if (typeof s === 'string' && s.length > 0) return s;
  } catch {
    // Another implementation of the package: fall back to what it reports.
  }
  return String(gl.getParameter(gl.RENDERER));
}

function noDisplay(display: string | undefined): GlProbe {
  const install = '`bash scripts/setup-gl.sh` installs Xvfb and the Mesa GL driver';
  return display
    ? { ok: false, problem: `headless-gl could not create a GL context on DISPLAY=${display}`, hint: `check that the X server behind DISPLAY is running and offers GLX (Xvfb with libgl1-mesa-dri does; ${install})` }
    : { ok: false, problem: 'headless-gl needs an X display and DISPLAY is not set', hint: `run under \`xvfb-run -a synx …\`, or start Xvfb (e.g. \`Xvfb :99 &\`) and \`export DISPLAY=:99\` (${install})` };
}

/** Frees a context made by `probeGl` (headless-gl keeps it alive otherwise). */
export function destroyGl(gl: GL): void {
  (gl.getExtension('STACKGL_destroy_context') as { destroy(): void } | null)?.destroy();
}

let shared: GlProbe | undefined;

/**
 * This thread's context, made once and reused by every gl raster target of the thread (contexts
 * are expensive, and a process renders many shards), or why there is none.
 */
export function sharedGl(): GlProbe {
  shared ??= probeGl();
  return shared;
}

/**
 * How a render node's frames are rasterised, for its log: `software rasteriser` (with the reason
 * when this process resolved `auto`) or `gl rasteriser on …`.
 */
export function rasteriserName(params: { readonly raster?: 'gl' }): string {
  if (params.raster !== 'gl') return autoChoice?.backend === 'software' ? `software rasteriser (${autoChoice.reason})` : 'software rasteriser';
  const p = sharedGl();
  return p.ok ? `gl rasteriser on ${p.renderer}` : 'gl rasteriser (unavailable)';
}

/** The context for `renderer: gl`, or a NodeFailure saying what to install and that a display is needed. */
export function requireGl(): { gl: GL; renderer: string; software: boolean } {
  const p = sharedGl();
  if (!p.ok) throw glUnavailable(p);
  return p;
}

/** The NodeFailure of a render node asked to use gl where `probe` found it cannot start. */
export function glUnavailable(probe: { readonly problem: string; readonly hint: string }): NodeFailure {
  return new NodeFailure(`renderer gl cannot start: ${probe.problem}`, `${probe.hint}; or set \`renderer: software\` (or auto) in synx.yaml`);
}

/**
 * Resolves `renderer` to the backend this machine uses, and why. `auto` picks gl only where the
 * package loads, a context can be made, and its renderer is a GPU: on a software GL (llvmpipe) the
 * software rasteriser is several times faster (docs/render.md). `gl` is taken as asked, without a
 * probe: if it cannot start, the render node fails with what to install.
 */
export function chooseRenderer(setting: RendererSetting | undefined): { backend: RasterBackend; reason: string } {
  if (setting === 'software') return { backend: 'software', reason: 'renderer: software in synx.yaml' };
  if (setting === 'gl') return { backend: 'gl', reason: 'renderer: gl in synx.yaml' };
  const p = sharedGl();
  autoChoice = !p.ok
    ? { backend: 'software', reason: `renderer auto: ${p.problem}` }
    : p.software
      ? { backend: 'software', reason: `renderer auto: gl runs on ${p.renderer}, a software GL, slower than the software rasteriser` }
      : { backend: 'gl', reason: `renderer auto: gl on ${p.renderer}` };
  return autoChoice;
}

/** This process's resolution of `auto`, if it made one: render nodes log why they use what they use. */
let autoChoice: { backend: RasterBackend; reason: string } | undefined;

/**
 * The config with `renderer` resolved to `software` or `gl` for this machine (see
 * `chooseRenderer`). Plans are made from the resolved config: a render node's params carry
 * `raster: 'gl'` only when gl is chosen, so software fingerprints never change and cached
 * software shards are never mixed with gl ones.
 */
export function resolveRenderer(config: ProjectConfig): ProjectConfig {
  if (config.renderer === 'software' || config.renderer === 'gl') return config;
  return { ...config, renderer: chooseRenderer(config.renderer).backend };
}
