import path from 'node:path';
import { closest, didYouMean, makeDiagnostic, type Code, type Diagnostic, type Range } from '../diag/index.js';
import type { Choice, ChoiceDist, Dist, Loss, LrSchedule, ModelRef, Network, RenderMap } from '../params/index.js';
import type { Clause, StageClause, StageOption, SweepValue, Value } from './ast.js';
import { FACE_API_EMBEDDING, FACE_API_INPUT, FACE_API_NORMALIZATION, NORMALIZATIONS, faceApiRecogniserManifest, modelFileKind, modelFiles, normalization, weightFiles } from '../networks/index.js';
import type { Located, ResolvedDecl } from './resolve.js';
import {
  BENCHMARKS,
  CHOICE_PARAMS,
  LOSS_MARGIN,
  NETWORK_INPUT,
  NUMERIC_PARAMS,
  RENDER_DEFAULTS,
  RENDER_MAPS,
  SETTINGS,
  TESTSET_FIRST_ID,
  TRAIN_DEFAULTS,
  TRAIN_OPTION_DEFAULTS,
  type EvalSpec,
  type ExperimentSpec,
  type NetworkSpec,
  type RenderSpec,
  type TrainSpec,
} from './spec.js';

/** What lowering needs besides the experiment: the datasets the project knows. */
export interface LowerContext {
  /** Datasets declared in synx.yaml, with their formats. */
  readonly datasets: Readonly<Record<string, 'folder' | 'lfw' | 'ijba' | 'multipie'>>;
  readonly testsets: ReadonlyMap<string, ResolvedDecl>;
  readonly sources: ReadonlyMap<string, string>;
  /** Folder relative file names are resolved against (the CLI's working folder). */
  readonly cwd: string;
}

/** Which item of each sweep this expansion takes. */
export type Pick = ReadonlyMap<SweepValue, number>;

/** One sweep of an experiment: a dimension of its expansion. */
export interface Axis {
  /** `finetune`, `pretrain.epochs`, `yaw`... (with `#2` when a clause has several sweeps). */
  readonly key: string;
  readonly sweep: SweepValue;
  readonly file: string;
  /** Each item as written, for experiment names. */
  readonly labels: readonly string[];
}

const NETWORKS: readonly Network[] = ['nn4-small', 'small', 'resnet', 'face-api'];
const LOSSES: readonly Loss[] = ['triplet', 'arcface', 'cosface'];
const TRAIN_OPTIONS = ['network', 'loss', 'epochs', 'batch', 'lr', 'optimizer', 'input', 'embedding', 'margin', 'scale', 'schedule', 'warmup', 'momentum', 'weight-decay'];
const SCHEDULES = ['constant', 'cosine', 'step'];
/** What a valueless option is told to look like. */
const OPTION_EXAMPLES: Record<string, string> = {
  network: 'network nn4-small',
  loss: 'loss arcface',
  optimizer: 'optimizer sgd',
  schedule: 'schedule cosine',
  scale: 'scale 16',
  momentum: 'momentum 0.9',
  'weight-decay': 'weight-decay 5e-4',
  warmup: 'warmup 1',
};
const EVAL_OPTIONS = ['flip', 'network', 'input', 'normalize', 'mean', 'std', 'channels'];
/** Pretrained networks known by name (the rest are files). */
const NAMED_NETWORKS = ['face-api'];
const NETWORK_HINT = 'e.g. with network face-api, or with network "arcface.onnx", input 112, normalize arcface';
const CENTER = ['none', 'facebox', 'landmarks', 'arcface'];

function sliceOf(sources: ReadonlyMap<string, string>, file: string, r: Range): string {
  return sources.get(file)?.slice(r.start.offset, r.end.offset) ?? '?';
}

/** The sweeps of an experiment's clauses, in clause order, with readable keys. */
export function sweepAxes(decl: ResolvedDecl, sources: ReadonlyMap<string, string>): Axis[] {
  const axes: Axis[] = [];
  for (const [key, { clause, file }] of decl.clauses) {
    const found: { sub: string; sweep: SweepValue }[] = [];
    const walk = (v: Value | undefined, sub: string) => {
      if (!v) return;
      if (v.type === 'sweep') found.push({ sub, sweep: v });
      else if (v.type === 'call') for (const a of v.args) (walk(a.weight, sub), walk(a.value, sub));
    };
    switch (clause.type) {
      case 'sample':
        walk(clause.ids, '.ids');
        walk(clause.imgs, '.imgs');
        break;
      case 'stage':
        for (const a of clause.args) walk(a, '');
        for (const o of clause.options) walk(o.value, `.${o.name}`);
        break;
      case 'param':
        walk(clause.value, '');
        break;
      case 'setting':
        for (const v of clause.values) walk(v, '');
        break;
    }
    const counts = new Map<string, number>();
    for (const f of found) {
      const base = `${key}${f.sub}`;
      const n = (counts.get(base) ?? 0) + 1;
      counts.set(base, n);
      axes.push({
        key: n === 1 ? base : `${base}#${n}`,
        sweep: f.sweep,
        file,
        labels: f.sweep.items.map((i) => sliceOf(sources, file, i.range)),
      });
    }
  }
  return axes;
}

/**
 * Turns one point of an experiment's sweeps into a checked, defaulted ExperimentSpec. Every
 * semantic rule of the language lives here, so `check` and `plan` can never disagree.
 */
export function lowerExperiment(
  decl: ResolvedDecl,
  pick: Pick,
  ctx: LowerContext,
  name: string,
  sweep: Readonly<Record<string, string>>,
): { spec: ExperimentSpec | undefined; diagnostics: Diagnostic[] } {
  const l = new Lowerer(pick, ctx);
  const spec = l.experiment(decl, name, sweep);
  const failed = l.diagnostics.some((d) => d.severity === 'error');
  return { spec: failed ? undefined : spec, diagnostics: l.diagnostics };
}

// Whether a sweep mixes kinds or units depends on the sweep alone, but `v` runs once per
// expansion: a 100,000-value sweep checked every time was quadratic (minutes for `plan`).
const mixedSweeps = new WeakMap<SweepValue, boolean>();

function isMixedSweep(value: SweepValue): boolean {
  let mixed = mixedSweeps.get(value);
  if (mixed === undefined) {
    const items = value.items;
    const kinds = new Set(items.map((i) => (i.type === 'call' ? `call:${i.name}` : i.type)));
    const numeric = items.every((i) => i.type === 'number' || i.type === 'call');
    const units = new Set(items.filter((i) => i.type === 'number').map((i) => (i as { unit: string }).unit));
    mixed = (kinds.size > 1 && !numeric) || units.size > 1;
    mixedSweeps.set(value, mixed);
  }
  return mixed;
}

class Lowerer {
  readonly diagnostics: Diagnostic[] = [];
  private file = '';

  constructor(
    private readonly pick: Pick,
    private readonly ctx: LowerContext,
  ) {}

  private report(code: Code, range: Range, message: string, hint?: string): void {
    this.diagnostics.push(makeDiagnostic(code, this.file, range, message, hint ? { hint } : {}));
  }

  private text(v: { range: Range }): string {
    return sliceOf(this.ctx.sources, this.file, v.range);
  }

  /** The value a sweep stands for in this expansion (or the value itself). */
  private v(value: Value): Value {
    if (value.type !== 'sweep') return value;
    const items = value.items;
    if (isMixedSweep(value)) {
      this.report(
        'SX2009',
        value.range,
        `sweep mixes values of different kinds: ${items.map((i) => this.text(i)).join(', ')}`,
        'every value of a sweep must be of one kind and unit, e.g. {10%, 50%, 100%}',
      );
    }
    return items[this.pick.get(value) ?? 0] ?? { type: 'error', range: value.range };
  }

  private at(loc: Located): Clause {
    this.file = loc.file;
    return loc.clause;
  }

  // --- scalar readers -------------------------------------------------------------------------

  private number(value: Value, what: string, units: readonly string[], unitHint: string): number | undefined {
    const v = this.v(value);
    if (v.type === 'error') return undefined;
    if (v.type !== 'number') {
      this.report('SX2010', v.range, `${what} must be a number, not '${this.text(v)}'`, unitHint);
      return undefined;
    }
    if (!units.includes(v.unit)) {
      const known = ['k', 'M', '%', 'px', 'deg'];
      const typo = closest(v.unit, known);
      const why = v.unit === '' ? 'has no unit' : known.includes(v.unit) || v.unit === 'deg' ? `is in '${v.unit}'` : `has an unknown unit '${v.unit}'${typo ? ` (did you mean '${typo}'?)` : ''}`;
      this.report('SX2002', v.range, `${what} '${v.raw}' ${why}`, unitHint);
      return undefined;
    }
    return v.value;
  }

  private count(value: Value, what: string): number | undefined {
    const n = this.number(value, what, [''], `${what} is a plain count such as 100, 10k or 1M`);
    if (n === undefined) return undefined;
    if (!(n > 0) || !Number.isInteger(n)) {
      this.report('SX2005', this.v(value).range, `${what} must be a whole number above 0, not ${this.text(this.v(value))}`, `use a count such as 100, 10k or 1M`);
      return undefined;
    }
    return n;
  }

  private fraction(value: Value, what: string, allowZero: boolean): number | undefined {
    const n = this.number(value, what, ['%'], `write ${what} as a percentage, e.g. 10%`);
    if (n === undefined) return undefined;
    if (n < 0 || n > 100 || (!allowZero && n === 0)) {
      this.report('SX2004', this.v(value).range, `${what} ${this.text(this.v(value))} is outside ${allowZero ? '0%' : '(0%'}..100%]`.replace('..100%]', '..100%'), allowZero ? 'use a value from 0% to 100%' : 'use a value above 0% and at most 100%');
      return undefined;
    }
    return n / 100;
  }

  private nameOf(value: Value, what: string, allowed: readonly string[]): string | undefined {
    const v = this.v(value);
    if (v.type === 'error') return undefined;
    if (v.type !== 'name' || v.arg) {
      this.report('SX2010', v.range, `${what} must be one of ${allowed.join(', ')}, not '${this.text(v)}'`);
      return undefined;
    }
    if (!allowed.includes(v.name)) {
      this.report('SX2001', v.range, `unknown ${what} '${v.name}'${didYouMean(v.name, allowed)}`, `choose one of ${allowed.join(', ')}`);
      return undefined;
    }
    return v.name;
  }

  // --- distributions --------------------------------------------------------------------------

  private dist(value: Value, param: string): Dist | undefined {
    const info = NUMERIC_PARAMS[param]!;
    const units = info.unit === 'deg' ? ['', 'deg'] : info.unit === 'px' ? ['', 'px'] : [''];
    const unitHint =
      info.unit === 'deg'
        ? `${param} is an angle in degrees, e.g. ${param} ~ U(-30, 30)`
        : info.unit === 'px'
          ? `${param} is in pixels`
          : info.unit === 'std'
            ? `${param} coefficients are in units of the model's standard deviation, e.g. ${param} ~ N(0, 1)`
            : `${param} is a plain number`;
    const v = this.v(value);
    if (v.type === 'error') return undefined;
    if (v.type === 'number') {
      const n = this.number(v, param, units, unitHint);
      return n === undefined ? undefined : { type: 'const', value: n };
    }
    if (v.type === 'call') {
      const fn = v.name;
      const args = v.args;
      const arity = (n: number) => {
        if (args.length !== n) {
          this.report('SX2010', v.range, `${fn}(...) takes ${n} arguments, got ${args.length}`, fn === 'U' || fn === 'uniform' ? 'U(low, high)' : 'N(mean, sd)');
          return false;
        }
        if (args.some((a) => a.weight)) {
          this.report('SX2010', v.range, `only mix(...) takes weights`);
          return false;
        }
        return true;
      };
      if (fn === 'U' || fn === 'uniform') {
        if (!arity(2)) return undefined;
        const lo = this.number(args[0]!.value, `${param}'s lower bound`, units, unitHint);
        const hi = this.number(args[1]!.value, `${param}'s upper bound`, units, unitHint);
        if (lo === undefined || hi === undefined) return undefined;
        if (lo >= hi) {
          this.report('SX2003', v.range, `U(${lo}, ${hi}) is ${lo === hi ? 'empty' : 'reversed'}: the lower bound must be below the upper`, lo === hi ? `for a fixed value write ${param} ~ ${lo}` : `write U(${hi}, ${lo})`);
          return undefined;
        }
        return { type: 'uniform', lo, hi };
      }
      if (fn === 'N' || fn === 'normal') {
        if (!arity(2)) return undefined;
        const mean = this.number(args[0]!.value, `${param}'s mean`, units, unitHint);
        const sd = this.number(args[1]!.value, `${param}'s standard deviation`, units, unitHint);
        if (mean === undefined || sd === undefined) return undefined;
        if (sd < 0) {
          this.report('SX2010', args[1]!.range, `a standard deviation cannot be negative (${sd})`, `write N(${mean}, ${-sd})`);
          return undefined;
        }
        return { type: 'normal', mean, sd };
      }
      if (fn === 'mix') {
        const parts: { weight: number; dist: Dist }[] = [];
        for (const a of args) {
          if (!a.weight) {
            this.report('SX2010', a.range, 'each part of mix(...) needs a weight before it', 'e.g. mix(0.6 U(-90, 90), 0.4 0)');
            return undefined;
          }
          const w = this.number(a.weight, 'a mixture weight', [''], 'weights are plain numbers that sum to 1');
          const d = this.dist(a.value, param);
          if (w === undefined || d === undefined) return undefined;
          if (!(w > 0)) {
            this.report('SX2010', a.weight.range, `mixture weight ${w} must be above 0`);
            return undefined;
          }
          parts.push({ weight: w, dist: d });
        }
        if (parts.length === 0) {
          this.report('SX2010', v.range, 'mix(...) needs at least one weighted part');
          return undefined;
        }
        const sum = parts.reduce((s, p) => s + p.weight, 0);
        if (Math.abs(sum - 1) > 1e-6) {
          this.report('SX2010', v.range, `mixture weights sum to ${Number(sum.toFixed(6))}, not 1`, 'make the weights add up to 1');
          return undefined;
        }
        return { type: 'mix', parts };
      }
      this.report('SX2001', v.nameRange, `unknown distribution '${fn}'${didYouMean(fn, ['U', 'N', 'mix', 'uniform', 'normal'])}`, 'distributions are U(low, high), N(mean, sd), mix(w1 D1, w2 D2, ...) or a constant');
      return undefined;
    }
    if (v.type === 'name') {
      this.report('SX2010', v.range, `${param} takes a number or a distribution, not '${v.name}'`, unitHint);
      return undefined;
    }
    this.report('SX2010', v.range, `${param} takes a number or a distribution, not a string`, unitHint);
    return undefined;
  }

  private choiceDist(value: Value, param: string): ChoiceDist | undefined {
    const choices = CHOICE_PARAMS[param]!;
    const names = Object.keys(choices);
    const one = (val: Value): Choice | undefined => {
      const v = this.v(val);
      if (v.type === 'error') return undefined;
      if (v.type !== 'name') {
        this.report('SX2010', v.range, `${param} is one of ${names.join(', ')}, not '${this.text(v)}'`);
        return undefined;
      }
      if (!(v.name in choices)) {
        this.report('SX2001', v.range, `unknown ${param} '${v.name}'${didYouMean(v.name, names)}`, `choose one of ${names.join(', ')}`);
        return undefined;
      }
      const takesArg = choices[v.name]!;
      if (takesArg && !v.arg) {
        this.report('SX2010', v.range, `${param} ${v.name} needs a folder`, `write ${param} ~ ${v.name} "path/to/folder"`);
        return undefined;
      }
      if (!takesArg && v.arg) {
        this.report('SX2010', v.arg.range, `${param} ${v.name} takes no folder`);
        return undefined;
      }
      return v.arg ? { type: 'choice', name: v.name, arg: this.resolvePath(v.arg.value) } : { type: 'choice', name: v.name };
    };
    const v = this.v(value);
    if (v.type === 'call' && v.name === 'mix') {
      const parts: { weight: number; dist: Choice }[] = [];
      for (const a of v.args) {
        if (!a.weight) {
          this.report('SX2010', a.range, 'each part of mix(...) needs a weight before it', 'e.g. mix(0.5 noise, 0.5 gradient)');
          return undefined;
        }
        const w = this.number(a.weight, 'a mixture weight', [''], 'weights are plain numbers that sum to 1');
        const c = one(a.value);
        if (w === undefined || c === undefined) return undefined;
        parts.push({ weight: w, dist: c });
      }
      const sum = parts.reduce((s, p) => s + p.weight, 0);
      if (Math.abs(sum - 1) > 1e-6) {
        this.report('SX2010', v.range, `mixture weights sum to ${Number(sum.toFixed(6))}, not 1`, 'make the weights add up to 1');
        return undefined;
      }
      return { type: 'mix', parts };
    }
    return one(v);
  }

  private resolvePath(p: string): string {
    return path.resolve(this.ctx.cwd, path.dirname(this.file), p);
  }

  private warnAngle(d: Dist, param: string, range: Range): void {
    if (param !== 'yaw' && param !== 'pitch') return;
    const extent = (x: Dist): number =>
      x.type === 'const' ? Math.abs(x.value) : x.type === 'uniform' ? Math.max(Math.abs(x.lo), Math.abs(x.hi)) : x.type === 'normal' ? Math.abs(x.mean) + 2 * x.sd : Math.max(...x.parts.map((p) => extent(p.dist)));
    const limit = 90;
    if (extent(d) > limit + 1e-9 && !(param === 'pitch' && d.type === 'normal')) {
      this.report('SX2101', range, `${param} beyond ±90° ${param === 'yaw' ? 'shows the back of the head' : 'turns the face upside down'}`, `keep ${param} within -90..90`);
    }
  }

  // --- clauses --------------------------------------------------------------------------------

  private render(clauses: ReadonlyMap<string, Located>, testset: boolean): RenderSpec | undefined {
    const sampleLoc = clauses.get('sample');
    if (!sampleLoc) return undefined;
    const sample = this.at(sampleLoc) as Extract<Clause, { type: 'sample' }>;
    const ids = this.count(sample.ids, 'the number of identities');
    const imgs = sample.imgs ? this.count(sample.imgs, 'the number of images per identity') : undefined;
    const pose: Record<string, Dist> = { ...RENDER_DEFAULTS.pose };
    const coeffs: Record<string, Dist> = { ...RENDER_DEFAULTS.coeffs };
    const post: Record<string, Dist> = { ...RENDER_DEFAULTS.post };
    let illumination: ChoiceDist = RENDER_DEFAULTS.illumination;
    let background: ChoiceDist = RENDER_DEFAULTS.background;
    let size: number = RENDER_DEFAULTS.size;
    let model: ModelRef = { kind: 'builtin' };
    let dims: { shape: number; color: number; expression: number } = { ...RENDER_DEFAULTS.dims };
    let center: RenderSpec['center'] = RENDER_DEFAULTS.center;
    let maps: RenderMap[] = [];
    for (const loc of clauses.values()) {
      const c = this.at(loc);
      if (c.type === 'param') {
        if (c.name in NUMERIC_PARAMS) {
          const d = this.dist(c.value, c.name);
          if (d) {
            this.warnAngle(d, c.name, c.value.range);
            const group = NUMERIC_PARAMS[c.name]!.group;
            (group === 'pose' ? pose : group === 'coeffs' ? coeffs : post)[c.name] = d;
          }
        } else if (c.name in CHOICE_PARAMS) {
          const d = this.choiceDist(c.value, c.name);
          if (d) {
            if (c.name === 'illumination') illumination = d;
            else background = d;
          }
        }
      } else if (c.type === 'setting') {
        if (c.name === 'image') {
          const v = this.single(c);
          const n = v && this.number(v, 'image size', ['px', ''], 'write the image size in pixels, e.g. image 112px');
          if (n !== undefined && n !== null) {
            if (!Number.isInteger(n) || n < 16 || n > 1024) this.report('SX2010', v!.range, `image size ${n}px must be a whole number from 16 to 1024`);
            else size = n;
          }
        } else if (c.name === 'model') {
          const v = this.single(c);
          const m = v && this.v(v);
          if (m && m.type === 'string') {
            model = { kind: 'bfm', path: this.resolvePath(m.value) };
            if (!/\.(h5|hdf5)$/i.test(m.value)) this.report('SX2101', m.range, `'${m.value}' does not look like a Basel Face Model file (.h5)`);
          } else if (m && m.type === 'name' && m.name === 'builtin') model = { kind: 'builtin' };
          else if (m && m.type === 'name' && m.name === 'procedural') model = { kind: 'procedural' };
          else if (m && m.type !== 'error') this.report('SX2010', m.range, `model is 'builtin', 'procedural' or the path of a BFM 2017 file in quotes, not '${this.text(m)}'`, 'e.g. model "model2017-1_face12_nomouth.h5"');
        } else if (c.name === 'dims') {
          dims = this.dims(c, dims);
        } else if (c.name === 'center') {
          const v = this.single(c);
          const n = v && this.nameOf(v, 'centring', CENTER);
          if (n) center = n as RenderSpec['center'];
        } else if (c.name === 'maps') {
          maps = this.maps(c);
        }
      }
    }
    if (ids === undefined || (sample.imgs && imgs === undefined)) return undefined;
    return {
      model,
      seed: this.seed(clauses) ?? RENDER_DEFAULTS.seed,
      firstId: testset ? TESTSET_FIRST_ID : 0,
      ids,
      imgsPerId: imgs ?? 0,
      size,
      dims,
      pose: pose as RenderSpec['pose'],
      coeffs: coeffs as RenderSpec['coeffs'],
      illumination,
      background,
      post: post as RenderSpec['post'],
      center,
      // Only when asked for: renders without maps keep the fingerprints they always had.
      ...(maps.length > 0 ? { maps } : {}),
    };
  }

  /** `maps depth, normal`: the maps asked for, in the order a shard stores them. */
  private maps(c: Extract<Clause, { type: 'setting' }>): RenderMap[] {
    if (c.values.length === 0) {
      this.report('SX2010', c.range, `maps needs at least one of ${RENDER_MAPS.join(', ')}`, 'e.g. maps depth, normal');
      return [];
    }
    const asked = new Set<string>();
    for (const v of c.values) {
      const n = this.nameOf(v, 'map', RENDER_MAPS);
      if (n === undefined) continue;
      if (asked.has(n)) this.report('SX2101', this.v(v).range, `map '${n}' is listed twice`, 'list each map once');
      asked.add(n);
    }
    return RENDER_MAPS.filter((m) => asked.has(m));
  }

  private single(c: Extract<Clause, { type: 'setting' }>): Value | undefined {
    if (c.values.length !== 1) {
      const extra = c.values.length > 1;
      this.report('SX2010', extra ? c.values[1]!.range : c.range, extra ? `${c.name} takes one value; a comma or a new line may be missing before '${this.text(c.values[1]!)}'` : `${c.name} needs a value`, extra ? 'separate clauses with commas or new lines' : undefined);
      return c.values.length > 1 ? c.values[0] : undefined;
    }
    return c.values[0];
  }

  private seed(clauses: ReadonlyMap<string, Located>): number | undefined {
    const loc = clauses.get('seed');
    if (!loc) return undefined;
    const c = this.at(loc) as Extract<Clause, { type: 'setting' }>;
    const v = this.single(c);
    if (!v) return undefined;
    const n = this.number(v, 'seed', [''], 'a seed is a whole number, e.g. seed 1988');
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
      this.report('SX2010', this.v(v).range, `seed must be a whole number from 0 to 4294967295, not ${this.text(this.v(v))}`);
      return undefined;
    }
    return n;
  }

  private dims(c: Extract<Clause, { type: 'setting' }>, current: { shape: number; color: number; expression: number }) {
    const out = { ...current };
    const parts = ['shape', 'color', 'expression'] as const;
    const vals = c.values;
    if (vals.length === 0 || vals.length % 2 !== 0) {
      this.report('SX2010', c.range, 'dims takes pairs of a part and a number of components', 'e.g. dims shape 80 color 80 expression 30');
      return out;
    }
    for (let i = 0; i < vals.length; i += 2) {
      const part = this.nameOf(vals[i]!, 'model part', parts);
      const nv = this.v(vals[i + 1]!);
      const n = this.number(nv, 'a number of components', [''], 'e.g. dims shape 80');
      if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
        this.report('SX2005', nv.range, `a number of components must be a whole number, 0 or more`);
        continue;
      }
      if (part && n !== undefined) out[part as (typeof parts)[number]] = n;
    }
    return out;
  }

  private options(c: StageClause, seedStage: 'pretrain' | 'train' | 'finetune') {
    let network = TRAIN_DEFAULTS.network;
    let loss = TRAIN_DEFAULTS.loss;
    let epochs = TRAIN_DEFAULTS.epochs;
    let batch = TRAIN_DEFAULTS.batch;
    let lr = TRAIN_DEFAULTS.lr;
    let optimizer: 'adam' | 'sgd' = TRAIN_DEFAULTS.optimizer;
    let input: number | undefined;
    let embedding = TRAIN_DEFAULTS.embedding;
    let margin: number | undefined;
    let scale: number | undefined;
    let schedule: LrSchedule | undefined;
    let warmup: number | undefined;
    let momentum: number | undefined;
    let weightDecay: number | undefined;
    const seen = new Map<string, Range>();
    for (const o of c.options) {
      const key = (NETWORKS as readonly string[]).includes(o.name) ? 'network' : (LOSSES as readonly string[]).includes(o.name) ? 'loss' : o.name;
      if (seen.has(key)) {
        this.report('SX2006', o.range, `${seedStage} option '${key}' is given twice`, `keep one; to try several use a sweep, e.g. ${key} {a, b}`);
        continue;
      }
      seen.set(key, o.range);
      if ((NETWORKS as readonly string[]).includes(o.name) || (LOSSES as readonly string[]).includes(o.name)) {
        if (o.value) this.report('SX2010', o.value.range, `'${o.name}' takes no value; separate options with commas`);
        if (key === 'network') network = o.name as Network;
        else loss = o.name as Loss;
        continue;
      }
      if (!TRAIN_OPTIONS.includes(o.name)) {
        this.report('SX2011', o.nameRange, `unknown ${seedStage} option '${o.name}'${didYouMean(o.name, [...TRAIN_OPTIONS, ...NETWORKS, ...LOSSES])}`, `options are ${TRAIN_OPTIONS.join(', ')}, a network (${NETWORKS.join(', ')}) or a loss (${LOSSES.join(', ')})`);
        continue;
      }
      if (!o.value) {
        this.report('SX2010', o.range, `option '${o.name}' needs a value`, `e.g. ${OPTION_EXAMPLES[o.name] ?? `${o.name} 10`}`);
        continue;
      }
      switch (o.name) {
        case 'network':
          network = (this.nameOf(o.value, 'network', NETWORKS) as Network | undefined) ?? network;
          break;
        case 'loss':
          loss = (this.nameOf(o.value, 'loss', LOSSES) as Loss | undefined) ?? loss;
          break;
        case 'optimizer':
          optimizer = (this.nameOf(o.value, 'optimizer', ['adam', 'sgd']) as 'adam' | 'sgd' | undefined) ?? optimizer;
          break;
        case 'epochs':
          epochs = this.count(o.value, 'epochs') ?? epochs;
          break;
        case 'batch':
          batch = this.count(o.value, 'batch size') ?? batch;
          break;
        case 'embedding':
          embedding = this.count(o.value, 'embedding size') ?? embedding;
          break;
        case 'input': {
          const n = this.number(o.value, 'input size', ['px', ''], 'e.g. input 96px');
          if (n !== undefined) input = n;
          break;
        }
        case 'lr': {
          const n = this.number(o.value, 'learning rate', [''], 'e.g. lr 0.001');
          if (n !== undefined && !(n > 0)) this.report('SX2010', this.v(o.value).range, 'the learning rate must be above 0');
          else if (n !== undefined) lr = n;
          break;
        }
        case 'margin': {
          const n = this.number(o.value, 'margin', [''], 'e.g. margin 0.2');
          if (n !== undefined && !(n >= 0)) this.report('SX2010', this.v(o.value).range, 'the margin cannot be negative');
          else if (n !== undefined) margin = n;
          break;
        }
        case 'scale': {
          const n = this.number(o.value, 'the logit scale', [''], 'e.g. scale 16');
          if (n !== undefined && !(n > 0)) this.report('SX2010', this.v(o.value).range, `the logit scale must be above 0, not ${this.text(this.v(o.value))}`, 'the default is 30; the ArcFace paper uses 64 for 85k identities');
          else if (n !== undefined) scale = n;
          break;
        }
        case 'schedule':
          schedule = this.schedule(o.value) ?? schedule;
          break;
        case 'warmup': {
          const n = this.number(o.value, 'warmup', [''], 'warmup is a number of epochs, e.g. warmup 1');
          if (n !== undefined && !(n >= 0)) this.report('SX2010', this.v(o.value).range, `warmup is a number of epochs, 0 or more, not ${this.text(this.v(o.value))}`);
          else if (n !== undefined) warmup = n;
          break;
        }
        case 'momentum': {
          const n = this.number(o.value, 'momentum', [''], 'e.g. momentum 0.9');
          if (n !== undefined && !(n >= 0 && n < 1)) this.report('SX2010', this.v(o.value).range, `momentum must be from 0 up to (not including) 1, not ${this.text(this.v(o.value))}`, 'the usual value is 0.9');
          else if (n !== undefined) momentum = n;
          break;
        }
        case 'weight-decay': {
          const n = this.number(o.value, 'weight decay', [''], 'e.g. weight-decay 5e-4');
          if (n !== undefined && !(n >= 0)) this.report('SX2010', this.v(o.value).range, `weight decay cannot be negative (${this.text(this.v(o.value))})`);
          else if (n !== undefined && n >= 0.1) this.report('SX2101', this.v(o.value).range, `weight decay ${this.text(this.v(o.value))} is very strong: it pulls the weights towards 0 faster than most gradients move them`, 'face recognition networks use about 5e-4');
          if (n !== undefined && n >= 0) weightDecay = n;
          break;
        }
      }
    }
    // Checks between options, once all are read (they may come in any order).
    if (scale !== undefined && loss === 'triplet' && seen.has('scale')) {
      this.report('SX2014', seen.get('scale')!, 'scale is the logit scale of arcface and cosface; the triplet loss has none', 'remove it, or use loss arcface or cosface');
      scale = undefined;
    }
    if (momentum !== undefined && optimizer !== 'sgd' && seen.has('momentum')) {
      this.report('SX2014', seen.get('momentum')!, `momentum is sgd's; adam keeps its own (β1 0.9)`, 'add optimizer sgd, or remove momentum');
      momentum = undefined;
    }
    if (warmup !== undefined && warmup >= epochs && warmup > 0) {
      this.report('SX2010', seen.get('warmup')!, `warmup ${warmup} lasts the whole run of ${epochs} epoch${epochs === 1 ? '' : 's'}`, `warm up for fewer epochs than the run, e.g. warmup ${Math.max(1, Math.floor(epochs / 10))}`);
      warmup = undefined;
    }
    if (schedule?.type === 'step') {
      const late = schedule.epochs.filter((e) => e >= epochs);
      if (late.length > 0) this.report('SX2101', seen.get('schedule')!, `the step schedule's epoch${late.length > 1 ? 's' : ''} ${late.join(', ')} never lower${late.length > 1 ? '' : 's'} the rate: the run has ${epochs} epochs and a step applies after its epoch`, `use epochs below ${epochs}`);
    }
    // face-api's recogniser starts from its published weights, which fix its input and width.
    let from: NetworkSpec | undefined;
    if (network === 'face-api') {
      if (input !== undefined && input !== FACE_API_INPUT) {
        this.report('SX2014', seen.get('input')!, `face-api's recogniser reads ${FACE_API_INPUT} px crops; its weights cannot take input ${input}`, 'remove input');
        input = undefined;
      }
      if (embedding !== FACE_API_EMBEDDING) {
        this.report('SX2014', seen.get('embedding')!, `face-api's recogniser embeds to ${FACE_API_EMBEDDING} dimensions; its weights cannot give ${embedding}`, 'remove embedding');
        embedding = FACE_API_EMBEDDING;
      }
      from = this.faceApiSpec(seen.get('network')!);
    }
    // Only what differs from the defaults is written (see TrainParams), so fingerprints of
    // experiments that do not use these options stay as they were.
    return {
      network,
      loss,
      epochs,
      batch,
      lr,
      optimizer,
      input: input ?? NETWORK_INPUT[network],
      embedding,
      margin: margin ?? LOSS_MARGIN[loss],
      ...(scale !== undefined && scale !== TRAIN_OPTION_DEFAULTS.scale && loss !== 'triplet' ? { scale } : {}),
      ...(schedule ? { schedule } : {}),
      ...(warmup ? { warmup } : {}),
      ...(momentum !== undefined && momentum !== TRAIN_OPTION_DEFAULTS.momentum ? { momentum } : {}),
      ...(weightDecay ? { weightDecay } : {}),
      ...(from ? { from } : {}),
    };
  }

  /** face-api's recogniser as a checked network (its weight files listed), or undefined (reported at `range`). */
  private faceApiSpec(range: Range): NetworkSpec | undefined {
    const manifest = faceApiRecogniserManifest();
    const listed = weightFiles(manifest);
    if ('problem' in listed) {
      this.report('SX5003', range, `face-api's recogniser weights cannot be read: ${listed.problem}`, 'reinstall @vladmandic/face-api (npm install)');
      return undefined;
    }
    return { kind: 'face-api', file: 'face-api', path: manifest, files: listed.files, input: FACE_API_INPUT, mean: FACE_API_NORMALIZATION.mean, std: FACE_API_NORMALIZATION.std, channels: 'rgb' };
  }

  /** `schedule constant | cosine | step(E1, E2, ...)`; constant is no schedule. */
  private schedule(value: Value): LrSchedule | undefined {
    const v = this.v(value);
    if (v.type === 'error') return undefined;
    const hint = 'e.g. schedule cosine, or schedule step(8, 12) to divide the rate by 10 after epochs 8 and 12';
    if (v.type === 'call') {
      if (v.name !== 'step') {
        this.report('SX2001', v.nameRange, `unknown schedule '${v.name}(...)'${didYouMean(v.name, ['step'])}`, hint);
        return undefined;
      }
      if (v.args.length === 0) {
        this.report('SX2010', v.range, 'step() needs the epochs after which the rate drops', hint);
        return undefined;
      }
      const epochs: number[] = [];
      for (const a of v.args) {
        if (a.weight) {
          this.report('SX2010', a.range, `step() takes epochs separated by commas, not '${this.text(a)}'`, hint);
          return undefined;
        }
        const n = this.count(a.value, 'a step epoch');
        if (n === undefined) return undefined;
        if (epochs.length > 0 && n <= epochs[epochs.length - 1]!) {
          this.report('SX2010', this.v(a.value).range, `step epochs must increase: ${n} comes after ${epochs[epochs.length - 1]}`, `write them in order, e.g. step(${[...epochs, n].sort((x, y) => x - y).filter((x, i, all) => all.indexOf(x) === i).join(', ')})`);
          return undefined;
        }
        epochs.push(n);
      }
      return { type: 'step', epochs };
    }
    if (v.type === 'name' && !v.arg && v.name === 'step') {
      this.report('SX2010', v.range, 'schedule step needs the epochs after which the rate drops', 'e.g. schedule step(8, 12)');
      return undefined;
    }
    const name = this.nameOf(v, 'schedule', SCHEDULES);
    return name === 'cosine' ? { type: 'cosine' } : undefined;
  }

  private knownDatasets(): string[] {
    return [...Object.keys(BENCHMARKS), ...Object.keys(this.ctx.datasets), ...this.ctx.testsets.keys()];
  }

  private dataset(value: Value, what: string): string | undefined {
    const v = this.v(value);
    if (v.type === 'error') return undefined;
    if (v.type !== 'name' || v.arg) {
      this.report('SX2010', v.range, `${what} must be a dataset name, not '${this.text(v)}'`, `datasets are ${this.knownDatasets().join(', ')}`);
      return undefined;
    }
    if (what !== 'eval' && this.ctx.testsets.has(v.name)) {
      this.report('SX2010', v.range, `'${v.name}' is a test set; test sets are for eval only`, `train on the sampled faces (pretrain N) or on a real dataset`);
      return undefined;
    }
    if (!this.knownDatasets().includes(v.name)) {
      this.report('SX2008', v.range, `unknown dataset '${v.name}'${didYouMean(v.name, this.knownDatasets())}`, 'use a standard benchmark (casia, vggface2, lfw, ijba, multipie), a dataset declared in synx.yaml, or a testset declared in this file');
      return undefined;
    }
    return v.name;
  }

  private stage(loc: Located | undefined, render: RenderSpec | undefined, renderFixed: { imgs: boolean }): TrainSpec | undefined {
    if (!loc) return undefined;
    const c = this.at(loc) as StageClause;
    const stage = c.stage as 'pretrain' | 'train' | 'finetune';
    const opts = this.options(c, stage);
    const args = c.args;
    if (stage === 'pretrain') {
      if (args.length > 1) this.report('SX2010', args[1]!.range, `pretrain takes one argument (a number of images or a dataset); a comma may be missing`);
      const a = args[0] ? this.v(args[0]) : undefined;
      if (a && a.type === 'name') {
        const ds = this.dataset(a, 'pretrain');
        return ds ? { source: { kind: 'dataset', dataset: ds }, images: null, fraction: 1, ...opts } : undefined;
      }
      if (!render) {
        this.report('SX2015', c.keywordRange, 'pretrain trains on synthetic faces, but nothing is sampled', 'add `sample N ids` (e.g. sample 10k ids) or pretrain on a dataset: pretrain casia');
        return undefined;
      }
      const images = a ? this.count(a, 'the number of pretraining images') : undefined;
      if (a && images === undefined) return undefined;
      if (images !== undefined && renderFixed.imgs && images > render.ids * render.imgsPerId) {
        this.report('SX2010', a!.range, `pretrain ${this.text(a!)} needs ${images} images but sample makes ${render.ids} x ${render.imgsPerId} = ${render.ids * render.imgsPerId}`, 'sample more images per identity, or pretrain on fewer');
        return undefined;
      }
      return { source: { kind: 'synthetic' }, images: images ?? null, fraction: 1, ...opts };
    }
    // train and finetune: DATASET [FRACTION]
    if (args.length === 0) {
      this.report('SX2015', c.keywordRange, `${stage} needs a dataset${stage === 'finetune' ? ' and a fraction' : ''}`, stage === 'finetune' ? 'e.g. finetune casia 10%' : 'e.g. train casia 50%');
      return undefined;
    }
    if (args.length > 2) this.report('SX2010', args[2]!.range, `${stage} takes a dataset and a fraction; a comma may be missing`);
    const ds = this.dataset(args[0]!, stage);
    let fraction: number | undefined = 1;
    if (args[1]) fraction = this.fraction(args[1], `the fraction of ${ds ?? 'the dataset'}`, stage === 'finetune');
    else if (stage === 'finetune') {
      this.report('SX2015', c.range, 'finetune needs the fraction of the dataset to use', 'e.g. finetune casia 10%');
      return undefined;
    }
    if (!ds || fraction === undefined) return undefined;
    return { source: { kind: 'dataset', dataset: ds }, images: null, fraction, ...opts };
  }

  /**
   * The pretrained network of an eval's options (`network face-api`, or `network "m.onnx",
   * input 112, normalize arcface, channels bgr`): undefined when there is none, null when it is
   * wrong (reported).
   */
  private network(options: readonly StageOption[]): NetworkSpec | undefined | null {
    const opt = (name: string) => options.find((o) => o.name === name);
    const net = opt('network');
    const extras = ['input', 'normalize', 'mean', 'std', 'channels'].map(opt).filter((o): o is StageOption => o !== undefined);
    if (!net) {
      for (const o of extras) this.report('SX2014', o.nameRange, `${o.name} describes a pretrained network's input, but the eval has no network option`, NETWORK_HINT);
      return extras.length > 0 ? null : undefined;
    }
    if (!net.value) {
      this.report('SX2010', net.nameRange, 'network needs a pretrained network: face-api or the path of a model file in quotes', NETWORK_HINT);
      return null;
    }
    const v = this.v(net.value);
    if (v.type === 'error') return null;
    if (v.type === 'name' && !v.arg) {
      if (!NAMED_NETWORKS.includes(v.name)) {
        this.report('SX2001', v.range, `unknown network '${v.name}'${didYouMean(v.name, NAMED_NETWORKS)}`, `pretrained networks are ${NAMED_NETWORKS.join(', ')}, or a model file in quotes ("model.json", "model.onnx")`);
        return null;
      }
      // face-api's recogniser fixes its input and normalisation: nothing to declare.
      for (const o of extras) this.report('SX2014', o.nameRange, `face-api's recogniser reads ${FACE_API_INPUT} px crops normalised its own way; ${o.name} cannot change that`, 'remove it');
      if (extras.length > 0) return null;
      return this.faceApiSpec(v.range) ?? null;
    }
    if (v.type !== 'string') {
      this.report('SX2010', v.range, `network is face-api or the path of a model file in quotes, not '${this.text(v)}'`, NETWORK_HINT);
      return null;
    }
    const kind = modelFileKind(v.value);
    if (!kind) {
      this.report('SX5003', v.range, `'${v.value}' is neither a TensorFlow.js model (model.json) nor an ONNX model (.onnx)`, 'give the model.json of a tfjs graph or layers model, or a .onnx file');
      return null;
    }
    const file = this.resolvePath(v.value);
    const listed = modelFiles(file);
    if ('problem' in listed) {
      this.report('SX5003', v.range, `network '${v.value}': ${listed.problem.replace(file, 'the file')}`, 'paths are relative to the .synexp file');
      return null;
    }
    let failed = false;
    let input = 0;
    const inputOpt = opt('input');
    if (inputOpt) {
      const n = inputOpt.value ? this.count(inputOpt.value, 'the network input size') : undefined;
      if (!inputOpt.value) this.report('SX2010', inputOpt.nameRange, 'input needs the size in pixels of the square images the network reads', 'e.g. input 112');
      if (n === undefined) failed = true;
      else input = n;
    }
    const normOpt = opt('normalize');
    const meanOpt = opt('mean');
    const stdOpt = opt('std');
    let mean: [number, number, number] | undefined;
    let std: [number, number, number] | undefined;
    const normHint = `write normalize ${Object.keys(NORMALIZATIONS).join('|')}, or mean M, std S (of 0..255 pixels); see the README's Pretrained networks`;
    if (normOpt) {
      if (meanOpt || stdOpt) {
        this.report('SX2014', (meanOpt ?? stdOpt)!.nameRange, 'give either normalize or mean and std, not both', normHint);
        failed = true;
      }
      const name = normOpt.value ? this.nameOf(normOpt.value, 'normalisation', Object.keys(NORMALIZATIONS)) : undefined;
      if (!normOpt.value) this.report('SX2010', normOpt.nameRange, 'normalize needs the name of a normalisation', normHint);
      if (name === undefined) failed = true;
      else ({ mean, std } = normalization(name)!);
    } else if (meanOpt || stdOpt) {
      const read = (o: StageOption | undefined, what: string, fallback: number): number | undefined => {
        if (!o) return fallback;
        if (!o.value) {
          this.report('SX2010', o.nameRange, `${what} needs a number`, normHint);
          return undefined;
        }
        return this.number(o.value, what, [''], normHint);
      };
      const m = read(meanOpt, 'mean', 0);
      const sd = read(stdOpt, 'std', 1);
      if (sd !== undefined && !(sd > 0)) {
        this.report('SX2010', this.v(stdOpt!.value!).range, `std must be above 0, not ${sd}`, normHint);
        failed = true;
      } else if (m === undefined || sd === undefined) failed = true;
      else [mean, std] = [[m, m, m], [sd, sd, sd]];
    } else {
      // A silent default would evaluate a network on pixels it never saw, and look merely bad.
      this.report('SX2015', v.range, `network '${v.value}': say how it expects its pixels`, normHint);
      failed = true;
    }
    let channels: 'rgb' | 'bgr' = 'rgb';
    const chOpt = opt('channels');
    if (chOpt) {
      const c = chOpt.value ? this.nameOf(chOpt.value, 'channel order', ['rgb', 'bgr']) : undefined;
      if (!chOpt.value) this.report('SX2010', chOpt.nameRange, 'channels needs the colour order the network reads', 'channels rgb or channels bgr');
      if (c === undefined) failed = true;
      else channels = c as 'rgb' | 'bgr';
    }
    if (failed || !mean || !std) return null;
    return { kind, file: v.value, path: file, files: listed.files, input, mean, std, channels };
  }

  private evals(loc: Located | undefined): EvalSpec[] {
    if (!loc) return [];
    const c = this.at(loc) as StageClause;
    let flip = false;
    for (const o of c.options) {
      if (o.name === 'flip') flip = true;
      else if (!EVAL_OPTIONS.includes(o.name)) this.report('SX2011', o.nameRange, `unknown eval option '${o.name}'${didYouMean(o.name, EVAL_OPTIONS)}`, 'eval takes the options flip (add the embedding of the mirrored image) and network (evaluate a pretrained network)');
    }
    const network = this.network(c.options);
    if (network === null) return [];
    if (c.args.length === 0) {
      this.report('SX2015', c.keywordRange, 'eval needs at least one dataset', 'e.g. eval lfw, ijba, multipie');
      return [];
    }
    const out: EvalSpec[] = [];
    const seen = new Set<string>();
    for (const a of c.args) {
      const evalFile = this.file;
      const ds = this.dataset(a, 'eval');
      if (!ds) continue;
      if (seen.has(ds)) {
        this.report('SX2006', this.v(a).range, `dataset '${ds}' is evaluated twice`);
        continue;
      }
      seen.add(ds);
      const testset = this.ctx.testsets.get(ds);
      if (testset) {
        if (sweepAxes(testset, this.ctx.sources).length > 0) {
          this.file = testset.file;
          this.report('SX2009', testset.nameRange, `test set '${ds}' has a sweep; test sets must be fixed so results compare`, 'move the sweep into the experiment');
          this.file = evalFile;
          continue;
        }
        const r = this.render(testset.clauses, true);
        this.file = evalFile;
        if (!r) {
          if (!testset.clauses.has('sample')) {
            this.file = testset.file;
            this.report('SX2015', testset.nameRange, `test set '${ds}' samples nothing`, 'add e.g. `sample 100 ids x 10 imgs`');
            this.file = evalFile;
          }
          continue;
        }
        out.push({ dataset: ds, protocol: 'synthetic', flip, ...(network ? { network } : {}), testset: { ...r, imgsPerId: r.imgsPerId || RENDER_DEFAULTS.imgsPerId } });
        continue;
      }
      const format = this.ctx.datasets[ds] ?? BENCHMARKS[ds];
      if (format === 'folder' || format === undefined) {
        this.report('SX2010', this.v(a).range, `'${ds}' is a training set (image folders) and has no evaluation protocol`, 'evaluate on lfw, ijba, multipie, a testset, or a synx.yaml dataset of format lfw, ijba or multipie');
        continue;
      }
      out.push({ dataset: ds, protocol: format, flip, ...(network ? { network } : {}) });
    }
    return out;
  }

  experiment(decl: ResolvedDecl, name: string, sweep: Readonly<Record<string, string>>): ExperimentSpec {
    // Unknown clause names first, so a typo gets "did you mean" rather than a confusing default.
    for (const loc of decl.clauses.values()) {
      const c = this.at(loc);
      if (c.type === 'param' && !(c.name in NUMERIC_PARAMS) && !(c.name in CHOICE_PARAMS)) {
        const all = [...Object.keys(NUMERIC_PARAMS), ...Object.keys(CHOICE_PARAMS)];
        this.report('SX2001', c.nameRange, `unknown parameter '${c.name}'${didYouMean(c.name, all)}`, `parameters with ~ are ${all.join(', ')}`);
      } else if (c.type === 'setting' && !(SETTINGS as readonly string[]).includes(c.name)) {
        const all = [...SETTINGS, 'sample', 'pretrain', 'train', 'finetune', 'eval'];
        const param = c.name in NUMERIC_PARAMS || c.name in CHOICE_PARAMS;
        this.report('SX2001', c.nameRange, param ? `'${c.name}' is a parameter: give it a distribution with ~` : `unknown clause '${c.name}'${didYouMean(c.name, all)}`, param ? `e.g. ${c.name} ~ ${c.name in CHOICE_PARAMS ? Object.keys(CHOICE_PARAMS[c.name]!)[0] : 'U(-30, 30)'}` : `clauses are ${all.join(', ')}, or NAME ~ DISTRIBUTION`);
      }
    }
    const sampleLoc = decl.clauses.get('sample');
    const sampleClause = sampleLoc?.clause as Extract<Clause, { type: 'sample' }> | undefined;
    let render = this.render(decl.clauses, decl.kind === 'testset');
    const seed = this.seed(decl.clauses) ?? RENDER_DEFAULTS.seed;
    const pretrain = this.stage(decl.clauses.get('pretrain'), render, { imgs: Boolean(sampleClause?.imgs) });
    const train = this.stage(decl.clauses.get('train'), render, { imgs: true });
    const finetune = this.stage(decl.clauses.get('finetune'), render, { imgs: true });
    const evals = this.evals(decl.clauses.get('eval'));

    // Images per identity: as written, else what `pretrain N` implies, else the default.
    if (render && render.imgsPerId === 0) {
      const wanted = pretrain?.source.kind === 'synthetic' ? pretrain.images : null;
      render = { ...render, imgsPerId: wanted ? Math.ceil(wanted / render.ids) : RENDER_DEFAULTS.imgsPerId };
    }
    // `pretrain N` on exactly the N images sampled is `pretrain` on all of them: one fingerprint
    // for one piece of work, however it was written.
    const pretrainAll =
      pretrain && render && pretrain.source.kind === 'synthetic' && pretrain.images === render.ids * render.imgsPerId
        ? { ...pretrain, images: null }
        : pretrain;

    const ft = decl.clauses.get('finetune');
    const tr = decl.clauses.get('train');
    const pt = decl.clauses.get('pretrain');
    // A finetune continues the pretrained network: without options of its own it takes the
    // pretrain's network, input size and embedding (a default `nn4-small` after `pretrain with
    // small` would only fail once the pretrain had run); a different network written out is an
    // error now, not after the pretrain.
    let finetuneSpec = finetune;
    if (finetune && pretrain && ft) {
      const ftOptions = (ft.clause as StageClause).options;
      const netOpt = ftOptions.find((o) => o.name === 'network' || (NETWORKS as readonly string[]).includes(o.name));
      const says = (name: string) => ftOptions.some((o) => o.name === name);
      if (netOpt && finetune.network !== pretrain.network) {
        this.at(ft);
        this.report('SX2014', netOpt.nameRange, `finetune trains ${finetune.network}, but the pretrain trained ${pretrain.network}: a finetune continues the pretrained network`, `drop the finetune's network (it takes the pretrain's), or pretrain with ${finetune.network}`);
      } else {
        finetuneSpec = {
          ...finetune,
          network: pretrain.network,
          ...(says('input') ? {} : { input: pretrain.input }),
          ...(says('embedding') ? {} : { embedding: pretrain.embedding }),
        };
      }
    }
    if (ft && !pt && !(finetune?.network === 'face-api')) {
      this.at(ft);
      this.report('SX2007', (ft.clause as StageClause).keywordRange, 'finetune has nothing to fine-tune: there is no pretrain', 'add `pretrain N` before it, fine-tune a pretrained network (finetune casia 10% with network face-api), or use `train DATASET FRACTION` for a real-only baseline');
    }
    if (tr && pt) {
      this.at(tr);
      this.report('SX2014', (tr.clause as StageClause).keywordRange, 'train (a real-only baseline) and pretrain cannot be in one experiment', 'to continue from the pretrained network use `finetune DATASET FRACTION`; for a baseline write a separate experiment');
    }
    const ev = decl.clauses.get('eval');
    const pretrained = ev ? (ev.clause as StageClause).options.some((o) => o.name === 'network') : false;
    if (ev && pretrained && (pt || tr || ft)) {
      this.at(ev);
      const opt = (ev.clause as StageClause).options.find((o) => o.name === 'network')!;
      this.report('SX2014', opt.nameRange, 'eval with network evaluates a pretrained network, but this experiment also trains one', 'evaluate the trained network in an experiment without `with network`, and the pretrained one in its own experiment');
    }
    if (ev && !pt && !tr && !ft && !pretrained) {
      this.at(ev);
      this.report('SX2007', (ev.clause as StageClause).keywordRange, 'eval has no trained network to evaluate', 'add pretrain, train or finetune');
    }
    if (!sampleLoc && !pt && !tr && !ft && !ev && decl.kind === 'experiment') {
      this.file = decl.file;
      this.report('SX3002', decl.nameRange, `experiment '${decl.name}' does nothing`, 'sample faces (sample 1k ids) or train a network');
    }
    return {
      name,
      base: decl.name,
      sweep,
      seed,
      ...(render ? { render } : {}),
      ...(pretrainAll ? { pretrain: pretrainAll } : {}),
      ...(train ? { train } : {}),
      ...(finetuneSpec && finetuneSpec.fraction > 0 ? { finetune: finetuneSpec } : {}),
      evals,
    };
  }
}
