import type { Diagnostic } from './diagnostic.js';

/** How `synx check` and friends print diagnostics. */
export type DiagnosticFormat = 'text' | 'json' | 'github';

export interface FormatOptions {
  /** Source text per file, to print the offending line with an underline. */
  readonly sources?: ReadonlyMap<string, string>;
  readonly color?: boolean;
}

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

function paint(on: boolean, code: string, text: string): string {
  return on ? `${code}${text}${RESET}` : text;
}

/**
 * Prints one diagnostic the way compilers do:
 *
 *     exp.synexp:3:7: error SX2001: unknown parameter 'yawn' (did you mean 'yaw'?)
 *       3 | yawn ~ U(-90, 90)
 *         | ~~~~
 *       hint: ...
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const color = options.color ?? false;
  const sevColor = d.severity === 'error' ? RED : d.severity === 'warning' ? YELLOW : CYAN;
  const head =
    `${paint(color, BOLD, `${d.file}:${d.range.start.line}:${d.range.start.column}`)}: ` +
    `${paint(color, sevColor, `${d.severity} ${d.code}`)}: ${d.message}`;
  const lines = [head];
  const source = options.sources?.get(d.file);
  if (source !== undefined) lines.push(...excerpt(source, d, color, sevColor));
  if (d.hint) lines.push(`  ${paint(color, CYAN, 'hint')}: ${d.hint}`);
  for (const r of d.related ?? []) {
    lines.push(`  ${r.file}:${r.range.start.line}:${r.range.start.column}: note: ${r.message}`);
  }
  return lines.join('\n');
}

function excerpt(source: string, d: Diagnostic, color: boolean, sevColor: string): string[] {
  const allLines = source.split(/\r?\n/);
  const lineNo = d.range.start.line;
  const text = allLines[lineNo - 1];
  if (text === undefined) return [];
  const gutter = String(lineNo);
  const pad = ' '.repeat(gutter.length);
  const fullStart = Math.max(1, d.range.start.column);
  // A range spanning lines is underlined to the end of its first line.
  const fullEnd =
    d.range.end.line === lineNo ? Math.max(d.range.end.column, fullStart + 1) : text.length + 1;
  // At most EXCERPT_MAX characters around the error: a binary or minified file passed where a
  // text file belongs must not pour kilobytes (or whatever secrets it holds) onto the terminal.
  const from = text.length > EXCERPT_MAX ? Math.max(0, Math.min(fullStart - 1 - EXCERPT_MAX / 4, text.length - EXCERPT_MAX)) : 0;
  const shown = printable(text.slice(from, from + EXCERPT_MAX));
  const startCol = fullStart - from;
  const width = Math.max(1, Math.min(fullEnd - from, shown.length + 1) - startCol);
  const underline = ' '.repeat(Math.max(0, startCol - 1)) + '~'.repeat(width);
  return [
    `  ${gutter} | ${from > 0 ? '…' : ''}${shown}${from + EXCERPT_MAX < text.length ? '…' : ''}`,
    `  ${pad} | ${from > 0 ? ' ' : ''}${paint(color, sevColor, underline)}`,
  ];
}

/** The longest piece of a source line a diagnostic shows. */
const EXCERPT_MAX = 120;

/** Tabs as spaces; control characters, and bytes that were not text, as '?' (same width). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
}

/** Escapes a GitHub workflow-command property or message. */
function ghEscape(text: string, property: boolean): string {
  let out = text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  if (property) out = out.replace(/:/g, '%3A').replace(/,/g, '%2C');
  return out;
}

/** A GitHub Actions annotation line, so CI shows the error on the file in the pull request. */
export function formatGithub(d: Diagnostic): string {
  const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const props = [
    `file=${ghEscape(d.file, true)}`,
    `line=${d.range.start.line}`,
    `col=${d.range.start.column}`,
    `endLine=${d.range.end.line}`,
    `endColumn=${d.range.end.column}`,
    `title=${ghEscape(d.code, true)}`,
  ].join(',');
  const message = d.hint ? `${d.message} (hint: ${d.hint})` : d.message;
  return `::${level} ${props}::${ghEscape(message, false)}`;
}

/** Prints a list of diagnostics in the requested format, with a closing count for `text`. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  options: FormatOptions = {},
): string {
  if (format === 'json') return JSON.stringify({ diagnostics }, null, 2);
  if (format === 'github') return diagnostics.map(formatGithub).join('\n');
  return diagnostics.map((d) => formatDiagnostic(d, options)).join('\n\n');
}

/** "2 errors, 1 warning" */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
