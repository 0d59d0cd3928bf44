import { existsSync } from 'node:fs';
import { collectResults, findRun, listRuns, openCache, resultsToCsv, runState } from '../../exec/index.js';
import { formatDuration } from '../../tui/index.js';
import { parse as parseArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { printDiagnostics, projectConfig } from '../project.js';

/** `synx runs`: the run records, one run's node outcomes, and its eval results as JSON or CSV. */
const command: Command = {
  name: 'runs',
  summary: 'list past runs; show one run, or its eval results as JSON or CSV',
  usage: `usage: synx runs [-n N] [--json]
       synx runs show RUN [--json]
       synx runs show RUN --results [--format json|csv]

RUN is a run id, a unique prefix of one, or \`latest\`. Records live in .synx/runs.
  --results   the eval results of the run's experiments (each eval's results.json):
              json: [{ "experiment", "node", "label", "results": {...} }]
              csv:  experiment,node,label,metric,value (one row per number)`,
  async run(argv, io) {
    const loaded = projectConfig(io, undefined, { plans: false });
    if (printDiagnostics(io, loaded.diagnostics, new Map())) return 2;
    const dir = loaded.config.runs;
    if (argv[0] === 'show') {
      const { values, positionals } = parseArgs(argv.slice(1), {
        json: { type: 'boolean', default: false },
        results: { type: 'boolean', default: false },
        format: { type: 'string', default: 'json' },
      });
      if (positionals.length !== 1) throw new UsageError('give one run id (or `latest`)');
      if (values.format !== 'json' && values.format !== 'csv') throw new UsageError('--format must be json or csv');
      const run = findRun(dir, positionals[0]!);
      if (!run) {
        writeLine(io.stderr, `synx runs: no run '${positionals[0]}' in ${dir} (or more than one starts so); \`synx runs\` lists them`);
        return 2;
      }
      if (values.results) {
        const opened = existsSync(loaded.config.cache) ? openCache(loaded.config.cache) : undefined;
        if (!opened?.ok) {
          writeLine(io.stderr, `synx runs: no usable cache at ${loaded.config.cache}, so no results to read`);
          return 2;
        }
        const results = await collectResults(run, opened.cache);
        writeLine(io.stdout, values.format === 'csv' ? resultsToCsv(results).trimEnd() : JSON.stringify(results, null, 2));
        // A corrupt entry's numbers are never shown (its `results` is null); say which and what to do.
        const corrupt = results.filter((r) => r.corrupt);
        for (const r of corrupt) {
          writeLine(io.stderr, `synx runs: ${r.label} (${r.node}) of ${r.experiment}: its cache entry ${r.corrupt!.fingerprint.slice(0, 12)} is corrupt (${r.corrupt!.problem}); its results are not shown`);
        }
        if (corrupt.length > 0) {
          writeLine(io.stderr, `hint: \`synx run ${run.file}\` removes the corrupt entries and recomputes them`);
          return 1;
        }
        return 0;
      }
      if (values.json) {
        writeLine(io.stdout, JSON.stringify({ ...run, status: runState(run) }, null, 2));
        return 0;
      }
      const state = runState(run);
      writeLine(io.stdout, `run ${run.id}: ${run.file}, ${state}, started ${run.started}${run.summary ? `, ${formatDuration(run.summary.seconds)}` : ''}`);
      writeLine(io.stdout, `synx ${run.environment.synx}, Node ${run.environment.node}, backend ${run.environment.backend}, ${run.environment.host}`);
      for (const n of run.nodes) {
        const extra = n.error ? `: ${n.error.message}` : n.because ? ` (needs ${n.because})` : n.seconds !== undefined ? ` ${formatDuration(n.seconds)}` : '';
        // A live run's record holds its unfinished nodes as `cancelled` (what they become if the
        // run dies); while it runs they have not been cancelled, only not reached yet.
        const outcome = state === 'running' && n.outcome === 'cancelled' ? 'pending' : n.outcome;
        writeLine(io.stdout, `  ${outcome.padEnd(9)} ${n.id.padEnd(18)} ${n.label}${extra}`);
      }
      return 0;
    }
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean', default: false }, n: { type: 'string', short: 'n', default: '20' } });
    if (positionals.length > 0) throw new UsageError(`unknown subcommand '${positionals[0]}'`);
    const limit = Number(values.n);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`-n must be a whole number of at least 1`);
    const runs = listRuns(dir).slice(0, limit);
    if (values.json) {
      writeLine(io.stdout, JSON.stringify(runs.map((r) => ({ id: r.id, file: r.file, status: runState(r), started: r.started, summary: r.summary })), null, 2));
      return 0;
    }
    if (runs.length === 0) {
      writeLine(io.stdout, `no runs yet in ${dir}`);
      return 0;
    }
    writeLine(io.stdout, `${'RUN'.padEnd(20)}  ${'STATUS'.padEnd(11)}  ${'NODES'.padEnd(26)}  ${'TIME'.padStart(6)}  FILE`);
    for (const r of runs) {
      const s = r.summary;
      const nodes = s ? `${s.ran} ran, ${s.cached} cached${s.failed ? `, ${s.failed} failed` : ''}` : `${r.nodes.length} nodes`;
      writeLine(io.stdout, `${r.id.padEnd(20)}  ${runState(r).padEnd(11)}  ${nodes.padEnd(26)}  ${(s ? formatDuration(s.seconds) : '-').padStart(6)}  ${r.file}`);
    }
    return 0;
  },
};

export default command;
