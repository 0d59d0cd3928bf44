import path from 'node:path';
import { openCache, runPlan, type AnyNodeKind, type NodeRunner } from '../../exec/index.js';
import { slurmProblem, slurmRunner } from '../../exec/slurm/index.js';
import { datasetProblems } from '../../plan/index.js';
import { CONFIG_SCHEMA } from '../../config/index.js';
import { createLogger } from '../../tui/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { compileProject, printDiagnostics, projectConfig } from '../project.js';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_CANCELLED = 130;

/**
 * `synx run` with the node kinds from `loadKinds` (the real ones by default; tests pass fakes).
 */
export function makeRunCommand(loadKinds: () => Promise<ReadonlyMap<string, AnyNodeKind>>): Command {
  return {
    name: 'run',
    summary: 'run an experiment file: compute what is not cached, resume what was interrupted',
    usage: `usage: synx run FILE [--jobs N] [--executor local|slurm] [--backend NAME] [--json] [--verbose]

Computes every node of the file's DAG that is not in the cache (dependencies first, independent
nodes in parallel), and writes a run record under .synx/runs (see \`synx runs\`).
  --jobs N    nodes at once (default: jobs in synx.yaml, else the number of cores; with
              Slurm: every node at once, the cluster queues them); nodes also share the
              cpus of synx.yaml, and a render or training node on every core runs alone
  --executor  where nodes run: local (default) or slurm, one sbatch job per node, with the
              cache on a shared filesystem (default: executor in synx.yaml; see docs/slurm.md)
  --backend   TensorFlow.js backend for training and eval: wasm (default), cpu, webgpu,
              tfjs-node, tfjs-node-gpu (default: backend in synx.yaml)
  --json      write the event stream as JSON lines instead of the progress display
  --verbose   also print the nodes' log lines (plain output)

On a terminal the display is live; piped or with CI set it is plain lines. Ctrl-C cancels the
running nodes and caches nothing partial (press it again to exit at once); \`synx run\` again
resumes from the cache.
exit codes: 0 all nodes ran or were cached, 1 a node failed, 2 bad input, 130 interrupted`,
    async run(argv, io) {
      const { values, positionals } = parseArgs(argv, {
        jobs: { type: 'string', short: 'j' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        executor: { type: 'string' },
        backend: { type: 'string' },
      });
      const backends = CONFIG_SCHEMA.properties.backend.enum as readonly string[];
      if (values.backend !== undefined && !backends.includes(values.backend)) {
        throw new UsageError(`--backend must be one of ${backends.join(', ')}, not '${values.backend}'`);
      }
      if (values.executor !== undefined && values.executor !== 'local' && values.executor !== 'slurm') {
        throw new UsageError(`--executor must be local or slurm, not '${values.executor}'`);
      }
      if (positionals.length !== 1) throw new UsageError('give exactly one experiment file');
      let jobs: number | undefined;
      if (values.jobs !== undefined) {
        jobs = Number(values.jobs);
        if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number of at least 1, not '${values.jobs}'`);
      }
      const file = positionals[0]!;
      const loaded = projectConfig(io, path.resolve(io.cwd, file));
      const compiled = await compileProject(io, file, loaded);
      if (!compiled) return 2;
      const plan = compiled.plan;
      // The backend changes speed, not results (beyond float rounding), so it is not part of any
      // fingerprint; the manifest of each entry records the one used.
      const config = values.backend !== undefined ? { ...loaded.config, backend: values.backend } : loaded.config;
      // Missing datasets stop the run before anything is computed, not hours in.
      if (printDiagnostics(io, datasetProblems(plan, config, loaded.file), compiled.sources)) return 2;
      const opened = openCache(config.cache);
      if (!opened.ok) {
        printDiagnostics(io, [opened.diagnostic], compiled.sources);
        return 2;
      }
      // A backend whose packages are missing stops the run now, not after its renders, when a
      // train or eval node that is not cached would start it. (On Slurm the jobs' machines may
      // differ from this one, so it is left to them.)
      const slurm = (values.executor ?? config.executor) === 'slurm';
      if (!slurm && config.backend !== 'wasm' && config.backend !== 'cpu') {
        const pending = plan.nodes.some((n) => (n.kind === 'train' || n.kind === 'eval') && opened.cache.check(n.fingerprint).state !== 'ok');
        // Loaded only then: the train stage brings TensorFlow.js with it.
        const problem = pending ? (await import('../../train/index.js')).backendProblem(config.backend) : undefined;
        if (problem) {
          writeLine(io.stderr, `synx run: error: ${problem.message}`);
          writeLine(io.stderr, `  hint: ${problem.hint}`);
          return 2;
        }
      }
      let runner: NodeRunner | undefined;
      if (slurm) {
        // Found out now, not after the plan is half submitted.
        const problem = await slurmProblem();
        if (problem !== undefined) {
          writeLine(io.stderr, `synx run: error: cannot run on Slurm: ${problem}`);
          writeLine(io.stderr, '  hint: run where sbatch and squeue work (a login node), or use --executor local');
          return 2;
        }
        runner = slurmRunner();
      }
      const kinds = await loadKinds();
      const logger = await createLogger({ stdout: io.stdout, env: io.env, json: values.json, verbose: values.verbose });

      const abort = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1) {
          writeLine(io.stderr, `\nsynx run: ${sig}: cancelling running nodes (nothing partial is cached); press Ctrl-C again to exit now`);
          abort.abort(new Error(`interrupted by ${sig}`));
        } else {
          // The second Ctrl-C: leave at once. Half-written outputs are in temporary folders that
          // no run ever reads, and the next run cleans them.
          process.exit(EXIT_CANCELLED);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runPlan(plan, kinds, {
          config,
          cache: opened.cache,
          signal: abort.signal,
          onEvent: (e) => logger.onEvent(e),
          ...(jobs !== undefined ? { jobs } : {}),
          ...(runner ? { runner } : {}),
        });
        await logger.close();
        if (result.diagnostics.length > 0) {
          printDiagnostics(io, result.diagnostics, compiled.sources);
          return 2;
        }
        const s = result.summary.status;
        if (s !== 'cancelled' && !values.json) {
          const { publishReport } = await import('../../report/index.js');
          const dir = await publishReport(plan, opened.cache, config.root);
          if (dir) writeLine(io.stdout, `report: ${path.relative(io.cwd, path.join(dir, 'report.html')) || dir}`);
        }
        return s === 'ok' ? 0 : s === 'failed' ? 1 : EXIT_CANCELLED;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}

const command: Command = makeRunCommand(async () => (await import('../../kinds/index.js')).defaultKinds());

export default command;
