import type { Choice, ChoiceDist, Dist } from '../plan/index.js';
import type { Rng } from '../rng/index.js';

/** Draws one number from a distribution. Mixture weights need not sum to 1. */
export function sampleDist(d: Dist, rng: Rng): number {
  switch (d.type) {
    case 'const':
      return d.value;
    case 'uniform':
      return d.lo + (d.hi - d.lo) * rng.uniform();
    case 'normal':
      return d.mean + d.sd * rng.normal();
    case 'mix':
      return sampleDist(pick(d.parts, rng), rng);
  }
}

/** Draws one named choice (a choice, or a weighted mixture of choices). */
export function sampleChoice(d: ChoiceDist, rng: Rng): Choice {
  return d.type === 'choice' ? d : pick(d.parts, rng);
}

/** Every choice a distribution can give, so a run can load its folders once up front. */
export function choicesOf(d: ChoiceDist): readonly Choice[] {
  return d.type === 'choice' ? [d] : d.parts.map((p) => p.dist);
}

/** True when the distribution always gives `value` (so its work can be skipped). */
export function isConst(d: Dist, value: number): boolean {
  switch (d.type) {
    case 'const':
      return d.value === value;
    case 'uniform':
      return d.lo === value && d.hi === value;
    case 'normal':
      return d.mean === value && d.sd === 0;
    case 'mix':
      return d.parts.every((p) => p.weight <= 0 || isConst(p.dist, value));
  }
}

function pick<T>(parts: readonly { readonly weight: number; readonly dist: T }[], rng: Rng): T {
  let total = 0;
  for (const p of parts) total += Math.max(0, p.weight);
  const first = parts[0];
  if (first === undefined) throw new Error('sampleDist: a mixture with no parts');
  let u = rng.uniform() * total;
  for (const p of parts) {
    u -= Math.max(0, p.weight);
    if (u < 0) return p.dist;
  }
  // Rounding may leave u at 0 after the last part: the last positive-weight part wins.
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (p.weight > 0) return p.dist;
  }
  return first.dist;
}
