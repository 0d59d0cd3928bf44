// The sweeps of a declaration, as the dimensions of its expansion. The planner walks them to make
// each experiment, `check` to try each item once, and an eval to refuse a test set that has one.
import type { SweepValue, Value } from '../ast.js';
import type { ResolvedDecl } from '../resolve.js';
import { sliceOf } from './values.js';

/** One sweep of an experiment: a dimension of its expansion. */
export interface Axis {
  /** `finetune`, `pretrain.epochs`, `yaw`... (with `#2` when a clause has several sweeps). */
  readonly key: string;
  readonly sweep: SweepValue;
  readonly file: string;
  /** Each item as written, for experiment names. */
  readonly labels: readonly string[];
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
