// The data stage: real-dataset adapters (image folders, LFW, IJB-A, Multi-PIE), seeded identity
// subsets and the `data` node kind (images are decoded by src/image).
export { lfwImagePath, listImageFolder, parseLfwPairs, readCsv, readIjba, readPoseCsv } from './datasets.js';
export type { Comparison, LfwPair, ListedImage, PosedImage, Template } from './datasets.js';
export { chooseIdentities, DATA_MANIFEST, isDataManifestDir, loadManifestImages, readDataManifest } from './manifest.js';
export type { DataManifest } from './manifest.js';
export { buildManifest, createDataKind, dataKind } from './kind.js';
export { ALIGNED_FOLDER, ALIGNED_SIZE, alignedPathOf, NO_FACE_LIST } from './align.js';
export type { FaceAligner, FaceAlignResult } from './align.js';
