import { CODES, type Code } from './codes.js';
import type { Diagnostic, Range, RelatedLocation } from './diagnostic.js';

/** Builds a diagnostic whose severity comes from the catalogue, so a code never changes meaning. */
export function makeDiagnostic(
  code: Code,
  file: string,
  range: Range,
  message: string,
  extra: { hint?: string; related?: RelatedLocation[] } = {},
): Diagnostic {
  const d: Diagnostic = { code, severity: CODES[code].severity, message, file, range };
  return {
    ...d,
    ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
    ...(extra.related !== undefined && extra.related.length > 0 ? { related: extra.related } : {}),
  };
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidate closest to `name`, if it is close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** " (did you mean 'yaw'?)" or "" */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
