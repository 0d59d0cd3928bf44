// The data stage: real-dataset adapters (image folders, LFW, IJB-A, Multi-PIE), image decoding,
// seeded identity subsets and the `data` node kind.
export { Rng } from './rng.js';
export { decodeImage, fitImage, sniffFormat } from './image.js';
export type { Fit, RgbImage } from './image.js';
export { lfwImagePath, listImageFolder, parseLfwPairs, readCsv, readIjba, readPoseCsv } from './datasets.js';
export type { Comparison, LfwPair, ListedImage, PosedImage, Template } from './datasets.js';
export { chooseIdentities, DATA_MANIFEST, isDataManifestDir, loadManifestImages, readDataManifest } from './manifest.js';
export type { DataManifest } from './manifest.js';
export { buildManifest, createDataKind, dataKind } from './kind.js';
export { ALIGNED_FOLDER, ALIGNED_SIZE, alignedPathOf, NO_FACE_LIST } from './align.js';
export type { FaceAligner, FaceAlignResult } from './align.js';
