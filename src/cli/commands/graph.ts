import { toDot, toMermaid } from '../../plan/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { compileProject } from '../project.js';

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
    const compiled = await compileProject(io, file);
    if (!compiled) return 2;
    writeLine(io.stdout, values.format === 'dot' ? toDot(compiled.plan, !values.all) : toMermaid(compiled.plan, !values.all));
    return 0;
  },
};

export default command;
