import type { RenderParams } from '../plan/index.js';
import { encodePng } from './png.js';
import { FaceRenderer } from './renderer.js';
import { prepareRender } from './setup.js';
import type { RenderSetup } from './scene.js';

const GAP = 2;

/** Tiles images (size × size RGB each) into rows × cols with a 2-pixel grey gap; returns RGB bytes. */
export function tile(images: readonly Uint8Array[], size: number, rows: number, cols: number): { rgb: Uint8Array; width: number; height: number } {
  const width = cols * size + (cols + 1) * GAP;
  const height = rows * size + (rows + 1) * GAP;
  const rgb = new Uint8Array(width * height * 3).fill(48);
  images.forEach((img, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const ox = GAP + c * (size + GAP);
    const oy = GAP + r * (size + GAP);
    for (let y = 0; y < size; y++) {
      rgb.set(img.subarray(y * size * 3, (y + 1) * size * 3), ((oy + y) * width + ox) * 3);
    }
  });
  return { rgb, width, height };
}

/**
 * A PNG contact sheet of a render's first `rows` identities (from params.firstId) × `cols` samples
 * each: exactly the images the render node writes for them.
 */
export async function renderContactSheet(params: RenderParams, rows: number, cols: number, setup?: RenderSetup): Promise<Buffer> {
  const s = setup ?? (await prepareRender(params));
  const renderer = new FaceRenderer(s);
  const images: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) images.push(renderer.render(params.firstId + r, c).rgb);
  }
  const t = tile(images, params.size, rows, cols);
  return encodePng(t.rgb, t.width, t.height);
}
