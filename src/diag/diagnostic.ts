/** A 1-based line and column in a source file, plus the 0-based character offset. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A half-open source range: `end` is the position just after the last character. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** Another place that explains a diagnostic (the first of two duplicate clauses, say). */
export interface RelatedLocation {
  readonly file: string;
  readonly range: Range;
  readonly message: string;
}

/**
 * The one shape every stage reports problems in: lexing, parsing, checking, planning, config and
 * run-time input errors. Codes come from the catalogue in `codes.ts`.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly range: Range;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

/** A range covering nothing, for diagnostics about a whole file (a missing config, say). */
export const FILE_START: Range = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, so output is stable whatever order stages ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.offset - b.range.start.offset ||
      a.code.localeCompare(b.code),
  );
}
