/**
 * The params of each node kind, as plain JSON. This is the contract between the planner (which
 * writes them from a checked experiment) and the node kinds (which read them): every field here
 * changes a node's output and so is part of its fingerprint, except the locations of files, which
 * are keyed by their content digests instead (see `locationFree` in fingerprint.ts).
 */
import type { Sha256 } from '../util/index.js';

/** A file's digest is the sha256 of its bytes (what `sha256sum` prints); a folder's is over its listing. */
export type ContentDigest = Sha256;

/** A distribution over a number. Angles are in degrees, coefficients in units of the PCA std. */
export type Dist =
  | { readonly type: 'const'; readonly value: number }
  | { readonly type: 'uniform'; readonly lo: number; readonly hi: number }
  | { readonly type: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly type: 'mix'; readonly parts: readonly { readonly weight: number; readonly dist: Dist }[] };

/** A named choice for a non-numeric parameter (`illumination ~ prior "folder"`, `background ~ noise`). */
export type Choice = {
  readonly type: 'choice';
  readonly name: string;
  /** The argument, e.g. the folder of a `prior "folder"` or `folder "path"` choice (resolved; not fingerprinted). */
  readonly arg?: string;
  /** The content digest of the `arg` folder, written by the planner: what the fingerprint keys instead of `arg`. */
  readonly sha256?: ContentDigest;
};

/** A choice, or a weighted mixture of choices (`background ~ mix(0.5 noise, 0.5 gradient)`). */
export type ChoiceDist =
  | Choice
  | { readonly type: 'mix'; readonly parts: readonly { readonly weight: number; readonly dist: Choice }[] };

/**
 * The morphable model. A BFM file is read at `path` (resolved; not fingerprinted) and keyed by
 * `sha256`, its content digest written by the planner. The built-in models ship with the code:
 * they are keyed by the render kind's version, and a test pins their digests so a new model file
 * cannot land without a version bump (test/plan/content.test.ts). `builtin` is the ICT-derived
 * default; `procedural` the hand-made model that was the default before render kind 4.
 */
export type ModelRef =
  | { readonly kind: 'builtin' }
  | { readonly kind: 'procedural' }
  | { readonly kind: 'bfm'; readonly path: string; readonly sha256?: ContentDigest };

/**
 * One render shard: identities [firstId, firstId + ids) with imgsPerId images each. Each
 * identity's random stream comes from (seed, identity) and each image's from
 * (seed, identity, sample), so shards are independent and any image can be re-rendered alone.
 */
export type RenderParams = {
  readonly model: ModelRef;
  readonly seed: number;
  readonly firstId: number;
  readonly ids: number;
  readonly imgsPerId: number;
  /** Image width = height, pixels. */
  readonly size: number;
  /** PCA components used; 0 = always the mean. */
  readonly dims: { readonly shape: number; readonly color: number; readonly expression: number };
  /** Per-image pose: degrees for angles, a factor on the focal length for scale, pixels for tx/ty. */
  readonly pose: {
    readonly yaw: Dist;
    readonly pitch: Dist;
    readonly roll: Dist;
    readonly scale: Dist;
    readonly tx: Dist;
    readonly ty: Dist;
  };
  /** Per-coefficient distributions: shape and colour per identity, expression per image. */
  readonly coeffs: { readonly shape: Dist; readonly color: Dist; readonly expression: Dist };
  /** `prior` (built-in), `frontal`, `empirical "folder"`, `gaussian "folder"`. */
  readonly illumination: ChoiceDist;
  /** `noise`, `gradient`, `texture`, `plain`, `none`, `folder "path"`. */
  readonly background: ChoiceDist;
  /** Colour transform and degradations applied after rendering. */
  readonly post: {
    readonly gain: Dist;
    readonly contrast: Dist;
    readonly offset: Dist;
    readonly noise: Dist;
    readonly blur: Dist;
  };
  /**
   * Where the face goes in the frame: `none` (the pose's translation), centred on its `facebox` or
   * `landmarks`, or `arcface`: warped so its five points land on the ArcFace template, as real
   * photos are by `align: face-api` (a new value: the other values' fingerprints are unchanged).
   */
  readonly center: 'none' | 'facebox' | 'landmarks' | 'arcface';
  /**
   * Per-pixel maps to store beside the images (`maps depth, normal`). Present only when some are
   * asked for, so the fingerprints of renders without maps stay as they were.
   */
  readonly maps?: readonly RenderMap[];
  /**
   * `specular ~ DIST`: per image, the strength of a white Blinn-Phong highlight (exponent
   * SPECULAR_EXPONENT) from the image's light, added to the Lambertian shading (see
   * `specularLight`). Present only when set to something other than 0, so the fingerprints of
   * renders without it stay as they were.
   */
  readonly specular?: Dist;
  /**
   * The rasteriser, present only for `gl` (synx.yaml `renderer`, resolved before planning): gl
   * frames differ from software ones at edge pixels, so gl shards are cached apart, while the
   * fingerprints of software renders stay what they were before the option existed.
   */
  readonly raster?: 'gl';
};

/** A per-pixel map a render can store beside its images (see dataset/shard.ts). */
export type RenderMap = 'depth' | 'normal';

/** synx's own networks, and `face-api`: face-api's recogniser, trained from its published weights. */
export type Network = 'nn4-small' | 'small' | 'resnet' | 'face-api';
export type Loss = 'triplet' | 'arcface' | 'cosface';

/**
 * How the learning rate changes over a run (after any warmup): `cosine` decays it to 0 at the
 * last step (SGDR without restarts); `step` multiplies it by 0.1 after each listed epoch, as the
 * FaceNet and ArcFace papers do. No schedule means a constant rate.
 */
export type LrSchedule = { readonly type: 'cosine' } | { readonly type: 'step'; readonly epochs: readonly number[] };

/** A training run: pretrain (synthetic), train (real-only baseline) or finetune (from `init`). */
export type TrainParams = {
  readonly role: 'pretrain' | 'train' | 'finetune';
  readonly network: Network;
  readonly loss: Loss;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly optimizer: 'adam' | 'sgd';
  /** Network input size, pixels (images are resized to it). */
  readonly input: number;
  readonly embedding: number;
  /** Triplet margin, or the angular/cosine margin of arcface/cosface. */
  readonly margin: number;
  readonly seed: number;
  /** Number of training images to draw from the inputs (`pretrain 1M`), or null for all. */
  readonly images: number | null;
  // The options below are written only when not at their defaults, so the fingerprints of
  // experiments that never set them stay what they were before the options existed.
  /** The learning-rate schedule; absent = constant. */
  readonly schedule?: LrSchedule;
  /** Epochs (may be fractional) over which the rate ramps linearly from lr/steps to lr; absent = 0. */
  readonly warmup?: number;
  /** SGD's momentum; absent = 0.9. Adam ignores it (the checker refuses it there). */
  readonly momentum?: number;
  /** L2 weight decay: added to SGD's gradient, decoupled (AdamW) for Adam; absent = 0. */
  readonly weightDecay?: number;
  /**
   * Training-time augmentation: `flip` mirrors each training image left to right with
   * probability ½ (seeded per image, see train/augment.ts); absent = none.
   */
  readonly augment?: 'flip';
  /** The logit scale s of arcface/cosface; absent = 30 (MARGIN_SOFTMAX_SCALE). */
  readonly scale?: number;
  /**
   * The pretrained network whose weights the training starts from (network face-api: face-api's
   * recogniser as its package ships it), unless an `init` input (a pretrain) gives them. Its
   * sha256 keys the fingerprint, its path does not (see locationFree).
   */
  readonly from?: PretrainedNetwork;
};

/** A real dataset, or a seeded fraction of its identities (`finetune casia 10%`). */
export type DataParams = {
  readonly dataset: string;
  readonly format: 'folder' | 'lfw' | 'ijba' | 'multipie';
  /** The image folder, resolved: where the node reads, not what it reads, so not fingerprinted. */
  readonly path: string;
  /**
   * Content digests of what the node reads, written by the planner: the image folder (which holds
   * LFW's default pairs.txt) and the pairs and metadata files synx.yaml names. A changed image,
   * pair list or pose CSV re-runs the node; a moved dataset does not. The node never reads it, so
   * params built by hand for a node kind alone (tests, tools) may leave it out.
   */
  readonly content?: {
    readonly folder: ContentDigest;
    readonly pairs?: ContentDigest;
    readonly metadata?: ContentDigest;
  };
  /** Fraction in (0, 1]; subsets keep whole identities, chosen by a seeded shuffle. */
  readonly fraction: number;
  readonly seed: number;
  /**
   * `datasets.<name>.unreadable` of synx.yaml: with `fail` an unreadable image fails the node
   * instead of being skipped, so it changes the outcome. Absent means `skip` (the default), which
   * keeps the fingerprints of projects that never set it.
   */
  readonly unreadable?: 'fail';
  /**
   * `datasets.<name>.fit`: how images are fitted to the network input; written into the manifest
   * that training and eval read, so it changes their inputs. Absent means `resize` (the default).
   */
  readonly fit?: 'center';
  /**
   * `datasets.<name>.align`: the node warps every image to the ArcFace template with face-api's
   * detector and landmarks, and drops those with no face; its output is the aligned crops.
   * Absent means no alignment, which keeps the fingerprints of projects that never set it.
   */
  readonly align?: 'face-api';
};

/** An evaluation of the `model` input on the `test` inputs, by a standard protocol. */
export type EvalParams = {
  readonly dataset: string;
  /** `lfw` 10-fold verification, `ijba` TAR@FAR, `multipie` rank-1 by pose, `synthetic` (both). */
  readonly protocol: 'lfw' | 'ijba' | 'multipie' | 'synthetic';
  /** Add the embedding of the horizontally flipped image, as the LFW protocol allows. */
  readonly flip: boolean;
  readonly seed: number;
  /**
   * A pretrained network to evaluate instead of a `model` input (`eval lfw with network face-api`).
   * Absent for networks synx trained, so their fingerprints stay as they were.
   */
  readonly network?: PretrainedNetwork;
};

/**
 * A network synx did not train: face-api's recogniser (weights shipped in its npm package), or a
 * user's TensorFlow.js (model.json) or ONNX file. `sha256` is the digest of the model's bytes
 * (model.json and its weight shards, or the .onnx file), which is what the fingerprint keys on;
 * `file` is the name as written, for display; `path` is where to read it on this machine and is
 * left out of the fingerprint (see build-dag), so moving a project keeps its cached results.
 */
export type PretrainedNetwork = {
  readonly kind: 'face-api' | 'tfjs' | 'onnx';
  readonly file: string;
  readonly path: string;
  readonly sha256: string;
  /** Square input size, pixels: test images are resized to it (bilinearly, as face-api does). */
  readonly input: number;
  /** Per-channel (in `channels` order) normalisation of 0..255 pixels: (x - mean) / std. */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** The order of the colour channels the network reads. */
  readonly channels: 'rgb' | 'bgr';
};

/** A report over the evals of one or more experiments. */
export type ReportParams = {
  readonly title: string;
  /** Each expanded experiment, its sweep values as written, and the fingerprints of its evals. */
  readonly experiments: readonly {
    readonly name: string;
    readonly base: string;
    readonly sweep: Readonly<Record<string, string>>;
    readonly evals: readonly string[];
  }[];
  /**
   * SYNX_SCALE when it is not 1: the report says it shows a shrunk smoke test, and is published
   * apart (reports/<title>-scale<f>/) so it never replaces the full run's. Absent at full size.
   */
  readonly scale?: number;
  /** The first shard of each training set (at most three), for contact sheets of samples. */
  readonly samples: readonly { readonly label: string; readonly params: RenderParams }[];
};

/**
 * Input roles: what a dependency is to the node that reads it.
 * render shards and data nodes feed `data` (training) and `test` (eval); `init` is the checkpoint
 * a finetune starts from; `model` is the trained network an eval measures; `result` an eval's
 * output a report reads.
 */
export type InputRole = 'data' | 'test' | 'init' | 'model' | 'result';
