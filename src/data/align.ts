/** Side of the aligned crops a data node with `align: face-api` writes (insightface's ArcFace size). */
export const ALIGNED_SIZE = 112;

/** Folder of a data node's output that holds its aligned crops (the manifest's image paths are under it). */
export const ALIGNED_FOLDER = 'aligned';

/** File of a data node's output listing, one dataset-relative path a line, the images with no face found. */
export const NO_FACE_LIST = 'no-face.txt';

/** What aligning one image gave: the crop was written, or why not. */
export type FaceAlignResult = { readonly ok: true; readonly score: number } | { readonly ok: false; readonly reason: string };

/**
 * Aligns images for a data node: reads each of `files` (absolute), finds its face and writes the
 * `size` x `size` crop warped to the ArcFace template as a PNG at the same index of `outFiles`.
 * Results come back in file order. The data stage defines this contract and the face-api stage
 * implements it (`alignDatasetImages`); the kind registry joins them, so `data` never imports
 * face-api (which imports training's backend, which imports `data`).
 */
export type FaceAligner = (job: {
  readonly files: readonly string[];
  readonly outFiles: readonly string[];
  readonly size: number;
  readonly signal: AbortSignal;
  readonly progress: (done: number) => void;
}) => Promise<FaceAlignResult[]>;

/** The aligned crop's path for a dataset image, relative to the aligned folder (keeps the identity folder; `.png` added so a.jpg and a.png stay apart). */
export function alignedPathOf(imagePath: string): string {
  return `${imagePath}.png`;
}
