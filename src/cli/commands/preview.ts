import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NodeFailure } from '../../exec/index.js';
import { renderContactSheet } from '../../render/index.js';
import { parse as parseArgs } from '../args.js';
import { ensureOutFolder, UsageError, writeLine, type Command } from '../io.js';
import { fsErrorReason } from '../../util/index.js';
import { compileProject, experimentNodes } from '../project.js';

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`--${name} must be a whole number from 1 to 100, not '${v}'`);
  return n;
}

/** `synx preview`: a PNG contact sheet of an experiment's renders, to look before rendering millions. */
const command: Command = {
  name: 'preview',
  summary: 'render a PNG contact sheet of an experiment’s faces (rows = identities, columns = samples)',
  usage: `usage: synx preview FILE [--out sheet.png] [--ids N] [--samples M] [--experiment NAME]

Renders the first N identities (default 4) of the first render node of FILE (or of experiment
NAME), M samples each (default 6), exactly as \`synx run\` would, into a PNG contact sheet; never
more identities or samples than the render has.
  --out FILE         where to write it (default: <FILE without .synexp>.preview.png)
  --experiment NAME  take the render of this experiment (as named in \`synx plan\`)`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, {
      out: { type: 'string' },
      ids: { type: 'string' },
      samples: { type: 'string' },
      experiment: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one experiment file');
    const file = positionals[0]!;
    const rows = positiveInt('ids', values.ids, 4);
    const cols = positiveInt('samples', values.samples, 6);
    const compiled = await compileProject(io, file);
    if (!compiled) return 2;
    const plan = compiled.plan;
    const candidates = experimentNodes(io, file, plan, values.experiment);
    if (!candidates) return 2;
    const node = candidates.find((n) => n.kind === 'render');
    if (!node) {
      writeLine(io.stderr, `${file}: ${values.experiment ? `experiment '${values.experiment}'` : 'the file'} renders no synthetic faces (no \`sample\` statement)`);
      return 2;
    }
    const params = node.params;
    // Only faces the render has: a render of 2 identities x 3 images shows those 6, not 4 x 6.
    const rowsShown = Math.min(rows, params.ids);
    const colsShown = Math.min(cols, params.imgsPerId);
    if ((values.ids !== undefined && rowsShown < rows) || (values.samples !== undefined && colsShown < cols)) {
      writeLine(io.stderr, `note: ${node.label} has ${params.ids} identities x ${params.imgsPerId} images; showing ${rowsShown} x ${colsShown}`);
    }
    const out = path.resolve(io.cwd, values.out ?? `${file.replace(/\.synexp$/, '')}.preview.png`);
    if (!ensureOutFolder(io, 'preview', path.dirname(out))) return 1;
    let png: Buffer;
    try {
      png = await renderContactSheet(params, rowsShown, colsShown);
    } catch (e) {
      if (!(e instanceof NodeFailure)) throw e;
      writeLine(io.stderr, `error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      return 1;
    }
    // Written beside the target and renamed, so an interrupted preview leaves no broken PNG.
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, png);
      renameSync(tmp, out);
    } catch (e) {
      rmSync(tmp, { force: true });
      writeLine(io.stderr, `synx preview: cannot write ${path.relative(io.cwd, out) || out}: ${fsErrorReason(e)}`);
      return 1;
    }
    writeLine(io.stdout, `wrote ${path.relative(io.cwd, out) || out}: ${rowsShown} identities × ${colsShown} samples of ${node.label} (${params.size} px)`);
    return 0;
  },
};

export default command;
