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

/** Optimal-string-alignment distance: edits plus adjacent swaps (`lwf` is one swap from `lfw`). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
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
