import type {
  ChoiceDist,
  Dist,
  EvalParams,
  Loss,
  ModelRef,
  Network,
  PretrainedNetwork,
  RenderMap,
  RenderParams,
  TrainParams,
} from '../params/index.js';

/** A synthetic set to render: everything in RenderParams except the shard range. */
export interface RenderSpec extends Omit<RenderParams, 'firstId' | 'ids'> {
  /** Global index of the first identity (held-out test sets start at TESTSET_FIRST_ID). */
  readonly firstId: number;
  /** Number of identities. */
  readonly ids: number;
}

/** One training stage after defaults and checking: the train node's params but its role and seed. */
export interface TrainSpec extends Omit<TrainParams, 'role' | 'seed' | 'from'> {
  /** The pretrained start weights (network face-api), before the planner digests them. */
  readonly from?: NetworkSpec;
  readonly source: { readonly kind: 'synthetic' } | { readonly kind: 'dataset'; readonly dataset: string };
  /** Fraction of a real dataset's identities, in [0, 1]; 1 for synthetic sources. */
  readonly fraction: number;
}

export interface EvalSpec {
  readonly dataset: string;
  readonly protocol: EvalParams['protocol'];
  readonly flip: boolean;
  /** `with network ...`: a pretrained network evaluated instead of the experiment's trained one. */
  readonly network?: NetworkSpec;
  /** For synthetic test sets: what to render. */
  readonly testset?: RenderSpec;
}

/**
 * A pretrained network as checked: PretrainedNetwork less its digest, which the planner takes
 * from `files` (every file whose bytes make up the model).
 */
export interface NetworkSpec extends Omit<PretrainedNetwork, 'sha256'> {
  readonly files: readonly string[];
}

/** A concrete experiment: one point of a sweep, every value checked and defaulted. */
export interface ExperimentSpec {
  readonly name: string;
  /** The experiment as written (before sweep expansion). */
  readonly base: string;
  readonly sweep: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly render?: RenderSpec;
  readonly pretrain?: TrainSpec;
  readonly train?: TrainSpec;
  /** Absent when the experiment does not fine-tune, or fine-tunes on 0%. */
  readonly finetune?: TrainSpec;
  readonly evals: readonly EvalSpec[];
}

export type { ChoiceDist, Dist, ModelRef };

/** Held-out synthetic identities start here, far past any training set's identities. */
export const TESTSET_FIRST_ID = 10_000_000;

/** The reference generator's defaults (see the README's table of rendering parameters). */
export const RENDER_DEFAULTS = {
  seed: 1988,
  imgsPerId: 10,
  size: 112,
  dims: { shape: 199, color: 199, expression: 100 },
  pose: {
    yaw: {
      type: 'mix',
      parts: [
        { weight: 0.6, dist: { type: 'uniform', lo: -90, hi: 90 } },
        { weight: 0.2, dist: { type: 'normal', mean: 0, sd: 2 } },
        { weight: 0.2, dist: { type: 'const', value: 0 } },
      ],
    },
    pitch: { type: 'normal', mean: 0, sd: 30 },
    roll: { type: 'const', value: 0 },
    scale: { type: 'uniform', lo: 1.0, hi: 1.2 },
    tx: { type: 'const', value: 0 },
    ty: { type: 'const', value: 0 },
  },
  coeffs: {
    shape: { type: 'normal', mean: 0, sd: 1 },
    color: { type: 'normal', mean: 0, sd: 1 },
    expression: { type: 'normal', mean: 0, sd: 1 },
  },
  illumination: { type: 'choice', name: 'prior' },
  background: { type: 'choice', name: 'noise' },
  post: {
    gain: { type: 'const', value: 1 },
    contrast: { type: 'const', value: 1 },
    offset: { type: 'const', value: 0 },
    noise: { type: 'const', value: 0 },
    blur: { type: 'const', value: 0 },
  },
  center: 'none',
} as const satisfies Omit<RenderSpec, 'model' | 'ids' | 'firstId'>;

export const NETWORK_INPUT: Record<Network, number> = { 'nn4-small': 96, small: 64, resnet: 112, 'face-api': 150 };
export const LOSS_MARGIN: Record<Loss, number> = { triplet: 0.2, arcface: 0.5, cosface: 0.35 };
/**
 * Defaults of the train options that TrainParams leaves out when they hold (so fingerprints from
 * before the options existed stay valid). The train stage has the same numbers
 * (MARGIN_SOFTMAX_SCALE, the Optimizer's momentum); test/train checks they agree.
 */
export const TRAIN_OPTION_DEFAULTS = { scale: 30, momentum: 0.9 } as const;

export const TRAIN_DEFAULTS = {
  network: 'nn4-small' as Network,
  loss: 'triplet' as Loss,
  epochs: 10,
  batch: 64,
  lr: 0.001,
  optimizer: 'adam' as const,
  embedding: 128,
};

/** The standard benchmarks synx knows by name, and their formats. */
export const BENCHMARKS: Record<string, 'folder' | 'lfw' | 'ijba' | 'multipie'> = {
  casia: 'folder',
  vggface2: 'folder',
  lfw: 'lfw',
  ijba: 'ijba',
  multipie: 'multipie',
};

/** Rendering parameters written with `~`, and what their numbers mean. */
export const NUMERIC_PARAMS: Record<string, { unit: 'deg' | 'px' | 'factor' | 'std' | 'value'; group: 'pose' | 'coeffs' | 'shading' | 'post' }> = {
  yaw: { unit: 'deg', group: 'pose' },
  pitch: { unit: 'deg', group: 'pose' },
  roll: { unit: 'deg', group: 'pose' },
  scale: { unit: 'factor', group: 'pose' },
  tx: { unit: 'px', group: 'pose' },
  ty: { unit: 'px', group: 'pose' },
  shape: { unit: 'std', group: 'coeffs' },
  color: { unit: 'std', group: 'coeffs' },
  expression: { unit: 'std', group: 'coeffs' },
  specular: { unit: 'value', group: 'shading' },
  gain: { unit: 'factor', group: 'post' },
  contrast: { unit: 'factor', group: 'post' },
  offset: { unit: 'value', group: 'post' },
  noise: { unit: 'value', group: 'post' },
  blur: { unit: 'px', group: 'post' },
};

/** Whether `name` is a key of NUMERIC_PARAMS itself (`constructor`, inherited from Object, is not). */
export const isNumericParam = (name: string): boolean => Object.hasOwn(NUMERIC_PARAMS, name);

/** Non-numeric parameters and their named choices (true = takes a "folder" argument). */
export const CHOICE_PARAMS: Record<string, Record<string, boolean>> = {
  illumination: { prior: false, frontal: false, empirical: true, gaussian: true },
  background: { noise: false, gradient: false, texture: false, plain: false, none: false, folder: true },
};

/** Whether `name` is a key of CHOICE_PARAMS itself (`toString`, inherited from Object, is not). */
export const isChoiceParam = (name: string): boolean => Object.hasOwn(CHOICE_PARAMS, name);

export const SETTINGS = ['seed', 'image', 'model', 'dims', 'center', 'maps'] as const;

/** The per-pixel maps `maps` can ask for, in the order a render stores them. */
export const RENDER_MAPS = ['depth', 'normal'] as const satisfies readonly RenderMap[];
