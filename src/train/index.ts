// The train stage: TensorFlow.js backends, networks, losses, the (data-parallel) training loop,
// model files and the `train` node kind.
export { backendProblem, BACKENDS, lavapipeVulkanVersion, readsSynchronously, useBackend, webgpuDriver } from './backend.js';
export type { BackendName } from './backend.js';
export { conv2dFilterGrad, conv2dInputGrad, conv2dSame, convPadding, hasNativeFilterGrad, maxPool2, plainConvGrad, samePadding } from './ops.js';
export type { ConvPad } from './ops.js';
export { BN_EPSILON, initWeights, neckFor, networkDef } from './networks.js';
export type { ForwardMode, Neck, NetworkDef, ParamSpec, Weights } from './networks.js';
export { batchLoss, marginSoftmaxLoss, mineSemiHard, MARGIN_SOFTMAX_SCALE, tripletLoss } from './losses.js';
export { GradientState, initHead, Optimizer } from './trainer.js';
export type { LossConfig, OptimizerOptions, OptimizerState } from './trainer.js';
export { learningRate, STEP_DECAY } from './schedule.js';
export type { LrParams } from './schedule.js';
export { meanGradients, ParallelGradients } from './parallel.js';
export type { BatchPart } from './parallel.js';
export { batchParts, cutBatch, embeddingStats, epochBatches, identityStats, IMAGES_PER_IDENTITY, runTraining, STATS_IMAGES } from './loop.js';
export type { EpochRecord, TrainRun } from './loop.js';
export { loadCheckpoint, MODEL_FILE, readModel, saveCheckpoint, WEIGHTS_FILE, writeModel } from './model-io.js';
export type { Checkpoint, ModelFile } from './model-io.js';
export { flipChoices, mirrorImages } from './augment.js';
export { IMAGE_CACHE_BYTES, ImageSet } from './samples.js';
export type { ImageCacheUse, ImageSetOptions, Sample } from './samples.js';
export { cosineRows, Embedder } from './embed.js';
export { trainKind } from './kind.js';
