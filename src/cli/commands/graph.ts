import { compileFile, toDot, toMermaid } from '../../plan/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { printDiagnostics, projectConfig } from '../project.js';
import path from 'node:path';

/** `synx graph`: the DAG as Graphviz DOT or a Mermaid flowchart. */
const command: Command = {
  name: 'graph',
  summary: 'print the DAG as Graphviz DOT or Mermaid',
  usage: `usage: synx graph FILE [--format dot|mermaid] [--all]

Prints the experiment file's DAG. Render shards of one set are drawn as one node unless --all.
  synx graph exp.synexp | dot -Tsvg > exp.svg`,
  async run(argv, io) {
    const { values, positionals } = parseArgs(argv, { format: { type: 'string', default: 'dot' }, all: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('give exactly one experiment file');
    if (values.format !== 'dot' && values.format !== 'mermaid') throw new UsageError('--format must be dot or mermaid');
    const file = positionals[0]!;
    const loaded = projectConfig(io, path.resolve(io.cwd, file));
    const r = await compileFile(file, loaded.config, { cwd: io.cwd });
    if (printDiagnostics(io, [...loaded.diagnostics, ...r.diagnostics], r.sources) || !r.plan) return 2;
    writeLine(io.stdout, values.format === 'dot' ? toDot(r.plan, !values.all) : toMermaid(r.plan, !values.all));
    return 0;
  },
};

export default command;
