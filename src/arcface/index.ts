// The ArcFace 5-point template and the 2D similarity fit (Umeyama) that aligns faces to it: pure
// geometry shared by face-api alignment of real photos (faceapi) and `center arcface` renders
// (render), kept below both so the renderer need not load TensorFlow.js.
export { applySimilarity, ARCFACE_TEMPLATE_112, arcfaceTemplate, fivePointsOfLabel, invertSimilarity, umeyama } from './template.js';
export type { Point, Similarity } from './template.js';
