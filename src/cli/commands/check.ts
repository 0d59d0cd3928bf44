import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeDiagnostic, FILE_START, summarize, formatDiagnostics, type Diagnostic, type DiagnosticFormat } from '../../diag/index.js';
import { check } from '../../lang/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type CliIO, type Command } from '../io.js';
import { findSynexpFiles, projectConfig, useColor } from '../project.js';

const FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'github'];

/** `synx check`: validates experiment files, for editors and CI. */
const command: Command = {
  name: 'check',
  summary: 'check experiment files (exit 0 clean, 2 with errors)',
  usage: `usage: synx check [FILE|DIR]... [--format text|json|github]

Checks .synexp files (folders are searched recursively; default: the current folder) and
prints every problem with its code, place and a hint. Warnings do not fail the check.
  --format text    compiler-style messages with the source line (default)
  --format json    { "files": N, "diagnostics": [...] }
  --format github  GitHub Actions annotations, so errors show on the pull request`,
  async run(argv, io: CliIO) {
    const { values, positionals } = parseArgs(argv, { format: { type: 'string', default: 'text' } });
    const format = values.format as DiagnosticFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const { files, missing } = findSynexpFiles(io.cwd, positionals);
    const loaded = projectConfig(io, undefined, { plans: false });
    const diagnostics: Diagnostic[] = [...loaded.diagnostics];
    for (const m of missing) diagnostics.push(makeDiagnostic('SX1004', m, FILE_START, `cannot read ${m}: no such file or folder`));
    const datasets = Object.fromEntries(Object.entries(loaded.config.datasets).map(([k, v]) => [k, v.format]));
    const sources = new Map<string, string>();
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(path.resolve(io.cwd, file), 'utf8');
      } catch (e) {
        diagnostics.push(makeDiagnostic('SX1004', file, FILE_START, `cannot read ${file}: ${(e as Error).message}`));
        continue;
      }
      const r = check(text, file, { datasets, cwd: io.cwd });
      for (const [k, v] of r.sources) sources.set(k, v);
      diagnostics.push(...r.diagnostics);
    }
    if (files.length === 0 && missing.length === 0) {
      writeLine(io.stderr, `synx check: no .synexp files under ${positionals.join(', ') || '.'}`);
      return 2;
    }
    const errors = diagnostics.some((d) => d.severity === 'error');
    if (format === 'json') {
      writeLine(io.stdout, JSON.stringify({ files: files.length, diagnostics }, null, 2));
    } else if (format === 'github') {
      if (diagnostics.length > 0) writeLine(io.stdout, formatDiagnostics(diagnostics, 'github'));
      writeLine(io.stdout, `checked ${files.length} file${files.length === 1 ? '' : 's'}: ${summarize(diagnostics)}`);
    } else {
      if (diagnostics.length > 0) {
        writeLine(io.stdout, formatDiagnostics(diagnostics, 'text', { sources, color: useColor(io) }));
        writeLine(io.stdout);
      }
      writeLine(io.stdout, `checked ${files.length} file${files.length === 1 ? '' : 's'}: ${summarize(diagnostics)}`);
    }
    return errors ? 2 : 0;
  },
};

export default command;
