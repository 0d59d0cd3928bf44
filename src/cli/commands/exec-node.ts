import path from 'node:path';
import type { AnyNodeKind } from '../../exec/index.js';
import { runWorker } from '../../exec/slurm/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';

/**
 * `synx exec-node` (internal) with the node kinds from `loadKinds`: computes one node of a Slurm
 * run inside its job. Tests pass fake kinds.
 */
export function makeExecNodeCommand(loadKinds: () => Promise<ReadonlyMap<string, AnyNodeKind>>): Command {
  return {
    name: 'exec-node',
    summary: '(internal) compute one node of a `synx run --executor slurm` inside its Slurm job',
    usage: `usage: synx exec-node --job FILE --node ID

Started by the jobs that \`synx run --executor slurm\` submits; not for use by hand. Computes node
ID of the plan in the job file (in <cache>/slurm/<run id>/job.json) into the shared cache, with
the same lock, temporary folder and rename as a local run, and appends its progress to
<node id>.jsonl beside the job file. SIGTERM (scancel, a time limit) cancels it; nothing partial
is cached.
exit codes: 0 the node ran or was cached, 1 it failed, 2 bad job file or node, 143 cancelled`,
    async run(argv, io) {
      const { values, positionals } = parseArgs(argv, {
        job: { type: 'string' },
        node: { type: 'string' },
      });
      if (positionals.length > 0 || values.job === undefined || values.node === undefined) {
        throw new UsageError('give --job FILE and --node ID');
      }
      const abort = new AbortController();
      const onSignal = (sig: NodeJS.Signals): void => abort.abort(new Error(`interrupted by ${sig}`));
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        return await runWorker({
          jobFile: path.resolve(io.cwd, values.job),
          nodeId: values.node,
          kinds: await loadKinds(),
          signal: abort.signal,
          log: (line) => writeLine(io.stdout, line),
        });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    },
  };
}

const command: Command = makeExecNodeCommand(async () => (await import('../../kinds/index.js')).defaultKinds());

export default command;
