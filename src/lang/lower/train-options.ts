// The options of a training stage (`pretrain with resnet, arcface, epochs 20, lr 0.01, ...`): one
// table entry per option says how its value is read, like the table of rendering parameters, so
// adding an option is one entry. Checks between options follow once all are read (they may come
// in any order), then the defaults that depend on others (input size by network, margin by loss).
import { didYouMean, type Range } from '../../diag/index.js';
import { FACE_API_EMBEDDING, FACE_API_INPUT } from '../../networks/index.js';
import type { LrSchedule, Loss, Network } from '../../params/index.js';
import type { StageClause, Value } from '../ast.js';
import { LOSS_MARGIN, NETWORK_INPUT, TRAIN_DEFAULTS, TRAIN_OPTION_DEFAULTS, type NetworkSpec, type TrainSpec } from '../spec.js';
import { faceApiSpec } from './networks.js';
import type { Reader } from './values.js';

/** Networks a stage can train; each is also an option of its own (`pretrain with resnet`). */
export const NETWORKS: readonly Network[] = ['nn4-small', 'small', 'resnet', 'face-api'];
/** Losses a stage can train with; each is also an option of its own (`pretrain with arcface`). */
export const LOSSES: readonly Loss[] = ['triplet', 'arcface', 'cosface'];
const SCHEDULES = ['constant', 'cosine', 'step'];

/** A stage's options as read so far: the defaults, overwritten option by option. */
interface Draft {
  network: Network;
  loss: Loss;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  input?: number;
  embedding: number;
  margin?: number;
  scale?: number;
  schedule?: LrSchedule;
  warmup?: number;
  momentum?: number;
  weightDecay?: number;
  augment?: 'flip';
}

/** Reads an option's value into the draft, reporting what is wrong (the draft keeps its value then). */
type ReadOption = (r: Reader, value: Value, draft: Draft) => void;

interface TrainOption {
  /** What a valueless option is told to look like. */
  readonly example: string;
  readonly read: ReadOption;
}

/**
 * A plain number that must pass `ok`. `problem` gets the value as written lazily: reading a swept
 * value again checks the sweep again, and only the messages that quote it did so.
 */
function bounded(what: string, hint: string, ok: (n: number) => boolean, problem: (written: () => string) => string, problemHint: string | undefined, set: (d: Draft, n: number) => void): ReadOption {
  return (r, value, d) => {
    const n = r.number(value, what, [''], hint);
    if (n === undefined) return;
    if (ok(n)) set(d, n);
    else r.report('SX2010', r.picked(value).range, problem(() => r.text(r.picked(value))), problemHint);
  };
}

/** Every option with a value, in the order hints list them. */
const TRAIN_OPTIONS: Readonly<Record<string, TrainOption>> = {
  network: { example: 'network nn4-small', read: (r, v, d) => void (d.network = (r.nameOf(v, 'network', NETWORKS) as Network | undefined) ?? d.network) },
  loss: { example: 'loss arcface', read: (r, v, d) => void (d.loss = (r.nameOf(v, 'loss', LOSSES) as Loss | undefined) ?? d.loss) },
  epochs: { example: 'epochs 20', read: (r, v, d) => void (d.epochs = r.count(v, 'epochs') ?? d.epochs) },
  batch: { example: 'batch 64', read: (r, v, d) => void (d.batch = r.count(v, 'batch size') ?? d.batch) },
  lr: { example: 'lr 0.001', read: bounded('learning rate', 'e.g. lr 0.001', (n) => n > 0, () => 'the learning rate must be above 0', undefined, (d, n) => (d.lr = n)) },
  optimizer: { example: 'optimizer sgd', read: (r, v, d) => void (d.optimizer = (r.nameOf(v, 'optimizer', ['adam', 'sgd']) as 'adam' | 'sgd' | undefined) ?? d.optimizer) },
  input: {
    example: 'input 96px',
    read: (r, v, d) => {
      const n = r.number(v, 'input size', ['px', ''], 'e.g. input 96px');
      if (n !== undefined) d.input = n;
    },
  },
  embedding: { example: 'embedding 128', read: (r, v, d) => void (d.embedding = r.count(v, 'embedding size') ?? d.embedding) },
  margin: { example: 'margin 0.2', read: bounded('margin', 'e.g. margin 0.2', (n) => n >= 0, () => 'the margin cannot be negative', undefined, (d, n) => (d.margin = n)) },
  scale: {
    example: 'scale 16',
    read: bounded('the logit scale', 'e.g. scale 16', (n) => n > 0, (w) => `the logit scale must be above 0, not ${w()}`, 'the default is 30; the ArcFace paper uses 64 for 85k identities', (d, n) => (d.scale = n)),
  },
  schedule: { example: 'schedule cosine', read: (r, v, d) => void (d.schedule = schedule(r, v) ?? d.schedule) },
  warmup: {
    example: 'warmup 1',
    read: bounded('warmup', 'warmup is a number of epochs, e.g. warmup 1', (n) => n >= 0, (w) => `warmup is a number of epochs, 0 or more, not ${w()}`, undefined, (d, n) => (d.warmup = n)),
  },
  momentum: {
    example: 'momentum 0.9',
    read: bounded('momentum', 'e.g. momentum 0.9', (n) => n >= 0 && n < 1, (w) => `momentum must be from 0 up to (not including) 1, not ${w()}`, 'the usual value is 0.9', (d, n) => (d.momentum = n)),
  },
  'weight-decay': {
    example: 'weight-decay 5e-4',
    read: (r, v, d) => {
      const n = r.number(v, 'weight decay', [''], 'e.g. weight-decay 5e-4');
      if (n !== undefined && !(n >= 0)) r.report('SX2010', r.picked(v).range, `weight decay cannot be negative (${r.text(r.picked(v))})`);
      else if (n !== undefined && n >= 0.1) r.report('SX2101', r.picked(v).range, `weight decay ${r.text(r.picked(v))} is very strong: it pulls the weights towards 0 faster than most gradients move them`, 'face recognition networks use about 5e-4');
      if (n !== undefined && n >= 0) d.weightDecay = n;
    },
  },
  // `none` is the default, written out so a sweep can compare with and without: augment {none, flip}.
  augment: {
    example: 'augment flip',
    read: (r, v, d) => {
      const name = r.nameOf(v, 'augmentation', ['flip', 'none']);
      if (name === 'flip') d.augment = 'flip';
      else if (name === 'none') delete d.augment;
    },
  },
};
const OPTION_NAMES = Object.keys(TRAIN_OPTIONS);

/** A training stage's options, checked and defaulted: TrainSpec less what the stage's arguments say. */
export type TrainOptions = Omit<TrainSpec, 'source' | 'images' | 'fraction'>;

/** The options of stage clause `c` (read in `r`, the clause's file). */
export function trainOptions(r: Reader, c: StageClause, stage: 'pretrain' | 'train' | 'finetune'): TrainOptions {
  const d: Draft = { ...TRAIN_DEFAULTS };
  // Where each option was written, for the checks between options.
  const seen = new Map<string, Range>();
  for (const o of c.options) {
    const named = (NETWORKS as readonly string[]).includes(o.name) ? 'network' : (LOSSES as readonly string[]).includes(o.name) ? 'loss' : undefined;
    const key = named ?? o.name;
    if (seen.has(key)) {
      r.report('SX2006', o.range, `${stage} option '${key}' is given twice`, `keep one; to try several use a sweep, e.g. ${key} {a, b}`);
      continue;
    }
    seen.set(key, o.range);
    if (named) {
      if (o.value) r.report('SX2010', o.value.range, `'${o.name}' takes no value; separate options with commas`);
      if (named === 'network') d.network = o.name as Network;
      else d.loss = o.name as Loss;
      continue;
    }
    const option = Object.hasOwn(TRAIN_OPTIONS, o.name) ? TRAIN_OPTIONS[o.name]! : undefined;
    if (!option) {
      r.report('SX2011', o.nameRange, `unknown ${stage} option '${o.name}'${didYouMean(o.name, [...OPTION_NAMES, ...NETWORKS, ...LOSSES])}`, `options are ${OPTION_NAMES.join(', ')}, a network (${NETWORKS.join(', ')}) or a loss (${LOSSES.join(', ')})`);
      continue;
    }
    if (!o.value) {
      r.report('SX2010', o.range, `option '${o.name}' needs a value`, `e.g. ${option.example}`);
      continue;
    }
    option.read(r, o.value, d);
  }
  const { network, loss, epochs } = d;
  let { input, embedding, scale, momentum, warmup } = d;
  // Checks between options, once all are read (they may come in any order).
  if (scale !== undefined && loss === 'triplet' && seen.has('scale')) {
    r.report('SX2014', seen.get('scale')!, 'scale is the logit scale of arcface and cosface; the triplet loss has none', 'remove it, or use loss arcface or cosface');
    scale = undefined;
  }
  if (momentum !== undefined && d.optimizer !== 'sgd' && seen.has('momentum')) {
    r.report('SX2014', seen.get('momentum')!, `momentum is sgd's; adam keeps its own (β1 0.9)`, 'add optimizer sgd, or remove momentum');
    momentum = undefined;
  }
  // A triplet batch is P identities x K images (src/train/loop.ts, epochBatches): below 4 images it
  // holds one identity, so no triplet has a negative and nothing is learnt.
  if (loss === 'triplet' && d.batch < 4) {
    r.report('SX2014', seen.get('batch') ?? c.keywordRange, `a triplet batch of ${d.batch} image${d.batch === 1 ? '' : 's'} holds one identity: no triplet has a different person in it, so nothing is learnt`, 'use batch 4 or more (2 identities x 2 images), e.g. batch 32');
  }
  if (warmup !== undefined && warmup >= epochs && warmup > 0) {
    r.report('SX2010', seen.get('warmup')!, `warmup ${warmup} lasts the whole run of ${epochs} epoch${epochs === 1 ? '' : 's'}`, `warm up for fewer epochs than the run, e.g. warmup ${Math.max(1, Math.floor(epochs / 10))}`);
    warmup = undefined;
  }
  if (d.schedule?.type === 'step') {
    const late = d.schedule.epochs.filter((e) => e >= epochs);
    if (late.length > 0) r.report('SX2101', seen.get('schedule')!, `the step schedule's epoch${late.length > 1 ? 's' : ''} ${late.join(', ')} never lower${late.length > 1 ? '' : 's'} the rate: the run has ${epochs} epochs and a step applies after its epoch`, `use epochs below ${epochs}`);
  }
  // face-api's recogniser starts from its published weights, which fix its input and width.
  let from: NetworkSpec | undefined;
  if (network === 'face-api') {
    if (input !== undefined && input !== FACE_API_INPUT) {
      r.report('SX2014', seen.get('input')!, `face-api's recogniser reads ${FACE_API_INPUT} px crops; its weights cannot take input ${input}`, 'remove input');
      input = undefined;
    }
    if (embedding !== FACE_API_EMBEDDING) {
      r.report('SX2014', seen.get('embedding')!, `face-api's recogniser embeds to ${FACE_API_EMBEDDING} dimensions; its weights cannot give ${embedding}`, 'remove embedding');
      embedding = FACE_API_EMBEDDING;
    }
    from = faceApiSpec(r, seen.get('network')!);
  }
  // Only what differs from the defaults is written (see TrainParams), so fingerprints of
  // experiments that do not use these options stay as they were.
  return {
    network,
    loss,
    epochs,
    batch: d.batch,
    lr: d.lr,
    optimizer: d.optimizer,
    input: input ?? NETWORK_INPUT[network],
    embedding,
    margin: d.margin ?? LOSS_MARGIN[loss],
    ...(scale !== undefined && scale !== TRAIN_OPTION_DEFAULTS.scale && loss !== 'triplet' ? { scale } : {}),
    ...(d.schedule ? { schedule: d.schedule } : {}),
    ...(warmup ? { warmup } : {}),
    ...(momentum !== undefined && momentum !== TRAIN_OPTION_DEFAULTS.momentum ? { momentum } : {}),
    ...(d.weightDecay ? { weightDecay: d.weightDecay } : {}),
    ...(d.augment ? { augment: d.augment } : {}),
    ...(from ? { from } : {}),
  };
}

/** `schedule constant | cosine | step(E1, E2, ...)`; constant is no schedule. */
function schedule(r: Reader, value: Value): LrSchedule | undefined {
  const v = r.picked(value);
  if (v.type === 'error') return undefined;
  const hint = 'e.g. schedule cosine, or schedule step(8, 12) to divide the rate by 10 after epochs 8 and 12';
  if (v.type === 'call') {
    if (v.name !== 'step') {
      r.report('SX2001', v.nameRange, `unknown schedule '${v.name}(...)'${didYouMean(v.name, ['step'])}`, hint);
      return undefined;
    }
    if (v.args.length === 0) {
      r.report('SX2010', v.range, 'step() needs the epochs after which the rate drops', hint);
      return undefined;
    }
    const epochs: number[] = [];
    for (const a of v.args) {
      if (a.weight) {
        r.report('SX2010', a.range, `step() takes epochs separated by commas, not '${r.text(a)}'`, hint);
        return undefined;
      }
      const n = r.count(a.value, 'a step epoch');
      if (n === undefined) return undefined;
      if (epochs.length > 0 && n <= epochs[epochs.length - 1]!) {
        r.report('SX2010', r.picked(a.value).range, `step epochs must increase: ${n} comes after ${epochs[epochs.length - 1]}`, `write them in order, e.g. step(${[...epochs, n].sort((x, y) => x - y).filter((x, i, all) => all.indexOf(x) === i).join(', ')})`);
        return undefined;
      }
      epochs.push(n);
    }
    return { type: 'step', epochs };
  }
  if (v.type === 'name' && !v.arg && v.name === 'step') {
    r.report('SX2010', v.range, 'schedule step needs the epochs after which the rate drops', 'e.g. schedule step(8, 12)');
    return undefined;
  }
  const name = r.nameOf(v, 'schedule', SCHEDULES);
  return name === 'cosine' ? { type: 'cosine' } : undefined;
}
