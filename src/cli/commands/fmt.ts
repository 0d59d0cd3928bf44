import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hasErrors, type Diagnostic } from '../../diag/index.js';
import { format, parse } from '../../lang/index.js';
import { writeFileAtomic } from '../../util/index.js';
import { parse as parseArgs } from '../args.js';
import { writeLine, type Command } from '../io.js';
import { findSynexpFiles, printDiagnostics } from '../project.js';

/** `synx fmt`: one canonical layout for experiment files. */
const command: Command = {
  name: 'fmt',
  summary: 'format experiment files in the canonical layout (--check: only report)',
  usage: `usage: synx fmt [--check] [FILE|DIR]...

Rewrites .synexp files in the canonical layout (one clause per line, two-space indentation,
comments kept). Files with syntax errors are left untouched and their errors printed.
  --check   change nothing; list files that are not formatted and exit 1 if any`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, { check: { type: 'boolean', default: false } });
    const { files, missing } = findSynexpFiles(io.cwd, positionals);
    for (const m of missing) writeLine(io.stderr, `synx fmt: ${m}: no such file or folder`);
    if (missing.length > 0) return 2;
    const diagnostics: Diagnostic[] = [];
    const sources = new Map<string, string>();
    let unformatted = 0;
    for (const file of files) {
      const abs = path.resolve(io.cwd, file);
      const text = readFileSync(abs, 'utf8');
      const parsed = parse(text, file);
      if (hasErrors(parsed.diagnostics)) {
        diagnostics.push(...parsed.diagnostics);
        sources.set(file, text);
        continue;
      }
      const formatted = format(parsed.ast);
      if (formatted === text) continue;
      unformatted++;
      if (values.check) writeLine(io.stdout, `${file}: not formatted`);
      else {
        writeFileAtomic(abs, formatted);
        writeLine(io.stdout, `formatted ${file}`);
      }
    }
    if (printDiagnostics(io, diagnostics, sources)) return 2;
    return values.check && unformatted > 0 ? 1 : 0;
  },
};

export default command;
