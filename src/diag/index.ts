// The diagnostics stage: one shape for every problem a user can cause, and its printers.
export type { Position, Range, Severity, Diagnostic, RelatedLocation } from './diagnostic.js';
export { FILE_START, hasErrors, sortDiagnostics } from './diagnostic.js';
export { CODES } from './codes.js';
export type { Code } from './codes.js';
export { formatDiagnostic, formatDiagnostics, formatGithub, summarize } from './format.js';
export type { DiagnosticFormat, FormatOptions } from './format.js';
export { makeDiagnostic, didYouMean, closest } from './make.js';
