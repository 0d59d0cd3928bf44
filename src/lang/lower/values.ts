// Reading the scalar values of a clause: numbers with units, counts, percentages, names from a
// list, a setting's single value, and paths. Every reader reports what is wrong at the value's
// place in the file it was written in: a Reader is bound to that file, so a diagnostic can never be
// filed under the wrong one (the lowerer used to keep the current file in mutable state).
import path from 'node:path';
import { closest, didYouMean, makeDiagnostic, type Code, type Diagnostic, type Range } from '../../diag/index.js';
import type { SettingClause, SweepValue, Value } from '../ast.js';
import type { ResolvedDecl } from '../resolve.js';

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

/** The text of `r` in `file`, as written. */
export function sliceOf(sources: ReadonlyMap<string, string>, file: string, r: Range): string {
  return sources.get(file)?.slice(r.start.offset, r.end.offset) ?? '?';
}

/** One lowering of one expansion: the sweep items it takes, the project, and its diagnostics. */
export class Lowering {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly pick: Pick,
    readonly ctx: LowerContext,
  ) {}

  /** A reader of values written in `file`. */
  in(file: string): Reader {
    return new Reader(this, file);
  }
}

// Whether a sweep mixes kinds or units depends on the sweep alone, but `picked` runs once per
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

/** Reads values written in one file, reporting problems against that file. */
export class Reader {
  constructor(
    readonly lowering: Lowering,
    readonly file: string,
  ) {}

  get ctx(): LowerContext {
    return this.lowering.ctx;
  }

  /** A reader of another file (a test set's, a base declaration's) in the same lowering. */
  in(file: string): Reader {
    return file === this.file ? this : this.lowering.in(file);
  }

  report(code: Code, range: Range, message: string, hint?: string): void {
    this.lowering.diagnostics.push(makeDiagnostic(code, this.file, range, message, hint ? { hint } : {}));
  }

  /** A value as written. */
  text(v: { range: Range }): string {
    return sliceOf(this.ctx.sources, this.file, v.range);
  }

  /** The value a sweep stands for in this expansion (or the value itself). */
  picked(value: Value): Value {
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
    return items[this.lowering.pick.get(value) ?? 0] ?? { type: 'error', range: value.range };
  }

  /** A number in one of `units` ('' for none). */
  number(value: Value, what: string, units: readonly string[], unitHint: string): number | undefined {
    const v = this.picked(value);
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

  /** A whole number above 0 (`100`, `10k`, `1M`). */
  count(value: Value, what: string): number | undefined {
    const n = this.number(value, what, [''], `${what} is a plain count such as 100, 10k or 1M`);
    if (n === undefined) return undefined;
    if (!(n > 0) || !Number.isInteger(n)) {
      this.report('SX2005', this.picked(value).range, `${what} must be a whole number above 0, not ${this.text(this.picked(value))}`, `use a count such as 100, 10k or 1M`);
      return undefined;
    }
    return n;
  }

  /** A percentage as a fraction in [0, 1] (above 0 unless `allowZero`). */
  fraction(value: Value, what: string, allowZero: boolean): number | undefined {
    const n = this.number(value, what, ['%'], `write ${what} as a percentage, e.g. 10%`);
    if (n === undefined) return undefined;
    if (n < 0 || n > 100 || (!allowZero && n === 0)) {
      this.report('SX2004', this.picked(value).range, `${what} ${this.text(this.picked(value))} is outside ${allowZero ? '0%' : '(0%'}..100%]`.replace('..100%]', '..100%'), allowZero ? 'use a value from 0% to 100%' : 'use a value above 0% and at most 100%');
      return undefined;
    }
    return n / 100;
  }

  /** One of `allowed`, written as a bare name. */
  nameOf(value: Value, what: string, allowed: readonly string[]): string | undefined {
    const v = this.picked(value);
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

  /** The one value of a setting such as `image 112px` (the first when a separator is missing). */
  single(c: SettingClause): Value | undefined {
    if (c.values.length !== 1) {
      const extra = c.values.length > 1;
      this.report('SX2010', extra ? c.values[1]!.range : c.range, extra ? `${c.name} takes one value; a comma or a new line may be missing before '${this.text(c.values[1]!)}'` : `${c.name} needs a value`, extra ? 'separate clauses with commas or new lines' : undefined);
      return c.values.length > 1 ? c.values[0] : undefined;
    }
    return c.values[0];
  }

  /** A path as written, resolved against the folder of the file it is written in. */
  resolvePath(p: string): string {
    return path.resolve(this.ctx.cwd, path.dirname(this.file), p);
  }
}
