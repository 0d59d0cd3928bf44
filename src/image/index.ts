// Image files to pixels: one JPEG/PNG decoder and the resamplers that bring images to a square
// size, for training and evaluation images (data) and render backgrounds alike. A leaf: it imports
// nothing from synx.
export { decodeImage, LENIENT_DECODE, sniffFormat, STRICT_DECODE } from './decode.js';
export type { DecodeLimits, RgbImage } from './decode.js';
export { boxShrink, cropResizeSquare, fitImage } from './resize.js';
export type { Fit } from './resize.js';
