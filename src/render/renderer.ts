import { arcfaceTemplate, fivePointsOfLabel, umeyama } from '../arcface/index.js';
import type { IdentityLabel, ImageLabel, ImageMaps, Landmark } from '../dataset/index.js';
import { drawBackground } from './background.js';
import { CAMERA, focalPixels, poseRotation } from './camera.js';
import { renderMaps } from './maps.js';
import { accumulate, addMean, claimSlot, hasNegativeZero, reconstruct, vertexNormals, type MorphableModel, type PcaBlock } from './model.js';
import { simdKernel, type SimdKernel } from './simd.js';
import type { Frame, ScreenVertices } from './raster.js';
import { createRasterTarget, RECORD_INTS, RECORD_TRIANGLE, type DeferredRaster, type RasterTarget } from './raster-wasm.js';
import { VertexNormalCache } from './normals.js';
import { createGlRasterTarget } from './raster-gl.js';
import { STREAM, streamRng } from './rng.js';
import { SH_CONST, specularLight, type SpecularLight } from './sh.js';
import { colorVariesPerImage, expressionVaries, sampleIdentity, sampleImage, usedDims, type ImageSample, type RenderSetup } from './scene.js';

/** One rendered image: RGB bytes (size × size × 3), its label, its identity's draws and its maps. */
export interface RenderedImage {
  readonly rgb: Uint8Array;
  readonly label: ImageLabel;
  /** The same object for every image of one identity (stored once per identity in a shard). */
  readonly identity: IdentityLabel;
  /** The maps the params ask for (`maps depth, normal`); empty when none. */
  readonly maps: ImageMaps;
}

/** How a FaceRenderer draws; the defaults are what rendering uses, the rest is for tests. */
export interface FaceRendererOptions {
  /**
   * false: shade every vertex, compute every normal and draw every triangle (the plain path the
   * fast one is tested against; both give the same bytes).
   */
  readonly fast?: boolean;
}

/** Optional extra outputs of one render, for tests and previews. */
export interface RenderExtras {
  /** The frame after rasterising (colour before background, coverage, 1/depth). */
  readonly frame: Frame;
  readonly sample: ImageSample;
}

// Rec. 601 luma: the grey the colour-contrast transform mixes towards.
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Renders the images of a RenderSetup, one at a time, reusing its buffers (memory stays flat).
 * Per identity it reconstructs shape and colour once; the expression only per image, and only when
 * its distribution varies. The output of an image depends on (setup, id, sample) alone.
 */
export class FaceRenderer {
  readonly size: number;
  private readonly n: number;
  private readonly target: RasterTarget;
  private readonly frame: Frame;
  private readonly screen: ScreenVertices;
  private readonly background: Float32Array;
  private readonly scratch: Float32Array;
  /** Kernel outputs (in the arena's slot when there is one) … */
  private readonly outShape: Float32Array;
  private readonly outAlbedo: Float32Array;
  private readonly outVerts: Float32Array;
  /** … copied into plain arrays: hot loops over SharedArrayBuffer views run measurably slower. */
  private readonly triangles: Uint32Array;
  private readonly idShape: Float32Array;
  private readonly idNormals: Float32Array;
  /**
   * The exception: with per-image colour on the kernel (`firstImageColour`) this is `outAlbedo`
   * itself; copying its spans out each image cost more than the shading's reads of it (whole
   * images measured no slower reading it, 2.471 against 2.467 ms).
   */
  private readonly albedo: Float32Array;
  private readonly verts: Float32Array;
  private readonly normals: Float32Array;
  private readonly varies: boolean;
  /** Some colour component is drawn per image: the albedo is rebuilt for every image. */
  private readonly colorPerImage: boolean;
  /** The identity's albedo before per-image components (kept to add those onto per image). */
  private identityAlbedo: Float32Array = new Float32Array(0);
  /**
   * With the SIMD kernel: the first per-image colour component, which each image adds onto a copy
   * of the identity's albedo (`identityAlbedo`, then in the arena) in one pass over the spans; -1
   * otherwise. Then the albedo the shading reads is the kernel's output, with nothing copied.
   */
  private readonly firstImageColour: number;
  /**
   * Per-image colour components (fast path, quantised colour block): each component's runs of
   * nonzero codes, and the merged spans [start, end) of values any per-image component moves. The
   * per-image components are regional (flush, tan, lip tone: 22,960 of the built-in model's
   * 42,006 values), so each image rewrites those spans only (with the kernel, see
   * `firstImageColour`; else it restores, adds and copies them); the rest is the identity's.
   */
  private readonly colorRuns: readonly Int32Array[] | null;
  private readonly colorImageSpans: Int32Array;
  /** The identity's albedo holds a -0, which adding +0 would turn into +0: add every value then. */
  private albedoHasNegativeZero = false;
  private readonly kernel: SimdKernel | null;
  /**
   * Deferred drawing (WebAssembly targets): the rasteriser records each pixel's winning triangle,
   * and only the vertices some pixel shows are shaded (about a fifth of a face's at 112 px). The
   * colours are the same bits as eager drawing's (see `DeferredRaster.resolve`).
   */
  private readonly deferred: DeferredRaster | null;
  /**
   * With deferred drawing and a new expression per image, normals on demand (the shaded vertices
   * and the landmarks), unless something needs all of them: `center facebox` tests every vertex,
   * and so does a normal map. With a fixed expression the identity's normals are computed once for
   * its images, and all at once measured faster (2.45 against 2.65 ms per built-in image).
   */
  private readonly lazyNormals: VertexNormalCache | null;
  /** Every vertex index, for shading the whole mesh; and the shown vertices of one image. */
  private readonly allVertices: Int32Array;
  private readonly shown: Int32Array;
  /** The landmarks' vertices, whose normals the visibility test needs. */
  private readonly landmarkVertices: Int32Array;
  private readonly shownStamp: Int32Array;
  private stamp = 0;
  /**
   * Blendshape models (fast path): per expression component, the 8-aligned runs of values its
   * codes move; and the identity plus the expression mean, which each image starts from. Null
   * where the expression is dense (PCA), fixed, or not quantised.
   */
  private readonly blendshapeRuns: readonly Int32Array[] | null;
  private readonly expressionBase: Float32Array;
  /** The identity's base holds a -0, which adding +0 would turn into +0: add every value then. */
  private baseHasNegativeZero = false;
  private currentId: number | null = null;
  private identity: IdentityLabel | null = null;

  constructor(
    readonly setup: RenderSetup,
    options: FaceRendererOptions = {},
  ) {
    const { model, params } = setup;
    this.size = params.size;
    this.n = model.vertexCount;
    // The rasteriser the plan chose (RenderParams.raster); gl fails here as a NodeFailure when it cannot start.
    this.target = params.raster === 'gl' ? createGlRasterTarget(this.size, this.n, model.triangles) : createRasterTarget(this.size, this.n, model.triangles, true, model.hiddenFrom);
    this.frame = this.target.frame;
    this.screen = this.target.screen;
    this.background = new Float32Array(this.size * this.size * 3);
    this.scratch = new Float32Array(this.size * this.size * 3);
    // With a shared arena, the buffers the SIMD kernel writes live in this renderer's slot of it;
    // without one (or with every slot taken) plain arrays and the same arithmetic in JS.
    const kernel = model.arena ? simdKernel(model.arena.memory) : null;
    const slot = model.arena && kernel ? claimSlot(model.arena) : null;
    const n3 = 3 * this.n;
    this.kernel = slot ? kernel : null;
    this.outShape = slot ? slot[0]!.subarray(0, n3) : new Float32Array(n3);
    this.outAlbedo = slot ? slot[1]!.subarray(0, n3) : new Float32Array(n3);
    this.outVerts = slot ? slot[2]!.subarray(0, n3) : new Float32Array(n3);
    this.idShape = new Float32Array(n3);
    this.triangles = this.target.triangles;
    this.idNormals = new Float32Array(n3);
    this.normals = new Float32Array(n3);
    this.varies = expressionVaries(params, model);
    this.colorPerImage = colorVariesPerImage(params, model);
    const fast = options.fast !== false;
    this.deferred = fast ? (this.target.deferred ?? null) : null;
    const allNormals = params.center === 'facebox' || (params.maps?.includes('normal') ?? false);
    this.lazyNormals = this.deferred && this.varies && !allNormals ? new VertexNormalCache(this.triangles, this.n) : null;
    // With normals on demand the positions of an image are written straight into the cache's buffer.
    this.verts = this.lazyNormals ? this.lazyNormals.positions : new Float32Array(n3);
    this.landmarkVertices = Int32Array.from(model.landmarks, (l) => l.vertex);
    this.allVertices = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) this.allVertices[i] = i;
    this.shown = new Int32Array(this.n);
    this.shownStamp = new Int32Array(this.n);
    const e = model.expression;
    this.blendshapeRuns = fast && this.varies && model.expressionPrior && e.codes && e.scales && e.stride ? blendshapeRunsOf(e) : null;
    this.expressionBase = new Float32Array(this.blendshapeRuns ? n3 : 0);
    const col = model.color;
    this.colorRuns = fast && this.colorPerImage && col.codes && col.scales && col.stride ? blendshapeRunsOf(col) : null;
    this.colorImageSpans = this.colorRuns ? imageColourSpans(this.colorRuns, model, usedDims(params, model).color, n3) : new Int32Array(0);
    this.firstImageColour = this.colorRuns && slot && kernel ? firstImageComponent(model, usedDims(params, model).color) : -1;
    if (this.firstImageColour >= 0) this.identityAlbedo = slot![3]!.subarray(0, n3);
    this.albedo = this.firstImageColour >= 0 ? this.outAlbedo : new Float32Array(n3);
    warmVertexStage();
  }

  private loadIdentity(id: number): void {
    if (this.currentId === id) return;
    const { model } = this.setup;
    const ident = sampleIdentity(this.setup, id);
    reconstruct(model.shape, ident.shape, this.outShape, false, this.kernel);
    reconstruct(model.color, ident.color, this.outAlbedo, false, this.kernel);
    if (this.albedo !== this.outAlbedo) this.albedo.set(this.outAlbedo);
    if (this.colorPerImage) {
      if (this.firstImageColour >= 0) this.identityAlbedo.set(this.outAlbedo);
      else this.identityAlbedo = Float32Array.from(this.outAlbedo);
      if (this.colorRuns) this.albedoHasNegativeZero = hasNegativeZero(this.identityAlbedo);
    }
    if (!this.varies) {
      // Expression fixed for every image: fold it (with the expression mean) into the identity.
      const e = sampleImage(this.setup, id, 0).expression;
      reconstruct(model.expression, e, this.outShape, true, this.kernel);
      vertexNormals(this.outShape, this.triangles, this.idNormals);
    }
    this.idShape.set(this.outShape);
    if (this.blendshapeRuns) {
      // What reconstruct(expression, zeros, add) gives: each image adds its active blendshapes on this.
      const base = this.expressionBase;
      base.set(this.outShape);
      addMean(model.expression.mean, base);
      this.baseHasNegativeZero = hasNegativeZero(base);
    }
    this.identity = { id, model: model.uri, shape: round(ident.shape), color: round(ident.color) };
    this.currentId = id;
  }

  /**
   * How many triangles the last image's draw skipped as hidden (see `MorphableModel.hiddenFrom`);
   * 0 without deferred drawing. For tests and measurements: the image is the same either way.
   */
  get hiddenSkipped(): number {
    return this.deferred?.skipped ?? 0;
  }

  /** Renders image `sample` of identity `id`. */
  render(id: number, sample: number): RenderedImage {
    return this.renderWithExtras(id, sample).image;
  }

  /** Renders and also returns the frame and the drawn parameters (valid until the next call). */
  renderWithExtras(id: number, sample: number): { image: RenderedImage; extras: RenderExtras } {
    const { model, params } = this.setup;
    this.loadIdentity(id);
    const s = sampleImage(this.setup, id, sample);
    if (this.colorPerImage) this.imageAlbedo(s);
    let verts = this.idShape;
    let normals = this.lazyNormals ? this.lazyNormals.values : this.idNormals;
    if (this.varies) {
      if (this.blendshapeRuns && !this.baseHasNegativeZero) {
        this.outVerts.set(this.expressionBase);
        addBlendshapes(model.expression, s.expression, this.blendshapeRuns, this.outVerts, this.kernel);
      } else {
        this.outVerts.set(this.outShape);
        reconstruct(model.expression, s.expression, this.outVerts, true, this.kernel);
      }
      this.verts.set(this.outVerts);
      if (this.lazyNormals) this.lazyNormals.reset(this.verts);
      else vertexNormals(this.verts, this.triangles, this.normals);
      verts = this.verts;
      normals = this.lazyNormals ? this.lazyNormals.values : this.normals;
    }
    this.projectAndDraw(verts, normals, s);
    const landmarks = this.landmarks(verts, normals, s);
    const rb = streamRng(params.seed, id, sample, STREAM.background);
    // The background stream's first draw picked the choice; skip it so drawing starts fresh.
    if (params.background.type === 'mix') rb.uniform();
    const bgSet = s.background.name === 'folder' ? this.setup.backgrounds[s.background.arg ?? ''] : undefined;
    // Only where the face left the frame uncovered: the rest of the background is never seen.
    const bgName = drawBackground(s.background.name, this.size, rb, this.background, bgSet, this.frame.coverage);
    const rgb = this.compose(s, id, sample);
    const label: ImageLabel = {
      id,
      sample,
      yaw: s.yaw,
      pitch: s.pitch,
      roll: s.roll,
      scale: s.scale,
      tx: s.tx,
      ty: s.ty,
      illumination: s.illumination,
      background: bgName,
      landmarks,
      extra: {
        sh: round(s.sh),
        gain: round(s.gain),
        contrast: round([s.contrast])[0]!,
        offset: round(s.offset),
        noise: round([s.noise])[0]!,
        blur: round([s.blur])[0]!,
        expression: round(s.expression),
        // The per-image colour draws (identity ones are in the identity's record): only for models with some.
        ...(this.colorPerImage ? { color: round(s.color) } : {}),
        ...(params.specular ? { specular: round([s.specular])[0]! } : {}),
      },
    };
    // The maps take the mesh through the rasteriser once more, so they cost only when asked for.
    const maps = params.maps ? renderMaps(this.target, normals, poseRotation(s.yaw, s.pitch, s.roll), params.maps) : {};
    return { image: { rgb, label, identity: this.identity!, maps }, extras: { frame: this.frame, sample: s } };
  }

  /**
   * Albedo of one image: the identity's albedo plus the image's per-image components. The
   * identity's coefficients are 0 at those and the image's 0 elsewhere, and components are summed
   * in index order skipping zeros, so this gives the same bits as one reconstruction of both.
   */
  private imageAlbedo(s: ImageSample): void {
    if (this.colorRuns && !this.albedoHasNegativeZero && this.firstImageColour >= 0) {
      addImageColour(this.setup.model.color, s.color, this.firstImageColour, this.colorRuns, this.colorImageSpans, this.identityAlbedo, this.outAlbedo, this.kernel!);
      return;
    }
    if (this.colorRuns && !this.albedoHasNegativeZero) {
      // Outside the spans every per-image code is 0, so the sum there is the identity's albedo,
      // which both buffers already hold (see addBlendshapes for why skipping those values keeps the bits).
      const spans = this.colorImageSpans;
      for (let k = 0; k < spans.length; k += 2) this.outAlbedo.set(this.identityAlbedo.subarray(spans[k]!, spans[k + 1]!), spans[k]!);
      addBlendshapes(this.setup.model.color, s.color, this.colorRuns, this.outAlbedo, this.kernel);
      for (let k = 0; k < spans.length; k += 2) this.albedo.set(this.outAlbedo.subarray(spans[k]!, spans[k + 1]!), spans[k]!);
      return;
    }
    this.outAlbedo.set(this.identityAlbedo);
    accumulate(this.setup.model.color, s.color, this.outAlbedo, this.kernel);
    this.albedo.set(this.outAlbedo);
  }

  /**
   * Vertex stage: pose, camera, centring, SH shading and the colour transform, per vertex, and the
   * rasteriser. Two passes (positions, then colours) run faster than one fused loop here: the fused
   * body keeps ~45 values live and spills. Drawing deferred, the positions are rasterised first and
   * only the vertices that some pixel shows are shaded.
   */
  private projectAndDraw(verts: Float32Array, normals: Float32Array, s: ImageSample): void {
    const { params, model } = this.setup;
    const n = this.n;
    const R = poseRotation(s.yaw, s.pitch, s.roll);
    const f = focalPixels(this.size, s.scale);
    const tz = -CAMERA.distanceMm;
    const near = -CAMERA.near;
    const { x: sx, y: sy, iw, rw, gw, bw } = this.screen;
    // Principal point: the image centre plus (tx, ty), then the optional centring shift, which
    // needs every projected vertex first. The positions are rounded to float32 before the shift
    // either way, so both paths store the same values.
    let cx = this.size / 2 + s.tx;
    let cy = this.size / 2 + s.ty;
    const centring = params.center !== 'none';
    transformVertices(n, verts, R, f, tz, near, centring ? 0 : cx, centring ? 0 : cy, sx, sy, iw);
    if (params.center === 'arcface') {
      this.warpToArcface();
    } else if (centring) {
      const c = this.centreOffset(verts, normals, R, params.center === 'landmarks' && model.landmarks.length > 0);
      cx -= c[0];
      cy -= c[1];
      shiftVertices(n, sx, sy, cx, cy);
    }
    // Shading: albedo × Σ s_k Y_k(R n), then gain ⊙ (grey + contrast · (colour - grey)) + offset.
    const sh = s.sh;
    const { c0, c1, c2, c20, c22 } = SH_CONST;
    const k = new Float64Array(27);
    for (let c = 0; c < 3; c++) {
      k[c] = sh[c]! * c0;
      k[3 + c] = sh[3 + c]! * c1;
      k[6 + c] = sh[6 + c]! * c1;
      k[9 + c] = sh[9 + c]! * c1;
      k[12 + c] = sh[12 + c]! * c2;
      k[15 + c] = sh[15 + c]! * c2;
      k[18 + c] = sh[18 + c]! * c20;
      k[21 + c] = sh[21 + c]! * c2;
      k[24 + c] = sh[24 + c]! * c22;
    }
    const light = s.specular > 0 ? specularLight(sh) : null;
    const shade = (list: Int32Array, count: number) => shadeVertices(list, count, normals, this.albedo, R, k, s.gain, s.offset, s.contrast, iw, rw, gw, bw, light, s.specular);
    const d = this.deferred;
    if (!d) {
      shade(this.allVertices, n);
      this.target.draw();
      return;
    }
    d.draw();
    const np = this.size * this.size;
    const stamp = ++this.stamp;
    const count = shownVertices(np, this.frame.coverage, d.records, this.triangles, this.shownStamp, stamp, this.shown);
    this.lazyNormals?.ensure(this.shown, count);
    shade(this.shown, count);
    d.resolve();
  }

  /**
   * `center arcface`: moves the projected face by the 2D similarity (Umeyama least squares) that
   * takes its five ArcFace points (pupil centres, nose tip, lip corners) onto the ArcFace template
   * scaled to the image size, as real photos are aligned (`align: face-api`). It replaces the
   * pose's scale and (tx, ty) jitter, which alignment undoes by design. A similarity in screen space
   * keeps the rasteriser's perspective-correct interpolation exact (1/depth is untouched).
   */
  private warpToArcface(): void {
    const { x: sx, y: sy } = this.screen;
    const five = fivePointsOfLabel(this.setup.model.landmarks.map((l) => ({ name: l.name, x: sx[l.vertex]!, y: sy[l.vertex]! })));
    // prepareRender refuses `center arcface` on a model without the five points.
    if (!five) throw new Error('center arcface: the model lacks the five ArcFace landmarks');
    const m = umeyama(five, arcfaceTemplate(this.size));
    similarityVertices(this.n, sx, sy, m.a, m.b, m.tx, m.ty);
  }

  /** Pixel offset of the face box (or landmark) centre from the principal point. */
  private centreOffset(verts: Float32Array, normals: Float32Array, R: Float64Array, useLandmarks: boolean): [number, number] {
    const { x: sx, y: sy, iw } = this.screen;
    if (useLandmarks) {
      let mx = 0;
      let my = 0;
      let m = 0;
      for (const l of this.setup.model.landmarks) {
        if (iw[l.vertex]! <= 0) continue;
        mx += sx[l.vertex]!;
        my += sy[l.vertex]!;
        m++;
      }
      return m > 0 ? [mx / m, my / m] : [0, 0];
    }
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < this.n; i++) {
      if (iw[i]! <= 0 || !facesCamera(verts, normals, R, i)) continue;
      minX = Math.min(minX, sx[i]!);
      maxX = Math.max(maxX, sx[i]!);
      minY = Math.min(minY, sy[i]!);
      maxY = Math.max(maxY, sy[i]!);
    }
    return minX <= maxX ? [(minX + maxX) / 2, (minY + maxY) / 2] : [0, 0];
  }

  private landmarks(verts: Float32Array, normals: Float32Array, s: ImageSample): Landmark[] {
    const { x: sx, y: sy, iw } = this.screen;
    const { invDepth, coverage } = this.frame;
    const R = poseRotation(s.yaw, s.pitch, s.roll);
    const size = this.size;
    const lazy = this.lazyNormals;
    lazy?.ensure(this.landmarkVertices, this.landmarkVertices.length);
    return this.setup.model.landmarks.map((l) => {
      const v = l.vertex;
      const x = sx[v]!;
      const y = sy[v]!;
      let visible = false;
      const px = Math.floor(x);
      const py = Math.floor(y);
      if (iw[v]! > 0 && px >= 0 && py >= 0 && px < size && py < size && facesCamera(verts, normals, R, v)) {
        const p = py * size + px;
        // Visible when nothing in the z-buffer lies more than 3 mm in front of the vertex.
        visible = coverage[p] === 1 && 1 / iw[v]! <= 1 / invDepth[p]! + 3;
      }
      return { name: l.name, x: round4(x), y: round4(y), visible };
    });
  }

  /** Background where coverage is zero, then blur, noise and 8-bit quantisation. */
  private compose(s: ImageSample, id: number, sample: number): Uint8Array {
    const size = this.size;
    const np = size * size;
    const { color, coverage } = this.frame;
    const bg = this.background;
    const out = new Uint8Array(np * 3);
    if (s.blur <= 0 && s.noise <= 0) {
      for (let p = 0, c = 0; p < np; p++, c += 3) {
        const src = coverage[p] === 1 ? color : bg;
        out[c] = quantise(src[c]!);
        out[c + 1] = quantise(src[c + 1]!);
        out[c + 2] = quantise(src[c + 2]!);
      }
      return out;
    }
    const img = this.scratch;
    for (let p = 0; p < np; p++) {
      const src = coverage[p] === 1 ? color : bg;
      img[3 * p] = src[3 * p]!;
      img[3 * p + 1] = src[3 * p + 1]!;
      img[3 * p + 2] = src[3 * p + 2]!;
    }
    if (s.blur > 0) gaussianBlur(img, size, s.blur, this.background);
    if (s.noise > 0) {
      const rn = streamRng(this.setup.params.seed, id, sample, STREAM.noise);
      for (let i = 0; i < np * 3; i++) img[i] = img[i]! + s.noise * rn.normal();
    }
    for (let i = 0; i < np * 3; i++) out[i] = quantise(img[i]!);
    return out;
  }
}

/**
 * [0, 1] to a byte, rounding half up: the same as Math.round(v · 255), since v · 255 of a float32 v
 * is exact in float64 and so is adding 0.5, and `| 0` truncates the positive sum like floor.
 */
function quantise(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
}

/**
 * The vertex stage's loops, as functions of their own: run inside `project`, V8 compiles them by
 * on-stack replacement on the first 28k-vertex call, and that code sometimes stays in use at about
 * half the speed (measured 0.9 vs 2.0 ms per image, by chance per process). Warmed up on a few
 * vertices first (see `warmVertexStage`), they are compiled as whole functions instead.
 */
function transformVertices(n: number, verts: Float32Array, R: Float64Array, f: number, tz: number, near: number, ox: number, oy: number, sx: Float32Array, sy: Float32Array, iw: Float32Array): void {
  const r0 = R[0]!, r1 = R[1]!, r2 = R[2]!, r3 = R[3]!, r4 = R[4]!, r5 = R[5]!, r6 = R[6]!, r7 = R[7]!, r8 = R[8]!;
  for (let i = 0; i < n; i++) {
    const vx = verts[3 * i]!;
    const vy = verts[3 * i + 1]!;
    const vz = verts[3 * i + 2]!;
    const X = r0 * vx + r1 * vy + r2 * vz;
    const Y = r3 * vx + r4 * vy + r5 * vz;
    const Z = r6 * vx + r7 * vy + r8 * vz + tz;
    if (Z > near) {
      iw[i] = -1;
      sx[i] = ox;
      sy[i] = oy;
      continue;
    }
    const w = -1 / Z;
    iw[i] = w;
    sx[i] = Math.fround(f * X * w) + ox;
    sy[i] = Math.fround(-f * Y * w) + oy;
  }
}

function shiftVertices(n: number, sx: Float32Array, sy: Float32Array, cx: number, cy: number): void {
  for (let i = 0; i < n; i++) {
    sx[i] = sx[i]! + cx;
    sy[i] = sy[i]! + cy;
  }
}

/** x' = a·x - b·y + tx, y' = b·x + a·y + ty on every projected vertex. */
function similarityVertices(n: number, sx: Float32Array, sy: Float32Array, a: number, b: number, tx: number, ty: number): void {
  for (let i = 0; i < n; i++) {
    const x = sx[i]!;
    const y = sy[i]!;
    sx[i] = a * x - b * y + tx;
    sy[i] = b * x + a * y + ty;
  }
}

/**
 * Shading of the vertices `list[0 … count)`: albedo × Σ s_k Y_k(R n) with k the SH coefficients
 * times the band constants, plus, with a `light`, specular · intensity · max(0, R n · h)^16 in
 * white (SPECULAR_EXPONENT), then the colour transform, × 1/depth.
 */
function shadeVertices(
  list: Int32Array, count: number, normals: Float32Array, albedo: Float32Array, R: Float64Array, k: Float64Array,
  gain: readonly number[], offset: readonly number[], ct: number,
  iw: Float32Array, rw: Float32Array, gw: Float32Array, bw: Float32Array,
  light: SpecularLight | null = null, specular = 0,
): void {
  const r0 = R[0]!, r1 = R[1]!, r2 = R[2]!, r3 = R[3]!, r4 = R[4]!, r5 = R[5]!, r6 = R[6]!, r7 = R[7]!, r8 = R[8]!;
  const g0 = gain[0]!, g1 = gain[1]!, g2 = gain[2]!;
  const o0 = offset[0]!, o1 = offset[1]!, o2 = offset[2]!;
  // Locals, not k[i]: the compiler cannot keep typed-array reads in registers across the writes
  // to rw/gw/bw below (they might alias).
  const k0 = k[0]!, k1 = k[1]!, k2 = k[2]!, k3 = k[3]!, k4 = k[4]!, k5 = k[5]!, k6 = k[6]!, k7 = k[7]!, k8 = k[8]!;
  const k9 = k[9]!, k10 = k[10]!, k11 = k[11]!, k12 = k[12]!, k13 = k[13]!, k14 = k[14]!, k15 = k[15]!, k16 = k[16]!, k17 = k[17]!;
  const k18 = k[18]!, k19 = k[19]!, k20 = k[20]!, k21 = k[21]!, k22 = k[22]!, k23 = k[23]!, k24 = k[24]!, k25 = k[25]!, k26 = k[26]!;
  const hx = light?.hx ?? 0, hy = light?.hy ?? 0, hz = light?.hz ?? 0;
  const strength = light ? specular * light.intensity : 0;
  for (let j = 0; j < count; j++) {
    const i = list[j]!;
    const w = iw[i]!;
    if (w <= 0) continue;
    const ax = normals[3 * i]!;
    const ay = normals[3 * i + 1]!;
    const az = normals[3 * i + 2]!;
    const x = r0 * ax + r1 * ay + r2 * az;
    const y = r3 * ax + r4 * ay + r5 * az;
    const z = r6 * ax + r7 * ay + r8 * az;
    const xy = x * y;
    const yz = y * z;
    const xz = x * z;
    const zz = 3 * z * z - 1;
    const xx = x * x - y * y;
    const er = k0 + k3 * y + k6 * z + k9 * x + k12 * xy + k15 * yz + k18 * zz + k21 * xz + k24 * xx;
    const eg = k1 + k4 * y + k7 * z + k10 * x + k13 * xy + k16 * yz + k19 * zz + k22 * xz + k25 * xx;
    const eb = k2 + k5 * y + k8 * z + k11 * x + k14 * xy + k17 * yz + k20 * zz + k23 * xz + k26 * xx;
    let r = albedo[3 * i]! * er;
    let g = albedo[3 * i + 1]! * eg;
    let b = albedo[3 * i + 2]! * eb;
    if (strength > 0) {
      const d = x * hx + y * hy + z * hz;
      if (d > 0) {
        // d^16 (SPECULAR_EXPONENT) by four squarings: Math.pow cost a fifth of the render.
        const d2 = d * d;
        const d4 = d2 * d2;
        const d8 = d4 * d4;
        const add = strength * d8 * d8;
        r += add;
        g += add;
        b += add;
      }
    }
    const grey = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
    rw[i] = (g0 * (grey + ct * (r - grey)) + o0) * w;
    gw[i] = (g1 * (grey + ct * (g - grey)) + o1) * w;
    bw[i] = (g2 * (grey + ct * (b - grey)) + o2) * w;
  }
}

/**
 * The vertices of the triangles that won some pixel of a deferred frame, in index order (which
 * keeps the normal and shading passes walking memory forwards), into `out`; returns their count.
 * `mark` is scratch, one entry per vertex.
 */
function shownVertices(np: number, coverage: Uint8Array, records: Int32Array, triangles: Uint32Array, mark: Int32Array, stamp: number, out: Int32Array): number {
  for (let p = 0; p < np; p++) {
    if (coverage[p] !== 1) continue;
    const t = records[RECORD_INTS * p + RECORD_TRIANGLE]!;
    mark[triangles[t]!] = stamp;
    mark[triangles[t + 1]!] = stamp;
    mark[triangles[t + 2]!] = stamp;
  }
  let count = 0;
  for (let v = 0; v < mark.length; v++) if (mark[v] === stamp) out[count++] = v;
  return count;
}

/**
 * Per component of a quantised block, [start, end) pairs (multiples of 8, within the padded
 * stride) covering every nonzero code; gaps shorter than 64 values are bridged (a kernel call
 * costs more than adding that many zeros). Cached per block.
 */
function blendshapeRunsOf(block: PcaBlock): readonly Int32Array[] {
  const hit = runsCache.get(block);
  if (hit) return hit;
  const codes = block.codes!;
  const stride = block.stride!;
  const runs: Int32Array[] = [];
  for (let j = 0; j < block.components; j++) {
    const out: number[] = [];
    const col = j * stride;
    for (let g = 0; g < stride; g += 8) {
      let any = false;
      for (let i = g; i < g + 8; i++) if (codes[col + i] !== 0) any = true;
      if (!any) continue;
      const last = out.length - 1;
      if (last > 0 && g - out[last]! < 64) out[last] = g + 8;
      else out.push(g, g + 8);
    }
    runs.push(Int32Array.from(out));
  }
  runsCache.set(block, runs);
  return runs;
}
const runsCache = new WeakMap<PcaBlock, readonly Int32Array[]>();

/**
 * The merged spans [start, end) (within the first n3 values) of the runs of the colour components
 * drawn per image among the first `dims`: the values an image's colour draws can move.
 */
function imageColourSpans(runs: readonly Int32Array[], model: MorphableModel, dims: number, n3: number): Int32Array {
  const moved = new Uint8Array(n3);
  for (let j = 0; j < Math.min(dims, runs.length); j++) {
    if (model.colorPer?.[j] !== 'image') continue;
    const r = runs[j]!;
    for (let k = 0; k < r.length; k += 2) moved.fill(1, r[k]!, Math.min(r[k + 1]!, n3));
  }
  const out: number[] = [];
  for (let i = 0; i < n3; i++) {
    if (moved[i] === 0) continue;
    const start = i;
    while (i < n3 && moved[i] === 1) i++;
    out.push(start, i);
  }
  return Int32Array.from(out);
}

/**
 * Adds the blendshapes of one image onto `out` over their runs only: `accumulate`'s arithmetic
 * (float32 weight sqrt(variance)·α·scale, components in index order, zeros skipped) on the values
 * whose codes are nonzero. Every other value would get f32(0 · w) = ±0 added, which leaves it
 * unchanged unless it is -0 (the caller checks its base has none), so `out` is the same bits.
 */
function addBlendshapes(block: PcaBlock, alpha: ArrayLike<number>, runs: readonly Int32Array[], out: Float32Array, kernel: SimdKernel | null, from = 0): void {
  const codes = block.codes!;
  const scales = block.scales!;
  const stride = block.stride!;
  const n = out.length;
  const used = Math.min(alpha.length, block.components);
  for (let j = from; j < used; j++) {
    const w = quantisedWeight(block, alpha, j);
    if (w === 0) continue;
    const r = runs[j]!;
    const col = j * stride;
    for (let k = 0; k < r.length; k += 2) {
      const start = r[k]!;
      const end = r[k + 1]!;
      if (kernel) {
        kernel.axpy(out.byteOffset + 4 * start, codes.byteOffset + 2 * (col + start), (end - start) / 8, w);
      } else {
        const wf = Math.fround(w);
        for (let i = start, e = Math.min(end, n); i < e; i++) out[i] = out[i]! + Math.fround(codes[col + i]! * wf);
      }
    }
  }
}

/** Component j's weight on its int16 codes, sqrt(variance)·α·scale in this order (its bits matter); 0 past α's end. */
function quantisedWeight(block: PcaBlock, alpha: ArrayLike<number>, j: number): number {
  return Math.sqrt(block.variance[j]!) * (alpha[j] ?? 0) * block.scales![j]!;
}

/** The first colour component drawn per image among the first `dims`, or -1. */
function firstImageComponent(model: MorphableModel, dims: number): number {
  for (let j = 0; j < Math.min(dims, model.color.components); j++) if (model.colorPer?.[j] === 'image') return j;
  return -1;
}

/**
 * One image's albedo with the kernel: over the spans, `out` = the identity's albedo plus the first
 * per-image component j0 (`addFrom`, one pass), then the later components over their runs. That is
 * addBlendshapes onto a copy of the identity's albedo, so the same bits: components before j0 have
 * weight 0 in an image's draws, and j0's codes are 0 in the spans outside its runs (adding ±0 keeps
 * a value the caller checked is not -0). Both arrays live in the kernel's memory and are padded to
 * a multiple of 8, so a span's last step may run past its end.
 */
function addImageColour(block: PcaBlock, alpha: ArrayLike<number>, j0: number, runs: readonly Int32Array[], spans: Int32Array, identity: Float32Array, out: Float32Array, kernel: SimdKernel): void {
  const w = quantisedWeight(block, alpha, j0);
  const col = block.codes!.byteOffset + 2 * j0 * block.stride!;
  for (let k = 0; k < spans.length; k += 2) {
    const start = spans[k]!;
    kernel.addFrom(out.byteOffset + 4 * start, identity.byteOffset + 4 * start, col + 2 * start, Math.ceil((spans[k + 1]! - start) / 8), w);
  }
  addBlendshapes(block, alpha, runs, out, kernel, j0 + 1);
}

/** Runs the vertex stage's loops on a few vertices until V8 has compiled them (see above). */
function warmVertexStage(): void {
  if (vertexStageWarm) return;
  vertexStageWarm = true;
  const m = 16;
  const v = new Float32Array(3 * m).fill(1);
  const a = new Float32Array(m);
  const R = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const k = new Float64Array(27);
  const list = Int32Array.from({ length: m }, (_, i) => i);
  for (let t = 0; t < 3000; t++) {
    transformVertices(m, v, R, 1, -1000, -1, 0, 0, a, a, a);
    shiftVertices(m, a, a, 0, 0);
    shadeVertices(list, m, v, v, R, k, [1, 1, 1], [0, 0, 0], 1, a, a, a, a);
  }
}
let vertexStageWarm = false;

function facesCamera(verts: Float32Array, normals: Float32Array, R: Float64Array, i: number): boolean {
  // n·(camera - p) in camera space; the camera is at the origin and the face at z = -1000.
  const vx = verts[3 * i]!;
  const vy = verts[3 * i + 1]!;
  const vz = verts[3 * i + 2]!;
  const nx = normals[3 * i]!;
  const ny = normals[3 * i + 1]!;
  const nz = normals[3 * i + 2]!;
  const X = R[0]! * vx + R[1]! * vy + R[2]! * vz;
  const Y = R[3]! * vx + R[4]! * vy + R[5]! * vz;
  const Z = R[6]! * vx + R[7]! * vy + R[8]! * vz - CAMERA.distanceMm;
  const NX = R[0]! * nx + R[1]! * ny + R[2]! * nz;
  const NY = R[3]! * nx + R[4]! * ny + R[5]! * nz;
  const NZ = R[6]! * nx + R[7]! * ny + R[8]! * nz;
  return -(NX * X + NY * Y + NZ * Z) > 0;
}

/** Separable Gaussian blur in place (edges clamped); `tmp` is a buffer of the same length. */
export function gaussianBlur(img: Float32Array, size: number, sigma: number, tmp: Float32Array): void {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += kernel[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  const pass = (src: Float32Array, dst: Float32Array, horizontal: boolean) => {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let a = 0;
        let b = 0;
        let c = 0;
        for (let k = -r; k <= r; k++) {
          const xx = horizontal ? Math.min(Math.max(x + k, 0), size - 1) : x;
          const yy = horizontal ? y : Math.min(Math.max(y + k, 0), size - 1);
          const w = kernel[k + r]!;
          const q = 3 * (yy * size + xx);
          a += w * src[q]!;
          b += w * src[q + 1]!;
          c += w * src[q + 2]!;
        }
        const o = 3 * (y * size + x);
        dst[o] = a;
        dst[o + 1] = b;
        dst[o + 2] = c;
      }
    }
  };
  pass(img, tmp, true);
  pass(tmp, img, false);
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/**
 * Each value to 6 significant digits. Zeros (most of a blendshape prior's weights and the colour
 * draws of the other kind) and small integers come out of toPrecision unchanged (a -0 as +0), so
 * they skip its string round trip, which costs more than the rest of an image's label.
 */
function round(a: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    out.push(v === 0 ? 0 : Number.isInteger(v) && Math.abs(v) < 1e6 ? v : Number(v.toPrecision(6)));
  }
  return out;
}
