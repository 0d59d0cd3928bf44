// The render stage: morphable models, parameter sampling, illumination, backgrounds, the software
// renderer, the render node kind and previews.
export { renderKind, renderThreads } from './kind.js';
export { FaceRenderer, gaussianBlur } from './renderer.js';
export type { FaceRendererOptions } from './renderer.js';
export { VertexNormalCache } from './normals.js';
export type { RenderedImage, RenderExtras } from './renderer.js';
export { RenderPool } from './pool.js';
export { prepareRender, loadModel, modelColorNames } from './setup.js';
export { sampleIdentity, sampleImage, skinToneOf, skinToneIndex, SKIN_TONE_COMPONENT, usedDims, expressionVaries, colorVariesPerImage, foldersOf } from './scene.js';
export type { RenderSetup, IdentitySample, ImageSample } from './scene.js';
export { reconstruct, accumulate, shareModel, claimSlot, orientOutward, vertexNormals, transposeBasis, SLOT_BUFFERS } from './model.js';
export type { ColorPrior, MorphableModel, PcaBlock, ModelLandmark, ModelArena } from './model.js';
export { simdKernel, simdModule, axpyReference } from './simd.js';
export type { SimdKernel } from './simd.js';
export { loadBuiltinModel, builtinModelHeader, encodeBuiltinModel, decodeBuiltinModel, builtinModelDir, BUILTIN_MODEL_NAME, PROCEDURAL_MODEL_NAME } from './builtin-model.js';
export type { BuiltinModelHeader, BuiltinModelOptions, BuiltinModelSource } from './builtin-model.js';
export { loadBfmModel } from './bfm.js';
export { CAMERA, focalPixels, poseRotation } from './camera.js';
export { SH_CONST, LAMBERT_BAND, shBasis, shade, envToShading, shadingToEnv, addAmbient, addDirectional, specularLight, SPECULAR_EXPONENT } from './sh.js';
export type { SpecularLight } from './sh.js';
export {
  samplePriorIllumination,
  frontalIllumination,
  loadIlluminationFolder,
  fitIlluminationGaussian,
  sampleGaussianIllumination,
} from './illumination.js';
export type { IlluminationGaussian } from './illumination.js';
export { drawBackground, loadBackgroundFolder, PROCEDURAL_BACKGROUNDS } from './background.js';
export type { BackgroundSet } from './background.js';
export { createFrame, clearFrame, createScreenVertices, rasterize } from './raster.js';
export { createRasterTarget, wasmRasterizer } from './raster-wasm.js';
export type { RasterTarget, WasmRasterize } from './raster-wasm.js';
export { createGlRasterTarget } from './raster-gl.js';
export type { GlRasterTarget } from './raster-gl.js';
export { probeGl, sharedGl, destroyGl, requireGl, glUnavailable, chooseRenderer, resolveRenderer, rasteriserName, SOFTWARE_GL } from './gl-context.js';
export type { GL, GlProbe, ProbeOptions, RasterBackend } from './gl-context.js';
export type { Frame, ScreenVertices } from './raster.js';
export { streamRng, STREAM, IDENTITY_SAMPLE } from './rng.js';
export { sampleDist, sampleChoice, choicesOf, isConst } from './dist.js';
export { encodePng } from './png.js';
export { renderContactSheet, tile } from './contact-sheet.js';
export { exportReferenceLayout } from './export.js';
export { syntheticModel } from './synthetic-model.js';
export type { SyntheticModelSize } from './synthetic-model.js';
