/** A dataset the user declares in synx.yaml (or one of the standard benchmarks). */
export interface DatasetConfig {
  readonly format: 'folder' | 'lfw' | 'ijba' | 'multipie';
  /** Root folder of the images. */
  readonly path: string;
  /** LFW: the pairs file (default `<path>/pairs.txt`); IJB-A: the comparisons CSV. */
  readonly pairs?: string;
  /** IJB-A: the templates CSV (template, identity, image). Multi-PIE: the CSV of image, identity, yaw. */
  readonly metadata?: string;
  /** Images that cannot be decoded: `skip` (default; each path is logged) or `fail`. */
  readonly unreadable?: 'skip' | 'fail';
  /** How images are brought to the network input: `resize` (default, whole image) or `center` (centre square crop, then resize). */
  readonly fit?: 'resize' | 'center';
  /**
   * `face-api`: detect each face, find its 68 landmarks and warp it to the 112 px ArcFace 5-point
   * template (see README "Aligning a real dataset"); images with no face found are skipped and
   * listed (or fail the node with `unreadable: fail`). Absent: images are used as they are.
   */
  readonly align?: 'face-api';
}

/** `renderer` in synx.yaml: which rasteriser render nodes use. */
export type RendererSetting = 'auto' | 'software' | 'gl';

/** The project configuration from synx.yaml, with defaults filled in. */
export interface ProjectConfig {
  /** Folder synx.yaml lives in (or the working directory); relative paths resolve against it. */
  readonly root: string;
  /** Cache folder (default `<root>/.synx/cache`; env SYNX_CACHE overrides). */
  readonly cache: string;
  /** Run records (default `<root>/.synx/runs`). */
  readonly runs: string;
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  /** TensorFlow.js backend: `wasm` (CPU default), `webgpu`, `tfjs-node`, `tfjs-node-gpu`, `cpu`. */
  readonly backend: string;
  /** Parallel nodes; CPU/GPU slots the scheduler may fill. */
  readonly jobs: number;
  readonly cpus: number;
  readonly gpus: number;
  /** Worker threads a render or train node may use (default: all cores). */
  readonly threads: number;
  readonly executor: 'local' | 'slurm';
  /**
   * Rasteriser of render nodes: `software` (the CPU z-buffer), `gl` (headless-gl, optional) or
   * `auto` (default; absent = auto: gl only on a real GPU, see docs/render.md). Planning needs it
   * resolved to software or gl (`resolveRenderer`): gl frames differ slightly, so gl is part of
   * the render nodes' fingerprints, and an unresolved `auto` plans as software.
   */
  readonly renderer?: RendererSetting;
  /**
   * Shrinks every experiment (identities, images per identity, pretraining images) by this factor,
   * for smoke tests and CI: `SYNX_SCALE=0.1 synx run quickstart.synexp`. 1 = as written.
   */
  readonly scale?: number;
  /**
   * Bytes one train node may keep its training images in, resized to the network input, between
   * epochs (`imageCache: 4G` in synx.yaml; absent: 1 GiB, `IMAGE_CACHE_BYTES`). Images beyond it
   * are read and decoded again every epoch. It changes only speed and memory, not any output, so
   * it is no part of a fingerprint.
   */
  readonly imageCache?: number;
  readonly slurm: Readonly<Record<string, unknown>>;
}
