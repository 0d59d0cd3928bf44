// Distributions of rendering parameters: `yaw ~ U(-30, 30)`, `pitch ~ N(0, 10)`, `mix(0.6 ..., 0.4 ...)`,
// a constant, or a named choice (`background ~ folder "bg"`), checked and turned into the Dist and
// ChoiceDist values the renderer samples from.
import { didYouMean, type Range } from '../../diag/index.js';
import type { Choice, ChoiceDist, Dist } from '../../params/index.js';
import type { CallValue, Value } from '../ast.js';
import { CHOICE_PARAMS, NUMERIC_PARAMS } from '../spec.js';
import type { Reader } from './values.js';

/** The distribution of numeric parameter `param` (a key of NUMERIC_PARAMS). */
export function dist(r: Reader, value: Value, param: string): Dist | undefined {
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
  const v = r.picked(value);
  if (v.type === 'error') return undefined;
  if (v.type === 'number') {
    const n = r.number(v, param, units, unitHint);
    return n === undefined ? undefined : { type: 'const', value: n };
  }
  if (v.type === 'call') {
    const fn = v.name;
    const args = v.args;
    const arity = (n: number) => {
      if (args.length !== n) {
        r.report('SX2010', v.range, `${fn}(...) takes ${n} arguments, got ${args.length}`, fn === 'U' || fn === 'uniform' ? 'U(low, high)' : 'N(mean, sd)');
        return false;
      }
      if (args.some((a) => a.weight)) {
        r.report('SX2010', v.range, `only mix(...) takes weights`);
        return false;
      }
      return true;
    };
    if (fn === 'U' || fn === 'uniform') {
      if (!arity(2)) return undefined;
      const lo = r.number(args[0]!.value, `${param}'s lower bound`, units, unitHint);
      const hi = r.number(args[1]!.value, `${param}'s upper bound`, units, unitHint);
      if (lo === undefined || hi === undefined) return undefined;
      if (lo >= hi) {
        r.report('SX2003', v.range, `U(${lo}, ${hi}) is ${lo === hi ? 'empty' : 'reversed'}: the lower bound must be below the upper`, lo === hi ? `for a fixed value write ${param} ~ ${lo}` : `write U(${hi}, ${lo})`);
        return undefined;
      }
      return { type: 'uniform', lo, hi };
    }
    if (fn === 'N' || fn === 'normal') {
      if (!arity(2)) return undefined;
      const mean = r.number(args[0]!.value, `${param}'s mean`, units, unitHint);
      const sd = r.number(args[1]!.value, `${param}'s standard deviation`, units, unitHint);
      if (mean === undefined || sd === undefined) return undefined;
      if (sd < 0) {
        r.report('SX2010', args[1]!.range, `a standard deviation cannot be negative (${sd})`, `write N(${mean}, ${-sd})`);
        return undefined;
      }
      return { type: 'normal', mean, sd };
    }
    if (fn === 'mix') return mixture(r, v, 'e.g. mix(0.6 U(-90, 90), 0.4 0)', (part) => dist(r, part, param));
    r.report('SX2001', v.nameRange, `unknown distribution '${fn}'${didYouMean(fn, ['U', 'N', 'mix', 'uniform', 'normal'])}`, 'distributions are U(low, high), N(mean, sd), mix(w1 D1, w2 D2, ...) or a constant');
    return undefined;
  }
  if (v.type === 'name') {
    r.report('SX2010', v.range, `${param} takes a number or a distribution, not '${v.name}'`, unitHint);
    return undefined;
  }
  r.report('SX2010', v.range, `${param} takes a number or a distribution, not a string`, unitHint);
  return undefined;
}

/** The distribution of choice parameter `param` (a key of CHOICE_PARAMS): a choice or a mix of them. */
export function choiceDist(r: Reader, value: Value, param: string): ChoiceDist | undefined {
  const choices = CHOICE_PARAMS[param]!;
  const names = Object.keys(choices);
  const one = (val: Value): Choice | undefined => {
    const v = r.picked(val);
    if (v.type === 'error') return undefined;
    if (v.type === 'call' && Object.hasOwn(choices, v.name) && v.name !== 'mix') {
      // `folder("bg/")`: the choice is right, the call syntax is not.
      const form = choices[v.name] ? `${v.name} "path/to/folder"` : v.name;
      r.report('SX2010', v.range, `${param} ${v.name} is written ${form}, not as a call`, `write ${param} ~ ${form}`);
      return undefined;
    }
    if (v.type !== 'name') {
      const folders = names.filter((n) => choices[n]);
      const hint = folders.length ? `choose one of ${names.join(', ')}; a folder is written ${folders[0]} "path/to/folder"` : `choose one of ${names.join(', ')}`;
      r.report('SX2010', v.range, `${param} is one of ${names.join(', ')}, not '${r.text(v)}'`, hint);
      return undefined;
    }
    if (!Object.hasOwn(choices, v.name)) {
      r.report('SX2001', v.range, `unknown ${param} '${v.name}'${didYouMean(v.name, names)}`, `choose one of ${names.join(', ')}`);
      return undefined;
    }
    const takesArg = choices[v.name]!;
    if (takesArg && !v.arg) {
      r.report('SX2010', v.range, `${param} ${v.name} needs a folder`, `write ${param} ~ ${v.name} "path/to/folder"`);
      return undefined;
    }
    if (!takesArg && v.arg) {
      r.report('SX2010', v.arg.range, `${param} ${v.name} takes no folder`);
      return undefined;
    }
    return v.arg ? { type: 'choice', name: v.name, arg: r.resolvePath(v.arg.value) } : { type: 'choice', name: v.name };
  };
  const v = r.picked(value);
  if (v.type === 'call' && v.name === 'mix') return mixture(r, v, 'e.g. mix(0.5 noise, 0.5 gradient)', one);
  return one(v);
}

/**
 * `mix(w1 D1, w2 D2, ...)` with each part read by `part`: every part weighted, each weight above 0,
 * the weights summing to 1. `example` shows a mixture of the parameter's kind.
 */
function mixture<T>(r: Reader, v: CallValue, example: string, part: (value: Value) => T | undefined): { type: 'mix'; parts: { weight: number; dist: T }[] } | undefined {
  const parts: { weight: number; dist: T }[] = [];
  for (const a of v.args) {
    if (!a.weight) {
      r.report('SX2010', a.range, 'each part of mix(...) needs a weight before it', example);
      return undefined;
    }
    const w = r.number(a.weight, 'a mixture weight', [''], 'weights are plain numbers that sum to 1');
    const d = part(a.value);
    if (w === undefined || d === undefined) return undefined;
    if (!(w > 0)) {
      r.report('SX2010', a.weight.range, `mixture weight ${w} must be above 0`);
      return undefined;
    }
    parts.push({ weight: w, dist: d });
  }
  if (parts.length === 0) {
    r.report('SX2010', v.range, 'mix(...) needs at least one weighted part');
    return undefined;
  }
  const sum = parts.reduce((s, p) => s + p.weight, 0);
  if (Math.abs(sum - 1) > 1e-6) {
    r.report('SX2010', v.range, `mixture weights sum to ${Number(sum.toFixed(6))}, not 1`, 'make the weights add up to 1');
    return undefined;
  }
  return { type: 'mix', parts };
}

/**
 * Warns of a `specular` that can never draw a highlight: every value it can take is below 0, which
 * counts as 0 (exactly 0 is the way to say none, and is not warned of).
 */
export function warnNoHighlight(r: Reader, d: Dist, param: string, range: Range): void {
  if (param !== 'specular') return;
  const highest = (x: Dist): number =>
    x.type === 'const' ? x.value : x.type === 'uniform' ? x.hi : x.type === 'normal' ? (x.sd > 0 ? Infinity : x.mean) : Math.max(...x.parts.map((p) => highest(p.dist)));
  if (highest(d) < 0) r.report('SX2101', range, 'specular below 0 never draws a highlight (a strength below 0 counts as 0)', 'a sheen is about 0.1 to 0.4, e.g. specular ~ U(0, 0.3); specular ~ 0 turns it off');
}

/**
 * `scale` multiplies the focal length: at 0 the face shrinks to a point and below 0 the image turns
 * upside down, so a scale that is always or certainly at or below 0 is an error, and a normal one
 * that reaches it within 3 standard deviations (about 1 image in 740 or more) a warning. Returns
 * whether `d` is usable.
 */
export function checkScale(r: Reader, d: Dist, param: string, range: Range): boolean {
  if (param !== 'scale') return true;
  const parts = d.type === 'mix' ? d.parts.map((p) => p.dist) : [d];
  for (const x of parts) {
    const never = x.type === 'const' ? x.value <= 0 : x.type === 'uniform' ? x.lo <= 0 : x.type === 'normal' ? x.mean <= 0 : false;
    if (never) {
      r.report('SX2010', range, `scale must stay above 0 (it multiplies the focal length: 0 shrinks the face to a point, below 0 turns the image upside down)`, 'the default is U(1, 1.2): the face fills the frame at 1, e.g. scale ~ U(0.8, 1.2)');
      return false;
    }
  }
  for (const x of parts) {
    if (x.type === 'normal' && x.mean - 3 * x.sd <= 0) {
      r.report('SX2101', range, `scale ~ N(${x.mean}, ${x.sd}) draws a scale at or below 0 in some images (empty or upside-down faces)`, 'use a range above 0, e.g. scale ~ U(0.8, 1.2)');
      break;
    }
  }
  return true;
}

/** Warns of a yaw or pitch that reaches past ±90° (the back of the head, a face upside down). */
export function warnAngle(r: Reader, d: Dist, param: string, range: Range): void {
  if (param !== 'yaw' && param !== 'pitch') return;
  const extent = (x: Dist): number =>
    x.type === 'const' ? Math.abs(x.value) : x.type === 'uniform' ? Math.max(Math.abs(x.lo), Math.abs(x.hi)) : x.type === 'normal' ? Math.abs(x.mean) + 2 * x.sd : Math.max(...x.parts.map((p) => extent(p.dist)));
  const limit = 90;
  if (extent(d) > limit + 1e-9 && !(param === 'pitch' && d.type === 'normal')) {
    r.report('SX2101', range, `${param} beyond ±90° ${param === 'yaw' ? 'shows the back of the head' : 'turns the face upside down'}`, `keep ${param} within -90..90`);
  }
}
